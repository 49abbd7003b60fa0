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
//! assert_eq!(invitation.username, "jeff");
//! let rc = invitation.rc_ticket.as_ref().unwrap();
//! assert_eq!(rc.addresses[1].host, "jeff_xp");
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
//! let pass = pass_stub::encrypt(&password, invitation.pass_stub.as_deref().unwrap());
//! assert!(pass_stub::verify(&password, invitation.pass_stub.as_deref().unwrap(), &pass)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//! - [`invitation`]: the file, reading and writing ([`read`], [`Invitation`], [`Layout`]).
//! - [`connection_string1`], [`connection_string2`]: the two tickets.
//! - [`crypto`]: AES ticket encryption, key derivation, the PassStub RC4 blob.
//! - [`pass_stub`], [`blob`], [`generate`], [`validity`]: the smaller pieces of the protocol.
//!
//! The mail-gateway verdict on untrusted bytes and e-mail is the `rainv-gateway` crate's, and
//! the `rainv` command line is the `rainv-cli` crate's.
//! - [`create`]: making a new invitation as msra.exe does.
//! - [`xml`], [`text`]: the hardened XML reader and encoding detection underneath.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod attribute;
pub mod blob;
pub mod connection_string1;
pub mod connection_string2;
pub mod create;
pub mod crypto;
pub mod error;
pub mod generate;
pub mod invitation;
pub mod pass_stub;
pub mod text;
pub mod validity;
pub mod xml;

#[cfg(test)]
mod test_support;

pub use attribute::Attribute;
pub use connection_string1::{Address, ConnectionString1};
pub use connection_string2::{ConnectionString2, HashAlgorithm, Kh2, Listener, Transport};
pub use crypto::{Password, TicketKey};
pub use error::{Error, ErrorCode, Result};
pub use invitation::{
    DecryptedTicket, Document, Generation, Invitation, Layout, LhTicket, read, ticket_disagreements,
};
pub use validity::{Status, Validity};
pub use xml::Limits;

/// The README's Rust example is compiled and run as a doc test, so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
