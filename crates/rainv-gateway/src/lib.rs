//! # rainv-gateway: the mail gateway's verdict on invitation files
//!
//! Judges untrusted bytes, and the attachments of e-mail, against a [`Policy`]: every file gets
//! a [`Report`] with a [`Verdict`] and [`Finding`]s that have stable codes ([`FindingCode`]).
//! The format itself (reading, decrypting, writing) is the `rainv` crate's; this crate decides
//! what a gateway accepts. [`read_bounded`] reads untrusted input no further than one byte past
//! the policy's size limit.
//!
//! ```
//! use rainv_gateway::{Policy, Verdict, validate};
//!
//! let bytes = std::fs::read("../../testdata/ms-rai-sample-xp.msrcincident")?;
//! let report = validate(&bytes, &Policy::default(), chrono::Utc::now());
//! assert_eq!(report.verdict, Verdict::Reject); // it expired in 2006
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod address;
mod archive;
mod code;
mod instant;
mod line;
mod mail;
mod mbox;
mod open;
mod read;
mod validate;

pub use address::{Destination, destination, uri_destination};
pub use archive::{
    ArchiveLimits, Candidate, EntryReport, file_read_limit, has_archive_name, has_invitation_name,
    inspect, inspect_file, looks_like_invitation, oversized_file,
};
/// The date and time crate of the API's signatures (`validate`'s `now`), so that callers need
/// not depend on it themselves.
pub use chrono;
pub use code::FindingCode;
pub use instant::{InstantError, parse_instant};
pub use ipnet::IpNet;
pub use line::{JSON_VERSION, ResultLine};
pub use mail::{AttachmentReport, MAX_NESTING, MAX_STRUCTURE_LINES, scan_message};
pub use mbox::{MboxMessage, MboxMessages, mbox_messages};
pub use open::{Opened, Unopened};
pub use read::{ReadOutcome, read_bounded};
pub use validate::{
    ArchivesFile, DEFAULT_MAX_VALIDITY_MINUTES, Finding, Format, Policy, PolicyError, PolicyFile,
    Report, Severity, Verdict, parse_networks, validate, validate_reader, wildcard_match,
};
