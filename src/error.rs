//! One error type for the whole library.
//!
//! Every variant says what is wrong and, through [`Error::hint`], what to do. Every variant also
//! has a stable machine code ([`Error::code`]) that the gateway layer reports as a finding.

use std::fmt;

/// Where in the decoded document a problem was found (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
}

impl Position {
    /// Position of byte `offset` in `text` (clamped to the text's end and to a char boundary).
    pub(crate) fn of_offset(text: &str, offset: usize) -> Position {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Everything that can go wrong reading, decrypting or writing an invitation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is larger than the configured limit; it was not parsed.
    #[error("input is {size} bytes, above the limit of {limit} bytes for an invitation")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The bytes are not text in any encoding invitations use.
    #[error("cannot decode the file as text: {0}")]
    Encoding(String),
    /// The document has a document type declaration (`<!DOCTYPE`), which no invitation has.
    #[error(
        "document type declaration (<!DOCTYPE>) at {0}: refused, as no genuine invitation has one (CVE-2018-0878)"
    )]
    Doctype(Position),
    /// An entity other than the five XML standard ones, or a bad character reference.
    #[error("entity or character reference not allowed at {position}: {detail}")]
    Entity {
        /// Where the reference is.
        position: Position,
        /// What is wrong with it.
        detail: String,
    },
    /// The XML is not well formed.
    #[error("malformed XML at {position}: {detail}")]
    Malformed {
        /// Where the problem is.
        position: Position,
        /// What is wrong.
        detail: String,
    },
    /// A structural limit (depth, element count, attribute length, listener count...) was hit.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// The XML is well formed but is not an invitation (wrong elements, duplicates...).
    #[error("not an invitation: {0}")]
    Structure(String),
    /// A required attribute is missing.
    #[error("attribute {attribute} is missing from <{element}>")]
    MissingAttribute {
        /// Element that lacks the attribute.
        element: &'static str,
        /// Attribute name.
        attribute: &'static str,
    },
    /// An attribute has a value that cannot be right.
    #[error("attribute {attribute}=\"{value}\" is invalid: {reason}")]
    InvalidAttribute {
        /// Attribute name.
        attribute: &'static str,
        /// The offending value, shortened and escaped for display.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// RCTICKET (Connection String 1) is malformed.
    #[error("RCTICKET is malformed: {0}")]
    RcTicket(String),
    /// LHTICKET is not well-formed hex ciphertext.
    #[error("LHTICKET is malformed: {0}")]
    LhTicket(String),
    /// The decrypted Connection String 2 is malformed.
    #[error("the decrypted ticket (Connection String 2) is malformed: {0}")]
    ConnectionString2(String),
    /// Decryption failed: wrong password, or a damaged ticket.
    #[error("wrong password or damaged ticket: the LHTICKET does not decrypt with this password")]
    WrongPassword,
    /// A PassStub does not have the shape Windows gives it.
    #[error("invalid PassStub: {0}")]
    PassStub(String),
    /// A length-prefixed property blob is malformed.
    #[error("malformed property blob: {0}")]
    Blob(String),
    /// The invitation cannot be written in the requested layout.
    #[error("cannot write this invitation: {0}")]
    Write(String),
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

impl Error {
    /// A stable, machine-readable code for this error, as used in validation findings.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "size.too-large",
            Error::Encoding(_) => "text.encoding",
            Error::Doctype(_) => "xml.doctype",
            Error::Entity { .. } => "xml.entity",
            Error::Malformed { .. } => "xml.malformed",
            Error::Limit(_) => "xml.limit",
            Error::Structure(_) => "format.structure",
            Error::MissingAttribute { .. } => "format.missing-attribute",
            Error::InvalidAttribute { .. } => "format.invalid-attribute",
            Error::RcTicket(_) => "ticket.rc.malformed",
            Error::LhTicket(_) => "ticket.lh.malformed",
            Error::ConnectionString2(_) => "ticket.lh.malformed",
            Error::WrongPassword => "password.wrong",
            Error::PassStub(_) => "passstub.malformed",
            Error::Blob(_) => "blob.malformed",
            Error::Write(_) => "write.unsupported",
            Error::Random(_) => "system.random",
        }
    }

    /// A short suggestion of what to do about this error.
    pub fn hint(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => {
                "real invitations are a few KB; this file is almost certainly not one"
            }
            Error::Encoding(_) => {
                "save the file as UTF-8 or UTF-16, as Windows does, or check it is an invitation at all"
            }
            Error::Doctype(_) | Error::Entity { .. } => {
                "treat this file as hostile: genuine invitations never declare entities"
            }
            Error::Malformed { .. } | Error::Limit(_) | Error::Structure(_) => {
                "the file is damaged or not an invitation; ask the sender for a fresh one"
            }
            Error::MissingAttribute { .. } | Error::InvalidAttribute { .. } => {
                "the invitation is damaged; ask the sender to create a new one"
            }
            Error::RcTicket(_) | Error::LhTicket(_) | Error::ConnectionString2(_) => {
                "the ticket is damaged; ask the sender to create a new invitation"
            }
            Error::WrongPassword => {
                "check the password with the person who sent the invitation (Windows makes 12 characters of A-Z and 0-9)"
            }
            Error::PassStub(_) => {
                "a PassStub is 14 characters; copy it exactly from the invitation"
            }
            Error::Blob(_) => "each pair is written as <length>;NAME=value",
            Error::Write(_) => "choose a layout that can carry this invitation's tickets",
            Error::Random(_) => "check that the operating system's entropy source is available",
        }
    }
}

/// Shorten and escape a value taken from input so it can be put in an error message.
pub fn quote_value(value: &str) -> String {
    const MAX: usize = 40;
    let mut shown: String = value.chars().take(MAX).collect();
    if value.chars().nth(MAX).is_some() {
        shown.push('…');
    }
    crate::text::escape_for_display(&shown).into_owned()
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
