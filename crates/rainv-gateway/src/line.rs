//! [`ResultLine`]: the one JSON shape of a result, whatever produced it (`rainv open`, `check`
//! and `scan-mail`, the milter's logs to come, the bindings). docs/rainv.schema.json is its
//! JSON Schema, and the tests hold the command line's output to it.

use serde::Serialize;

use crate::validate::{Finding, Report, Verdict};
use rainv::view::InvitationView;

/// The version of the JSON shape: raised when a key changes meaning or goes away (adding a
/// key does not raise it).
pub const JSON_VERSION: u32 = 1;

/// One result: a file, an attachment, or something found inside either; serialised in this
/// field order.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ResultLine<'a> {
    /// [`JSON_VERSION`].
    pub version: u32,
    /// The file as given.
    pub file: &'a str,
    /// The Message-ID of the message holding the attachment (`scan-mail`); `null` when it
    /// has none. Absent for files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Option<&'a str>>,
    /// The attachment's name (`scan-mail`). Absent for files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<&'a str>,
    /// Where the judged file is inside the file or attachment, one entry name a component,
    /// outermost first; empty for the file or attachment itself.
    pub inside: &'a [String],
    /// The verdict; `null` when the input could not be read (see `error`).
    pub verdict: Option<Verdict>,
    /// What the file is: `xp`, `vista`, `connection-string`, `archive`; `null` when unread or
    /// unreadable as any.
    pub kind: Option<&'static str>,
    /// The findings, in the order checked.
    pub findings: &'a [Finding],
    /// Why the input could not be read. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    /// What the invitation holds (`rainv open`). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView<'a>>,
}

impl<'a> ResultLine<'a> {
    /// The result for `file`, judged as `report` says.
    pub fn judged(file: &'a str, report: &'a Report) -> ResultLine<'a> {
        ResultLine {
            version: JSON_VERSION,
            file,
            message_id: None,
            attachment: None,
            inside: &[],
            verdict: Some(report.verdict),
            kind: report.kind,
            findings: &report.findings,
            error: None,
            invitation: None,
        }
    }

    /// The result for `file`, which could not be read.
    pub fn unreadable(file: &'a str, error: &'a str) -> ResultLine<'a> {
        ResultLine {
            version: JSON_VERSION,
            file,
            message_id: None,
            attachment: None,
            inside: &[],
            verdict: None,
            kind: None,
            findings: &[],
            error: Some(error),
            invitation: None,
        }
    }

    /// The result is for an attachment of a message.
    pub fn in_message(mut self, message_id: Option<&'a str>, attachment: &'a str) -> Self {
        self.message_id = Some(message_id);
        self.attachment = Some(attachment);
        self
    }

    /// The result is for something inside the file or attachment, at `inside`.
    pub fn inside(mut self, inside: &'a [String]) -> Self {
        self.inside = inside;
        self
    }

    /// The result says why the input could not be read (as an invitation, when `open`ed).
    pub fn with_error(mut self, error: &'a str) -> Self {
        self.error = Some(error);
        self
    }

    /// The result carries what the invitation holds.
    pub fn with_invitation(mut self, invitation: InvitationView<'a>) -> Self {
        self.invitation = Some(invitation);
        self
    }
}
