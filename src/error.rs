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
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::TooLarge { .. } => ErrorCode::TooLarge,
            Error::Encoding(_) => ErrorCode::Encoding,
            Error::Doctype(_) => ErrorCode::Doctype,
            Error::Entity { .. } => ErrorCode::Entity,
            Error::Malformed { .. } => ErrorCode::Malformed,
            Error::Limit(_) => ErrorCode::Limit,
            Error::Structure(_) => ErrorCode::Structure,
            Error::MissingAttribute { .. } => ErrorCode::MissingAttribute,
            Error::InvalidAttribute { .. } => ErrorCode::InvalidAttribute,
            Error::RcTicket(_) => ErrorCode::RcTicket,
            Error::LhTicket(_) => ErrorCode::LhTicket,
            Error::ConnectionString2(_) => ErrorCode::ConnectionString2,
            Error::WrongPassword => ErrorCode::WrongPassword,
            Error::PassStub(_) => ErrorCode::PassStub,
            Error::Blob(_) => ErrorCode::Blob,
            Error::Write(_) => ErrorCode::Write,
            Error::Random(_) => ErrorCode::Random,
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

/// Defines [`ErrorCode`] from one table of variant, string and meaning, so that the enum,
/// [`ErrorCode::ALL`] and [`ErrorCode::as_str`] cannot disagree, and each string is written once.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $name:literal,)+) => {
        /// The stable, machine-readable code of an [`Error`] ([`Error::code`]), one per variant.
        ///
        /// Its string form ([`as_str`](ErrorCode::as_str), also its `Display`) is what
        /// validation findings and JSON output carry; it never changes for a given variant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $name, "`:")]
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl ErrorCode {
            /// Every code, in the order of [`Error`]'s variants.
            pub const ALL: [ErrorCode; [$(ErrorCode::$variant),+].len()] =
                [$(ErrorCode::$variant),+];

            /// The code as findings and JSON carry it, such as `xml.doctype`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }
        }
    };
}

error_codes! {
    /// the input is larger than the size limit ([`Error::TooLarge`]).
    TooLarge => "size.too-large",
    /// the bytes are not text in an encoding invitations use ([`Error::Encoding`]).
    Encoding => "text.encoding",
    /// the document has a document type declaration ([`Error::Doctype`]).
    Doctype => "xml.doctype",
    /// an entity or character reference that is not allowed ([`Error::Entity`]).
    Entity => "xml.entity",
    /// the XML is not well formed ([`Error::Malformed`]).
    Malformed => "xml.malformed",
    /// a structural limit was hit ([`Error::Limit`]).
    Limit => "xml.limit",
    /// well-formed XML that is not an invitation ([`Error::Structure`]).
    Structure => "format.structure",
    /// a required attribute is missing ([`Error::MissingAttribute`]).
    MissingAttribute => "format.missing-attribute",
    /// an attribute's value cannot be right ([`Error::InvalidAttribute`]).
    InvalidAttribute => "format.invalid-attribute",
    /// the RCTICKET (Connection String 1) is malformed ([`Error::RcTicket`]).
    RcTicket => "ticket.rc.malformed",
    /// the LHTICKET is not well-formed hex ciphertext ([`Error::LhTicket`]).
    LhTicket => "ticket.lh.malformed",
    /// the decrypted or bare Connection String 2 is malformed
    /// ([`Error::ConnectionString2`]).
    ConnectionString2 => "ticket.cs2.malformed",
    /// the LHTICKET does not decrypt with the password ([`Error::WrongPassword`]).
    WrongPassword => "password.wrong",
    /// a PassStub without the shape Windows gives it ([`Error::PassStub`]).
    PassStub => "passstub.malformed",
    /// a malformed length-prefixed property blob ([`Error::Blob`]).
    Blob => "blob.malformed",
    /// the invitation cannot be written in the requested layout ([`Error::Write`]).
    Write => "write.unsupported",
    /// the operating system's random number generator failed ([`Error::Random`]).
    Random => "system.random",
}

impl ErrorCode {
    /// The code whose [`as_str`](ErrorCode::as_str) is `name`.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_round_trips_through_its_name() {
        let mut names = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(names.insert(code.as_str()), "{code} twice");
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
            assert_eq!(code.to_string(), code.as_str());
        }
        assert_eq!(ErrorCode::from_name("ticket"), None);
        assert_eq!(ErrorCode::from_name("XML.DOCTYPE"), None);
    }

    #[test]
    fn every_error_has_its_own_code() {
        let position = Position { line: 1, column: 1 };
        let errors = [
            Error::TooLarge { size: 2, limit: 1 },
            Error::Encoding(String::new()),
            Error::Doctype(position),
            Error::Entity {
                position,
                detail: String::new(),
            },
            Error::Malformed {
                position,
                detail: String::new(),
            },
            Error::Limit(String::new()),
            Error::Structure(String::new()),
            Error::MissingAttribute {
                element: "",
                attribute: "",
            },
            Error::InvalidAttribute {
                attribute: "",
                value: String::new(),
                reason: String::new(),
            },
            Error::RcTicket(String::new()),
            Error::LhTicket(String::new()),
            Error::ConnectionString2(String::new()),
            Error::WrongPassword,
            Error::PassStub(String::new()),
            Error::Blob(String::new()),
            Error::Write(String::new()),
            Error::Random(String::new()),
        ];
        let codes: Vec<ErrorCode> = errors.iter().map(Error::code).collect();
        assert_eq!(codes, ErrorCode::ALL);
        assert_eq!(
            Error::ConnectionString2(String::new()).code().as_str(),
            "ticket.cs2.malformed"
        );
    }
}
