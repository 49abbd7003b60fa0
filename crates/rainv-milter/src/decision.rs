//! What the milter does with a message, from the gateway's verdicts on it: the one place the
//! actions are decided, apart from the protocol.

use rainv_gateway::{AttachmentReport, Severity, Verdict};

use crate::config::{Action, OnError};
use crate::text::{header_value, reply_text};

/// What the MTA is told to do with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disposition {
    /// Deliver it (with the decision's headers).
    Continue,
    /// Refuse it: `550 5.7.1` and this text.
    Reject(String),
    /// Hold it (Postfix's hold queue), for this reason, with the decision's headers.
    Quarantine(String),
    /// Ask the sender to try again later: `451 4.7.1` and this text.
    Tempfail(String),
}

/// The milter's decision on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// What the MTA does.
    pub disposition: Disposition,
    /// The values of the `X-Rainv-Verdict` headers to add, one per judged attachment.
    pub headers: Vec<String>,
    /// The verdict for the log: `clean` (no invitation), `accept`, `reject` or `error`.
    pub verdict: &'static str,
    /// Each judged attachment for the log: `NAME=VERDICT(CODES)`.
    pub attachments: Vec<String>,
}

/// The name of what was judged: the attachment, then each entry inside it, after a `>` (the
/// header and the reply are ASCII).
fn path(report: &AttachmentReport) -> String {
    std::iter::once(report.attachment.as_str())
        .chain(report.inside.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" > ")
}

/// The codes that explain a report: its errors when it is rejected, else its warnings.
fn codes(report: &AttachmentReport) -> Vec<&'static str> {
    let wanted = match report.report.verdict {
        Verdict::Reject => Severity::Error,
        _ => Severity::Warning,
    };
    let mut codes: Vec<&'static str> = report
        .report
        .findings
        .iter()
        .filter(|f| f.severity == wanted)
        .map(|f| f.code.as_str())
        .collect();
    codes.dedup();
    codes
}

/// Decide on a message from what `scan_message` made of it. A message that could not be read
/// as mail (`Err`) was not inspected, so it counts as rejected, with its error's code.
pub fn decide(scanned: &Result<Vec<AttachmentReport>, rainv::Error>, action: Action) -> Decision {
    let judged: Vec<(String, &'static str, Vec<&'static str>)> = match scanned {
        Ok(reports) => reports
            .iter()
            .map(|r| {
                let verdict = match r.report.verdict {
                    Verdict::Reject => "reject",
                    _ => "accept",
                };
                (path(r), verdict, codes(r))
            })
            .collect(),
        Err(e) => vec![(
            "(the message)".to_string(),
            "reject",
            vec![e.code().as_str()],
        )],
    };
    let attachments = judged
        .iter()
        .map(|(name, verdict, codes)| format!("{name}={verdict}({})", codes.join(",")))
        .collect();
    if judged.is_empty() {
        return Decision {
            disposition: Disposition::Continue,
            headers: Vec::new(),
            verdict: "clean",
            attachments,
        };
    }
    let rejected: Vec<&(String, &str, Vec<&str>)> =
        judged.iter().filter(|(_, v, _)| *v == "reject").collect();
    let headers: Vec<String> = judged
        .iter()
        .map(|(name, verdict, codes)| header_value(verdict, name, codes))
        .collect();
    let verdict = if rejected.is_empty() {
        "accept"
    } else {
        "reject"
    };
    let disposition = if rejected.is_empty() {
        Disposition::Continue
    } else {
        let reasons: Vec<String> = rejected
            .iter()
            .take(3)
            .map(|(name, _, codes)| format!("{name}: {}", codes.join(", ")))
            .collect();
        let more = if rejected.len() > 3 {
            format!(" and {} more", rejected.len() - 3)
        } else {
            String::new()
        };
        let reason = reply_text(&format!(
            "rainv: rejected Remote Assistance invitation: {}{more}",
            reasons.join("; ")
        ));
        match action {
            Action::Reject => Disposition::Reject(reason),
            Action::Quarantine => Disposition::Quarantine(reason),
            Action::Tag | Action::Accept => Disposition::Continue,
        }
    };
    Decision {
        disposition,
        headers: if action == Action::Accept {
            Vec::new()
        } else {
            headers
        },
        verdict,
        attachments,
    }
}

/// The decision when rainv itself failed on a message (`why`: a panic, the time limit).
pub(crate) fn failed(on_error: OnError, why: &str) -> Decision {
    let (disposition, headers) = match on_error {
        OnError::Tempfail => (
            Disposition::Tempfail(reply_text(&format!(
                "rainv could not inspect the message ({why}); try again later"
            ))),
            Vec::new(),
        ),
        OnError::Accept => (
            Disposition::Continue,
            vec![header_value("error", "(the message)", &[])],
        ),
    };
    Decision {
        disposition,
        headers,
        verdict: "error",
        attachments: vec![format!("(the message)=error({why})")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use rainv_gateway::{Policy, scan_message};

    fn message(name: &str, content: &str) -> Vec<u8> {
        format!(
            "From: a@example.net\r\nMessage-ID: <m@x>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n{content}\r\n--b--\r\n"
        )
        .into_bytes()
    }

    fn scan(raw: &[u8]) -> Result<Vec<AttachmentReport>, rainv::Error> {
        scan_message(raw, &Policy::default(), DateTime::UNIX_EPOCH)
    }

    #[test]
    fn each_action_on_a_rejected_message() {
        let raw = message("invite.msrcincident", "<!DOCTYPE x><UPLOADINFO/>");
        let scanned = scan(&raw);
        let reject = decide(&scanned, Action::Reject);
        assert_eq!(reject.verdict, "reject");
        let Disposition::Reject(reason) = &reject.disposition else {
            panic!("{reject:?}");
        };
        assert!(
            reason.contains("invite.msrcincident: xml.doctype"),
            "{reason}"
        );
        assert_eq!(reject.headers, ["reject; invite.msrcincident; xml.doctype"]);
        let quarantine = decide(&scanned, Action::Quarantine);
        assert!(matches!(quarantine.disposition, Disposition::Quarantine(_)));
        assert_eq!(quarantine.headers, reject.headers);
        let tag = decide(&scanned, Action::Tag);
        assert_eq!(tag.disposition, Disposition::Continue);
        assert_eq!(tag.headers, reject.headers);
        let accept = decide(&scanned, Action::Accept);
        assert_eq!(accept.disposition, Disposition::Continue);
        assert!(accept.headers.is_empty());
        assert_eq!(accept.verdict, "reject");
    }

    #[test]
    fn clean_mail_and_unreadable_mail() {
        let clean = decide(
            &scan(b"From: a@b\r\nSubject: hi\r\n\r\nhello\r\n"),
            Action::Reject,
        );
        assert_eq!(clean.disposition, Disposition::Continue);
        assert!(clean.headers.is_empty());
        assert_eq!(clean.verdict, "clean");
        let unreadable = decide(
            &Err(rainv::Error::Limit("too many parts".into())),
            Action::Reject,
        );
        assert!(matches!(unreadable.disposition, Disposition::Reject(_)));
        let failed_tempfail = failed(OnError::Tempfail, "timed out");
        assert!(matches!(
            failed_tempfail.disposition,
            Disposition::Tempfail(_)
        ));
        let failed_accept = failed(OnError::Accept, "timed out");
        assert_eq!(failed_accept.disposition, Disposition::Continue);
        assert_eq!(failed_accept.headers, ["error; (the message); -"]);
    }
}
