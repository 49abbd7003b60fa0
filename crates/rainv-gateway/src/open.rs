//! [`Opened`]: an invitation read, its LHTICKET decrypted when a password is given, and judged;
//! what `rainv open` shows and what the bindings' `open` returns, built in one place.

use chrono::{DateTime, Utc};
use rainv::view::InvitationView;
use rainv::{DecryptedTicket, Document, Password, TicketKey};

use crate::line::ResultLine;
use crate::validate::{Policy, Report, validate};

/// One invitation opened: the document, its decrypted ticket (or why it did not decrypt), and
/// the gateway's report on it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Opened {
    /// The document read.
    pub document: Document,
    /// The LHTICKET decrypted, when a password was given and it decrypted.
    pub decrypted: Option<DecryptedTicket>,
    /// Why the LHTICKET did not decrypt with the password given.
    pub decrypt_error: Option<rainv::Error>,
    /// The gateway's verdict on the bytes (with the password, when the ticket decrypted, so
    /// that the tickets are compared and the listeners checked).
    pub report: Report,
    /// The time the validity was judged at.
    pub now: DateTime<Utc>,
}

impl Opened {
    /// Read `bytes` within `policy`'s limits, decrypt the LHTICKET with `password` when there
    /// is one, and judge the file at `now`. Bytes that are not an invitation give the
    /// reader's error.
    pub fn open(
        bytes: &[u8],
        policy: &Policy,
        password: Option<&Password>,
        now: DateTime<Utc>,
    ) -> Result<Opened, rainv::Error> {
        let document = rainv::read(bytes, &policy.limits)?;
        Ok(Opened::judge(bytes, document, policy, password, now))
    }

    /// As [`open`](Self::open), for a `document` already read from `bytes` (a caller that
    /// asks for a password only when the document has an LHTICKET reads it first).
    pub fn judge(
        bytes: &[u8],
        document: Document,
        policy: &Policy,
        password: Option<&Password>,
        now: DateTime<Utc>,
    ) -> Opened {
        let mut decrypted = None;
        let mut decrypt_error = None;
        let mut judged_with = None;
        if let (Document::Invitation(inv), Some(password)) = (&document, password)
            && let Some(lh) = &inv.lh_ticket
        {
            match lh.decrypt_with_key(&TicketKey::derive(password), &policy.limits) {
                Ok(ticket) => {
                    decrypted = Some(ticket);
                    let mut with_password = policy.clone();
                    with_password.password = Some(password.clone());
                    judged_with = Some(with_password);
                }
                Err(e) => decrypt_error = Some(e),
            }
        }
        let report = validate(bytes, judged_with.as_ref().unwrap_or(policy), now);
        Opened {
            document,
            decrypted,
            decrypt_error,
            report,
            now,
        }
    }

    /// The result line for `file`, with everything the invitation holds: the user opened it,
    /// so session IDs and the decrypted ticket are shown.
    pub fn line<'a>(&'a self, file: &'a str) -> ResultLine<'a> {
        let mut view = InvitationView::new(&self.document, self.now);
        if let Some(ticket) = &self.decrypted {
            view = view.with_ticket(ticket);
        }
        if let Some(e) = &self.decrypt_error {
            view = view.with_decrypt_error(e);
        }
        let view = view.with_session_ids(&self.document, self.decrypted.as_ref());
        ResultLine::judged(file, &self.report).with_invitation(view)
    }
}
