//! What a document holds, as data for JSON (feature `serde`): views that borrow from the
//! document and serialise in the documented key order.
//!
//! The views are separate from the types that hold secrets: [`InvitationView::new`] shows
//! neither session IDs nor a decrypted ticket, so a gateway that logs one writes out only what
//! is in plain sight in the file. [`with_session_ids`](InvitationView::with_session_ids) and
//! [`with_ticket`](InvitationView::with_ticket) add them, for a caller that asked.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{
    Attribute, ConnectionString1, ConnectionString2, DecryptedTicket, Document, Error, Invitation,
};

/// An invitation (or a bare Connection String 2) as data. Fields that a bare Connection String
/// 2 does not have are `null` for one.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct InvitationView<'a> {
    /// USERNAME, exactly as in the file.
    pub username: Option<&'a str>,
    /// RCTICKETENCRYPTED.
    pub rc_ticket_encrypted: Option<bool>,
    /// DtStart, seconds since 1970.
    pub dt_start: Option<u64>,
    /// DtLength, minutes.
    pub dt_length_minutes: Option<u64>,
    /// DtStart as RFC 3339 UTC.
    pub valid_from: Option<String>,
    /// DtStart + DtLength as RFC 3339 UTC.
    pub valid_until: Option<String>,
    /// `valid`, `expired` or `not-yet-valid` at the instant given.
    pub status: Option<&'static str>,
    /// PassStub.
    pub pass_stub: Option<&'a str>,
    /// L: a modem link.
    pub low_speed: Option<bool>,
    /// The RCTICKET.
    pub rc_ticket: Option<RcTicketView<'a>>,
    /// The LHTICKET (or the bare Connection String 2 itself).
    pub lh_ticket: Option<TicketView<'a>>,
    /// `<UPLOADINFO>`'s attributes rainv does not know.
    pub uploadinfo_attributes: Vec<AttributeView<'a>>,
    /// `<UPLOADDATA>`'s attributes rainv does not know.
    pub uploaddata_attributes: Vec<AttributeView<'a>>,
}

/// An attribute kept as read.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AttributeView<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its value.
    pub value: &'a str,
}

/// The RCTICKET (Connection String 1).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct RcTicketView<'a> {
    /// Where XP experts connect, in order.
    pub addresses: Vec<AddressView<'a>>,
    /// RASessionID: only when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<&'a str>,
    /// The key hash.
    pub kh: &'a str,
}

/// One RCTICKET address.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AddressView<'a> {
    /// Host.
    pub host: &'a str,
    /// Port.
    pub port: u16,
}

/// The LHTICKET: encrypted, or its Connection String 2.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TicketView<'a> {
    /// Whether what follows was decrypted (or was never encrypted).
    pub decrypted: bool,
    /// When not decrypted: the size of the ciphertext.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ciphertext_bytes: Option<usize>,
    /// When a password was tried and failed: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// KH.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kh: Option<Option<&'a str>>,
    /// KH2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kh2: Option<Option<Kh2View<'a>>>,
    /// ID, the session ID: only when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    /// `<A>`'s other attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<AttributeView<'a>>>,
    /// The transports and their listeners, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<TransportView<'a>>>,
}

/// KH2.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Kh2View<'a> {
    /// `sha256`, `sha384` or `sha512`.
    pub algorithm: &'static str,
    /// The hash, base64.
    pub hash: &'a str,
}

/// A transport (`<T>`).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TransportView<'a> {
    /// ID.
    pub id: u32,
    /// SID: the terminal session.
    pub sid: u32,
    /// Attributes rainv does not know.
    pub attributes: Vec<AttributeView<'a>>,
    /// Its listeners, in the order experts try them.
    pub listeners: Vec<ListenerView<'a>>,
}

/// A listener (`<L>`).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ListenerView<'a> {
    /// N.
    pub address: &'a str,
    /// P.
    pub port: Option<u16>,
    /// U.
    pub uri: Option<&'a str>,
    /// Attributes rainv does not know.
    pub attributes: Vec<AttributeView<'a>>,
}

fn attributes(list: &[Attribute]) -> Vec<AttributeView<'_>> {
    list.iter()
        .map(|a| AttributeView {
            name: &a.name,
            value: &a.value,
        })
        .collect()
}

fn rfc3339(date: Option<DateTime<Utc>>) -> Option<String> {
    date.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn rc_ticket(rc: &ConnectionString1) -> RcTicketView<'_> {
    RcTicketView {
        addresses: rc
            .addresses()
            .map(|a| AddressView {
                host: a.host,
                port: a.port,
            })
            .collect(),
        session_id: None,
        kh: rc.kh(),
    }
}

fn decrypted(cs: &ConnectionString2) -> TicketView<'_> {
    TicketView {
        decrypted: true,
        ciphertext_bytes: None,
        error: None,
        kh: Some(cs.kh()),
        kh2: Some(cs.kh2().map(|k| Kh2View {
            algorithm: k.algorithm.name(),
            hash: &k.hash,
        })),
        id: None,
        attributes: Some(attributes(cs.extra())),
        transports: Some(
            cs.transports()
                .map(|t| TransportView {
                    id: t.id,
                    sid: t.session_id,
                    attributes: attributes(t.extra),
                    listeners: t
                        .listeners()
                        .map(|l| ListenerView {
                            address: l.address,
                            port: l.port,
                            uri: l.uri,
                            attributes: attributes(l.extra),
                        })
                        .collect(),
                })
                .collect(),
        ),
    }
}

impl<'a> InvitationView<'a> {
    /// What `document` holds, judged valid or not at `now`: without session IDs, and with the
    /// LHTICKET shown encrypted.
    pub fn new(document: &'a Document, now: DateTime<Utc>) -> InvitationView<'a> {
        match document {
            Document::ConnectionString(cs) => InvitationView {
                username: None,
                rc_ticket_encrypted: None,
                dt_start: None,
                dt_length_minutes: None,
                valid_from: None,
                valid_until: None,
                status: None,
                pass_stub: None,
                low_speed: None,
                rc_ticket: None,
                lh_ticket: Some(decrypted(cs)),
                uploadinfo_attributes: Vec::new(),
                uploaddata_attributes: Vec::new(),
            },
            Document::Invitation(inv) => InvitationView::of(inv, now),
        }
    }

    fn of(inv: &'a Invitation, now: DateTime<Utc>) -> InvitationView<'a> {
        InvitationView {
            username: Some(inv.username()),
            rc_ticket_encrypted: Some(inv.rc_ticket_encrypted),
            dt_start: Some(inv.validity.start),
            dt_length_minutes: Some(inv.validity.length_minutes),
            valid_from: rfc3339(inv.validity.valid_from()),
            valid_until: rfc3339(inv.validity.valid_until()),
            status: Some(inv.validity.status_at(now).name()),
            pass_stub: inv.pass_stub(),
            low_speed: Some(inv.low_speed),
            rc_ticket: inv.rc_ticket.as_ref().map(rc_ticket),
            lh_ticket: inv.lh_ticket.as_ref().map(|t| TicketView {
                decrypted: false,
                ciphertext_bytes: Some(t.as_hex().len() / 2),
                error: None,
                kh: None,
                kh2: None,
                id: None,
                attributes: None,
                transports: None,
            }),
            uploadinfo_attributes: attributes(&inv.upload_info_attributes),
            uploaddata_attributes: attributes(&inv.unknown_attributes),
        }
    }

    /// Show the LHTICKET decrypted: its key hashes and listeners (and, with
    /// [`with_session_ids`](Self::with_session_ids), its ID).
    pub fn with_ticket(mut self, ticket: &'a DecryptedTicket) -> InvitationView<'a> {
        self.lh_ticket = Some(decrypted(ticket.connection()));
        self
    }

    /// Say why the LHTICKET could not be decrypted.
    pub fn with_decrypt_error(mut self, error: &Error) -> InvitationView<'a> {
        if let Some(lh) = &mut self.lh_ticket {
            lh.error = Some(error.to_string());
        }
        self
    }

    /// Show the session IDs (the RCTICKET's RASessionID, the ticket's ID): `document` and
    /// `ticket` are where they are read from.
    pub fn with_session_ids(
        mut self,
        document: &'a Document,
        ticket: Option<&'a DecryptedTicket>,
    ) -> InvitationView<'a> {
        match document {
            Document::ConnectionString(cs) => {
                if let Some(lh) = &mut self.lh_ticket {
                    lh.id = Some(cs.id());
                }
            }
            Document::Invitation(inv) => {
                if let (Some(view), Some(rc)) = (&mut self.rc_ticket, &inv.rc_ticket) {
                    view.session_id = Some(rc.session_id());
                }
                if let (Some(lh), Some(ticket)) = (&mut self.lh_ticket, ticket)
                    && lh.decrypted
                {
                    lh.id = Some(ticket.connection().id());
                }
            }
        }
        self
    }
}
