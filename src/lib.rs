//! # rainv: Windows Remote Assistance invitation files
//!
//! Reads every `.msrcincident` Windows has written (XP's RCTICKET files, Vista-and-later
//! LHTICKET files, bare Connection Strings 2), decrypts and encrypts their tickets exactly as
//! Windows does, and writes files Windows accepts. Hostile input gets an [`Error`], never a
//! panic, and never network or file access.
//!
//! ## Reading
//! ```
//! use rainv::{Invitation, Status};
//!
//! let bytes = std::fs::read("testdata/ms-rai-sample-xp.msrcincident")?;
//! let invitation = Invitation::from_bytes(&bytes)?;
//! assert_eq!(invitation.username(), "jeff");
//! let rc = invitation.rc_ticket.as_ref().unwrap();
//! assert_eq!(rc.addresses().nth(1).unwrap().host, "jeff_xp");
//! // Made in 2006 for one hour: long expired.
//! assert_eq!(invitation.validity.status_at(chrono::Utc::now()), Status::Expired);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Decrypting, and the expert's password proof
//! ```
//! use rainv::{Invitation, Password, pass_stub};
//!
//! let bytes = std::fs::read("testdata/example.msrcincident")?;
//! let password = Password::new(std::fs::read_to_string("testdata/example.password")?.trim_end());
//! let invitation = Invitation::from_bytes(&bytes)?;
//! let ticket = invitation.decrypt(&password)?.expect("a Vista-style file has an LHTICKET");
//! println!("connect to {:?}", ticket.connection().listeners().next());
//!
//! // What an expert who knows the password sends back:
//! let pass = pass_stub::encrypt(&password, invitation.pass_stub().unwrap());
//! assert!(pass_stub::verify(&password, invitation.pass_stub().unwrap(), &pass)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## What is where
//! - Reading: [`read`] gives a [`Document`]: an [`Invitation`] or a bare [`ConnectionString2`];
//!   [`Limits`] bound every structure. Writing: [`Invitation::to_bytes`] in a [`Layout`].
//! - The tickets: [`ConnectionString1`] (RCTICKET), [`LhTicket`] and its [`DecryptedTicket`].
//! - Secrets: [`Password`], [`TicketKey`]; the PassStub proof in [`pass_stub`].
//! - Making new invitations: [`NewInvitation`], with random values from [`generate`].
//! - [`Validity`] (DtStart, DtLength) and its [`Status`].
//! - The expert's and novice's property blobs: [`blob`].
//! - Showing text taken from a file safely: [`display`].
//!
//! Every writer checks what the readers check: what `to_bytes`, `to_text` and the blob
//! formatters accept reads back equal.
//!
//! The mail-gateway verdict on untrusted bytes and e-mail is the `rainv-gateway` crate's, and
//! the `rainv` command line is the `rainv-cli` crate's.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod attribute;
pub mod blob;
mod connection_string1;
mod connection_string2;
mod create;
mod crypto;
mod error;
pub mod generate;
mod invitation;
pub mod pass_stub;
mod scan;
mod text;
mod validity;
#[cfg(feature = "serde")]
pub mod view;
mod xml;

#[cfg(test)]
mod test_support;

/// The hand-written cipher reference the integration tests use, for the unit tests of what is
/// not public.
#[cfg(test)]
#[path = "../tests/common/reference.rs"]
#[allow(dead_code, unreachable_pub)]
mod reference;

pub use attribute::Attribute;
/// The date and time crate of the API's signatures (`Validity::status_at`, `valid_until`), so
/// that callers need not depend on it themselves.
pub use chrono;
pub use connection_string1::{Address, AddressRef, Addresses, ConnectionString1};
pub use connection_string2::{
    ConnectionString2, HashAlgorithm, Kh2, Listener, ListenerRef, Listeners, Transport,
    TransportRef, Transports,
};
pub use create::NewInvitation;
pub use crypto::{Password, TicketKey};
pub use error::{Error, ErrorCode, Position, Result};
pub use invitation::{
    DecryptedTicket, Document, Generation, Invitation, Layout, LhTicket, read, ticket_disagreements,
};
pub use text::{SourceEncoding, decode_document};
pub use validity::{Status, Validity};
pub use xml::Limits;

/// Showing text taken from a file: what could drive a terminal or reorder displayed text is
/// escaped.
pub mod display {
    pub use crate::error::quote_value;
    pub use crate::text::{
        escape_controls, escape_for_display, is_dangerous_for_display, is_invisible,
    };
    pub use crate::validity::{describe_ago, describe_duration};
}

/// Hooks for the fuzz targets, which `cargo fuzz` builds with `--cfg fuzzing`: internals a
/// target compares that are not public API.
#[cfg(fuzzing)]
pub mod fuzzing {
    /// Both XML token sources (quick-xml, and the scanner for text as Windows writes it) give
    /// the same tokens and the same error for `data`, decoded as rainv decodes files; panics
    /// if not.
    pub fn token_sources_agree(data: &[u8]) {
        crate::xml::differential::sources_agree_on(data);
    }
}

/// The README's Rust example is compiled and run as a doc test, so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
