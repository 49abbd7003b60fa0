//! [`FindingCode`]: the stable code of every finding, the gateway's own and the library's.

use std::fmt;

use rainv::ErrorCode;
use serde::{Serialize, Serializer};

/// Defines [`FindingCode`] from one table of variant, string and meaning, so that the enum,
/// [`FindingCode::ALL`] and [`FindingCode::as_str`] cannot disagree, and each string is written
/// once.
macro_rules! finding_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident => $name:literal,)+) => {
        /// The stable, machine-readable code of a [`Finding`](crate::Finding).
        ///
        /// Its string form ([`as_str`](FindingCode::as_str), also its `Display` and its JSON)
        /// never changes for a given code. Severities are not part of the code: `password.none`,
        /// for one, is a warning or an error depending on the policy.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FindingCode {
            /// The input could not be read, or its ticket not decrypted: the library's
            /// [`Error`](rainv::Error) says why, and its code is this finding's (such as
            /// `xml.doctype` or `password.wrong`). Always an error.
            Library(ErrorCode),
            $(
                #[doc = concat!("`", $name, "`:")]
                $(#[doc = $doc])+
                $variant,
            )+
        }

        impl FindingCode {
            /// The gateway's own codes: every variant but [`FindingCode::Library`].
            const OWN: [FindingCode; [$(FindingCode::$variant),+].len()] =
                [$(FindingCode::$variant),+];

            /// The code as reports and JSON carry it, such as `validity.expired`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    FindingCode::Library(code) => code.as_str(),
                    $(FindingCode::$variant => $name,)+
                }
            }
        }
    };
}

finding_codes! {
    /// the kind of file (`xp`, `vista`, `connection-string`) is not among the policy's
    /// formats. An error.
    FormatNotAllowed => "format.not-allowed",
    /// an attribute rainv does not know on `<UPLOADINFO>`, `<UPLOADDATA>`, or a ticket's `<T>`
    /// or `<L>`; it is kept, and its name and value checked for control characters.
    /// Information.
    UnknownAttribute => "format.unknown-attribute",
    /// the PassStub does not have the shape Windows gives it. A warning.
    PassStubUnusual => "passstub.unusual",
    /// the invitation's validity ended (unless the policy allows expired invitations). An
    /// error.
    Expired => "validity.expired",
    /// DtStart is in the future: an error when further than the policy's clock skew allows, a
    /// warning within it.
    NotYetValid => "validity.not-yet-valid",
    /// DtLength is longer than the policy allows. An error.
    ValidityTooLong => "validity.too-long",
    /// nothing protects the invitation with a password (RCTICKETENCRYPTED=0, or a bare
    /// Connection String 2): a warning, or an error when the policy requires a password.
    NoPassword => "password.none",
    /// the RCTICKET and the decrypted LHTICKET disagree (session ID, key hash, or an RCTICKET
    /// address missing from the listeners). An error.
    TicketMismatch => "ticket.mismatch",
    /// the policy restricts addresses, but the LHTICKET could not be decrypted to check its
    /// listeners (no password). An error, or a warning when the policy allows unchecked
    /// listeners.
    LhTicketUnchecked => "ticket.lh.unchecked",
    /// a Connection String 2 without KH: the expert cannot authenticate the novice's computer.
    /// A warning.
    KhMissing => "ticket.kh.missing",
    /// text from the file holds a control or bidi-override character that could drive a
    /// terminal or disguise text, or one that breaks a line or hides text (line and paragraph
    /// separators, tag characters, interlinear annotation). An error.
    ControlCharacters => "text.control-characters",
    /// USERNAME holds a character that shows as nothing though it is there (a zero-width
    /// joiner or space, a filler, a soft hyphen): names in some scripts need joiners, so a
    /// warning.
    InvisibleCharacters => "text.invisible",
    /// an address the expert would connect to is outside the policy's allowed networks and
    /// host names. An error.
    AddressNotAllowed => "address.not-allowed",
    /// an address (a listener's N or U, an RCTICKET host) is not one Windows writes: a zone on
    /// an IPv4 address, characters no host name has, a number spelt as Windows reads it but
    /// never writes it, a URI other than ws:// or wss://. An error, whatever the allowlist.
    AddressMalformed => "address.malformed",
    /// (mail) a message forwarded deeper than [`MAX_NESTING`](crate::MAX_NESTING) levels, which
    /// was not searched for invitations. An error.
    MailTooDeep => "mail.too-deep",
    /// (mail) a part that may carry an invitation but that rainv cannot open: a TNEF
    /// (winmail.dat) part, or one that looks like a forwarded message and does not read as
    /// one. An error: what was not inspected is never reported as clean.
    MailNotInspected => "mail.not-inspected",
    /// (archives) an archive, or an entry of one, that rainv could not open: encrypted,
    /// damaged, of a kind it does not read (RAR, cabinet, disk images, Outlook messages). An
    /// error, or a warning when the policy allows what is not inspected.
    ArchiveNotInspected => "archive.not-inspected",
    /// (archives) opening an archive went over one of the policy's bounds (size, total bytes,
    /// entries, depth, compression ratio, time); what is beyond it was not inspected. An
    /// error.
    ArchiveLimit => "archive.limit",
    /// (archives) a file given to the gateway is an archive with no invitation inside.
    /// Information.
    ArchiveNoInvitation => "archive.no-invitation",
}

impl FindingCode {
    /// Every code: the library's ([`FindingCode::Library`] of each [`ErrorCode`]), then the
    /// gateway's own.
    pub const ALL: [FindingCode; ErrorCode::ALL.len() + FindingCode::OWN.len()] = {
        let mut all = [FindingCode::MailTooDeep; ErrorCode::ALL.len() + FindingCode::OWN.len()];
        let mut i = 0;
        while i < ErrorCode::ALL.len() {
            all[i] = FindingCode::Library(ErrorCode::ALL[i]);
            i += 1;
        }
        let mut j = 0;
        while j < FindingCode::OWN.len() {
            all[i + j] = FindingCode::OWN[j];
            j += 1;
        }
        all
    };

    /// The code whose [`as_str`](FindingCode::as_str) is `name`.
    pub fn from_name(name: &str) -> Option<FindingCode> {
        FindingCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl From<ErrorCode> for FindingCode {
    fn from(code: ErrorCode) -> FindingCode {
        FindingCode::Library(code)
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its string ([`as_str`](FindingCode::as_str)).
impl Serialize for FindingCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_and_round_trips_through_its_name() {
        let mut names = std::collections::BTreeSet::new();
        for code in FindingCode::ALL {
            assert!(names.insert(code.as_str()), "{code} twice");
            assert_eq!(FindingCode::from_name(code.as_str()), Some(code));
            assert_eq!(code.to_string(), code.as_str());
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
        }
        assert_eq!(names.len(), FindingCode::ALL.len());
        assert_eq!(FindingCode::from_name("validity"), None);
        assert_eq!(FindingCode::from_name("Validity.Expired"), None);
    }

    #[test]
    fn all_holds_every_library_code_and_every_own_code() {
        for code in ErrorCode::ALL {
            assert!(
                FindingCode::ALL.contains(&FindingCode::from(code)),
                "{code}"
            );
            assert_eq!(FindingCode::from(code).as_str(), code.as_str());
        }
        for code in FindingCode::OWN {
            assert!(FindingCode::ALL.contains(&code), "{code}");
        }
        assert_eq!(
            FindingCode::ALL.len(),
            ErrorCode::ALL.len() + FindingCode::OWN.len()
        );
    }
}
