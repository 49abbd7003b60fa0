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
    /// is one, and judge the file at `now`. Bytes that are not an invitation (or more than the
    /// policy's size limit) give an [`Unopened`], judged too.
    pub fn open(
        bytes: &[u8],
        policy: &Policy,
        password: Option<&Password>,
        now: DateTime<Utc>,
    ) -> Result<Opened, Box<Unopened>> {
        match rainv::read(bytes, &policy.limits) {
            Ok(document) => Ok(Opened::judge(bytes, document, policy, password, now)),
            Err(error) => Err(Box::new(Unopened::unreadable(bytes, error, policy, now))),
        }
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

/// Input that could not be opened as an invitation: why, and the gateway's verdict on it, so
/// that its result line says both.
#[derive(Debug)]
#[non_exhaustive]
pub struct Unopened {
    /// Why it could not be read.
    pub error: rainv::Error,
    /// The gateway's verdict on the bytes.
    pub report: Report,
    message: String,
}

impl Unopened {
    /// Input of `size` bytes, more than the policy's size limit, that was not read (from a
    /// stream; bytes in memory that are too large are [`Opened::open`]'s reader error).
    pub fn too_large(size: u64, policy: &Policy) -> Unopened {
        let limit = policy.limits.max_input_bytes;
        let error = rainv::Error::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit,
        };
        Unopened::new(error, Report::too_large(size, limit))
    }

    /// `bytes` that the reader refused with `error`, judged at `now`.
    pub fn unreadable(
        bytes: &[u8],
        error: rainv::Error,
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Unopened {
        Unopened::new(error, validate(bytes, policy, now))
    }

    fn new(error: rainv::Error, report: Report) -> Unopened {
        let message = error.to_string();
        Unopened {
            error,
            report,
            message,
        }
    }

    /// The result line for `file`: the verdict and findings, and the error.
    pub fn line<'a>(&'a self, file: &'a str) -> ResultLine<'a> {
        ResultLine::judged(file, &self.report).with_error(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Verdict;

    fn example() -> (Vec<u8>, Password) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/");
        let bytes = std::fs::read(format!("{root}example.msrcincident")).unwrap();
        let password = std::fs::read_to_string(format!("{root}example.password")).unwrap();
        (bytes, Password::new(password.trim_end()))
    }

    fn at(text: &str) -> DateTime<Utc> {
        crate::parse_instant(text).unwrap()
    }

    #[test]
    fn the_password_decrypts_the_ticket_and_the_report_checks_its_listeners() {
        let (bytes, password) = example();
        let now = at("2026-11-22T10:00:00Z");
        // The example's listeners are outside this policy's networks: only a report made
        // with the decrypted ticket can say so.
        let policy = Policy::from_toml("allowed_networks = [\"10.0.0.0/8\"]\n").unwrap();
        let opened = Opened::open(&bytes, &policy, Some(&password), now).unwrap();
        assert!(opened.decrypted.is_some() && opened.decrypt_error.is_none());
        assert_eq!(opened.report.verdict, Verdict::Reject);
        assert!(
            opened
                .report
                .findings
                .iter()
                .any(|f| f.message.contains("LHTICKET")),
            "{:?}",
            opened.report.findings
        );
        assert_eq!(opened.now, now);
        let line = serde_json::to_value(opened.line("f")).unwrap();
        assert_eq!(line["invitation"]["lh_ticket"]["decrypted"], true);
        assert!(line["invitation"]["lh_ticket"]["id"].is_string());
        assert_eq!(line["invitation"]["status"], "valid");

        let lenient = Policy::default();
        let opened = Opened::open(&bytes, &lenient, Some(&password), now).unwrap();
        assert_eq!(opened.report.verdict, Verdict::Accept);
    }

    #[test]
    fn a_wrong_or_missing_password_leaves_the_ticket_encrypted() {
        let (bytes, _) = example();
        let now = at("2026-11-22T10:00:00Z");
        let policy = Policy::default();
        let wrong = Opened::open(&bytes, &policy, Some(&Password::new("wrong")), now).unwrap();
        assert!(wrong.decrypted.is_none());
        assert_eq!(
            wrong.decrypt_error.as_ref().map(rainv::Error::code),
            Some(rainv::ErrorCode::WrongPassword)
        );
        let line = serde_json::to_value(wrong.line("f")).unwrap();
        assert_eq!(line["invitation"]["lh_ticket"]["decrypted"], false);
        assert!(line["invitation"]["lh_ticket"]["error"].is_string());

        let none = Opened::open(&bytes, &policy, None, now).unwrap();
        assert!(none.decrypted.is_none() && none.decrypt_error.is_none());
        let line = serde_json::to_value(none.line("f")).unwrap();
        assert!(line["invitation"]["lh_ticket"].get("error").is_none());
    }

    #[test]
    fn input_that_is_not_an_invitation_is_judged_and_says_why() {
        let policy = Policy::default();
        let unopened = *Opened::open(b"<html/>", &policy, None, Utc::now()).unwrap_err();
        assert_eq!(unopened.error.code(), rainv::ErrorCode::Structure);
        assert_eq!(unopened.report.verdict, Verdict::Reject);
        let line = serde_json::to_value(unopened.line("f")).unwrap();
        assert_eq!(line["error"], unopened.error.to_string());
        assert_eq!(line["verdict"], "reject");
        assert!(line.get("invitation").is_none());

        let large = Unopened::too_large(300_000, &policy);
        assert_eq!(large.error.code(), rainv::ErrorCode::TooLarge);
        assert_eq!(large.report, Report::too_large(300_000, 262_144));
        let line = serde_json::to_value(large.line("f")).unwrap();
        assert_eq!(line["error"], line["findings"][0]["message"]);
    }
}
