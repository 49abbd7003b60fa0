//! # rainv-milter: invitations judged inside the mail flow
//!
//! A milter (protocol version 6, as Postfix and Sendmail speak it) that hands every message to
//! the gateway's [`scan_message`](rainv_gateway::scan_message), exactly as `rainv scan-mail`
//! does, and acts on the verdict: reject the message at the end of `DATA`, quarantine it (a
//! Postfix hold), tag it with an `X-Rainv-Verdict` header, or let it through. `rainv milter`
//! runs it; docs/milter.md is the operator's guide.
//!
//! The async runtime lives here, not in the library or the gateway: [`run`] builds it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod config;
mod decision;
mod milter;
mod server;
mod text;

pub use config::{Action, Listen, MilterConfig, MilterFile, OnError, Oversize};
pub use decision::{Decision, Disposition, decide};
pub use server::{Settings, run};
pub use text::{header_value, reply_text};
