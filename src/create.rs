//! Making a new invitation, as msra.exe does.

use crate::connection_string1::{Address, ConnectionString1};
use crate::connection_string2::{ConnectionString2, Kh2, Listener, Transport};
use crate::crypto::Password;
use crate::error::{Error, Result};
use crate::generate;
use crate::invitation::{Invitation, LhTicket};
use crate::validity::Validity;

/// What the novice decides when making an invitation.
///
/// Start from [`NewInvitation::new`] and set what differs from its defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewInvitation {
    /// USERNAME.
    pub username: String,
    /// Where the expert connects, in order. IPv6 addresses go only into the LHTICKET.
    pub listeners: Vec<Listener>,
    /// KH: base64 SHA-1 of the RDP public key. Without it the expert cannot authenticate the novice.
    pub kh: Option<String>,
    /// KH2.
    pub kh2: Option<Kh2>,
    /// The session ID; a new random one when `None`.
    pub session_id: Option<String>,
    /// Terminal services session ID (SID), 0 for the console.
    pub terminal_session: u32,
    /// DtStart, seconds since 1970.
    pub created: u64,
    /// DtLength, minutes.
    pub minutes: u64,
    /// L.
    pub low_speed: bool,
    /// Add an RCTICKET so XP experts can connect (Windows 7 does unless told "Vista or later only").
    pub with_rc_ticket: bool,
}

impl NewInvitation {
    /// Windows 10's default validity: 6 hours.
    pub const DEFAULT_MINUTES: u64 = 360;

    /// An invitation from `username` to connect to `listeners`, made at `created` (seconds
    /// since 1970), valid for [`NewInvitation::DEFAULT_MINUTES`], with no KH (so no RCTICKET)
    /// and a random session ID.
    pub fn new(
        username: impl Into<String>,
        listeners: Vec<Listener>,
        created: u64,
    ) -> NewInvitation {
        NewInvitation {
            username: username.into(),
            listeners,
            kh: None,
            kh2: None,
            session_id: None,
            terminal_session: 0,
            created,
            minutes: Self::DEFAULT_MINUTES,
            low_speed: false,
            with_rc_ticket: false,
        }
    }

    /// The Connection String 2 this invitation will carry, checked as the reader checks one.
    pub fn connection_string(&self, session_id: &str) -> Result<ConnectionString2> {
        let transport = Transport::new(1, self.terminal_session, self.listeners.clone());
        let mut ticket = ConnectionString2::new(session_id, vec![transport])?;
        if let Some(kh) = &self.kh {
            ticket = ticket.with_kh(kh.as_str())?;
        }
        if let Some(kh2) = &self.kh2 {
            ticket = ticket.with_kh2(kh2.clone())?;
        }
        Ok(ticket)
    }

    /// The RCTICKET for XP experts: the listeners an XP expert can reach (IPv4 and names with
    /// a port), the same session ID and KH.
    pub fn rc_ticket(&self, session_id: &str) -> Result<ConnectionString1> {
        let kh = self.kh.clone().ok_or_else(|| {
            Error::Write("an RCTICKET needs a KH (XP experts cannot connect without one)".into())
        })?;
        let addresses: Vec<Address> = self
            .listeners
            .iter()
            .filter_map(|l| Address::new(l.address.as_str(), l.port?).ok())
            .collect();
        if addresses.is_empty() {
            return Err(Error::Write(
                "no listener is an IPv4 address or computer name with a port, so XP experts \
                 have nothing to connect to"
                    .into(),
            ));
        }
        ConnectionString1::new(addresses, session_id, kh)
    }

    /// Build the invitation: a fresh PassStub (and session ID if none was given), the
    /// LHTICKET encrypted with `password`.
    pub fn build(&self, password: &Password) -> Result<Invitation> {
        if self.listeners.is_empty() {
            return Err(Error::Write(
                "an invitation needs at least one address".into(),
            ));
        }
        let session_id = match &self.session_id {
            Some(id) => id.clone(),
            None => generate::session_id()?,
        };
        let text = self.connection_string(&session_id)?.to_text();
        let rc_ticket = if self.with_rc_ticket {
            Some(self.rc_ticket(&session_id)?)
        } else {
            None
        };
        self.invitation(rc_ticket, Some(LhTicket::encrypt(&text, password)))
    }

    /// Build an XP-generation invitation (RCTICKET only). XP's RCTICKET is not encrypted, so
    /// the password protects only the PassStub proof.
    pub fn build_xp(&self) -> Result<Invitation> {
        let session_id = match &self.session_id {
            Some(id) => id.clone(),
            None => generate::xp_session_id()?,
        };
        self.invitation(Some(self.rc_ticket(&session_id)?), None)
    }

    /// The invitation of these tickets, with a fresh PassStub.
    fn invitation(
        &self,
        rc_ticket: Option<ConnectionString1>,
        lh_ticket: Option<LhTicket>,
    ) -> Result<Invitation> {
        let mut invitation = Invitation::new(
            self.username.as_str(),
            Validity::new(self.created, self.minutes),
        );
        invitation.rc_ticket = rc_ticket;
        invitation.lh_ticket = lh_ticket;
        invitation.rc_ticket_encrypted = true;
        invitation.set_pass_stub(Some(&generate::pass_stub()?));
        invitation.low_speed = self.low_speed;
        Ok(invitation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invitation::{Layout, ticket_disagreements};

    fn spec() -> NewInvitation {
        NewInvitation {
            username: "alice & bob".into(),
            listeners: vec![
                Listener {
                    address: "fe80::1%3".into(),
                    port: Some(49228),
                    uri: None,
                    extra: Vec::new(),
                },
                Listener {
                    address: "192.0.2.1".into(),
                    port: Some(3389),
                    uri: None,
                    extra: Vec::new(),
                },
                Listener {
                    address: "PC-1".into(),
                    port: Some(3389),
                    uri: None,
                    extra: Vec::new(),
                },
            ],
            kh: Some("BNRjdu97DyczQSRuMRrDWoue+HA=".into()),
            kh2: None,
            session_id: None,
            terminal_session: 0,
            created: 1_700_000_000,
            minutes: NewInvitation::DEFAULT_MINUTES,
            low_speed: false,
            with_rc_ticket: true,
        }
    }

    #[test]
    fn built_invitations_read_back_and_their_tickets_agree() {
        let password = Password::new("ABCDEFGHJK12");
        let invitation = spec().build(&password).unwrap();
        for layout in [Layout::Windows7, Layout::Windows10] {
            let again = Invitation::from_bytes(&invitation.to_bytes(layout).unwrap()).unwrap();
            assert_eq!(again, invitation);
        }
        let ticket = invitation.decrypt(&password).unwrap().unwrap();
        let rc = invitation.rc_ticket.as_ref().unwrap();
        // The IPv6 listener cannot go into an RCTICKET; the others do, in order.
        assert_eq!(rc.addresses().len(), 2);
        assert!(ticket_disagreements(rc, ticket.connection()).is_empty());
        crate::pass_stub::check_shape(invitation.pass_stub().unwrap()).unwrap();
    }

    #[test]
    fn xp_invitations_have_xp_session_ids_and_need_a_kh() {
        let xp = spec().build_xp().unwrap();
        assert!(xp.lh_ticket.is_none());
        let again = Invitation::from_bytes(&xp.to_bytes(Layout::Xp).unwrap()).unwrap();
        assert_eq!(again, xp);
        assert_eq!(xp.rc_ticket.unwrap().session_id().len(), 44); // 32 bytes in base64
        let no_kh = NewInvitation { kh: None, ..spec() };
        assert!(no_kh.build_xp().is_err());
    }
}
