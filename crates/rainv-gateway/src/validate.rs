//! The mail-gateway verdict: judge untrusted bytes against a [`Policy`].
//!
//! [`validate`] never panics and never does I/O. It reads the file with the same hardened
//! reader as everything else, then checks what a gateway cares about: validity window, tickets
//! that agree, unprotected invitations, text that could drive a terminal, and where the expert
//! would be sent. Every finding has a stable [`Finding::code`]; any finding of severity
//! [`Severity::Error`] rejects the file.
//!
//! ```
//! use rainv_gateway::{FindingCode, Policy, Verdict, validate};
//!
//! let bytes = std::fs::read("../../testdata/ms-rai-sample-xp.msrcincident")?;
//! let report = validate(&bytes, &Policy::default(), chrono::Utc::now());
//! assert_eq!(report.verdict, Verdict::Reject); // it expired in 2006
//! assert!(report.findings.iter().any(|f| f.code == FindingCode::Expired));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::address::{Destination, destination, uri_destination};
use crate::archive::ArchiveLimits;
use crate::code::FindingCode;

use rainv::display::{is_dangerous_for_display, is_invisible, quote_value};
use rainv::{
    Attribute, ConnectionString2, Document, Error, Generation, Invitation, Limits, Password,
    Status, TicketKey, read, ticket_disagreements,
};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record only.
    Info,
    /// Worth a look; does not reject.
    Warning,
    /// Rejects the file.
    Error,
}

/// Accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding of severity error.
    Accept,
    /// At least one finding of severity error.
    Reject,
}

impl Severity {
    /// The severity as reports and JSON carry it: `info`, `warning`, `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Verdict {
    /// The verdict as reports and JSON carry it: `accept`, `reject`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Accept => "accept",
            Verdict::Reject => "reject",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing found about a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Stable machine code, such as `xml.doctype` or `validity.expired`.
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// A sentence for people. Text from the file in it is escaped.
    pub message: String,
}

/// The verdict on one file and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Accept or reject.
    pub verdict: Verdict,
    /// What the file turned out to be: `xp`, `vista`, `connection-string`, or `null` when unreadable.
    pub kind: Option<&'static str>,
    /// Everything found, in the order checked.
    pub findings: Vec<Finding>,
}

impl Report {
    /// A rejection for one reason, of input that could not be judged at all (too large to read,
    /// forwarded beyond the nesting limit): no kind, and one error finding.
    pub fn rejected(code: FindingCode, message: String) -> Report {
        Report {
            verdict: Verdict::Reject,
            kind: None,
            findings: vec![Finding {
                code,
                severity: Severity::Error,
                message,
            }],
        }
    }

    /// The rejection of input found to be larger than `limit` bytes before it was read whole
    /// (see [`read_bounded`](crate::read_bounded)): `size.too-large`, as [`validate`] gives for
    /// such input.
    pub fn too_large(size: u64, limit: usize) -> Report {
        let error = Error::TooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit,
        };
        Report::rejected(error.code().into(), error.to_string())
    }
}

/// The formats a policy may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Windows XP invitations (RCTICKET only).
    Xp,
    /// Vista-or-later invitations (LHTICKET).
    Vista,
    /// Bare Connection Strings 2.
    ConnectionString,
}

impl Format {
    /// Every format, in the order policies list them.
    pub const ALL: [Format; 3] = [Format::Xp, Format::Vista, Format::ConnectionString];

    /// The name used in policies and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xp => "xp",
            Format::Vista => "vista",
            Format::ConnectionString => "connection-string",
        }
    }

    /// The format with this [`name`](Format::name).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// What a gateway accepts. [`Policy::default`] is the recommended starting point.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Policy {
    /// Size and structure limits; `limits.max_input_bytes` is the maximum file size.
    pub limits: Limits,
    /// Longest validity (DtLength) accepted, in minutes; `None` for no limit.
    pub max_validity_minutes: Option<u64>,
    /// Accept expired invitations.
    pub allow_expired: bool,
    /// How far in the future DtStart may be (the sender's clock may run ahead), in seconds.
    pub clock_skew_seconds: u64,
    /// Formats accepted.
    pub formats: Vec<Format>,
    /// Reject invitations without password protection (RCTICKETENCRYPTED=0, bare tickets).
    pub require_password: bool,
    /// If not empty, every IP address an expert would connect to must be in one of these.
    pub allowed_networks: Vec<IpNet>,
    /// If not empty, every host name an expert would connect to must match one of these
    /// (`*` matches any run of characters; case-insensitive).
    pub allowed_hosts: Vec<String>,
    /// A password to decrypt the LHTICKET with, so its listeners can be checked and compared
    /// with the RCTICKET.
    pub password: Option<Password>,
    /// With an allowlist set, accept (with a warning) an invitation whose LHTICKET could not
    /// be decrypted to check its listeners. Off by default: Windows 10 and 11 files carry no
    /// RCTICKET, so without the password the allowlist would check nothing.
    pub allow_unchecked_listeners: bool,
    /// Bounds on opening archives, and whether what cannot be opened fails the input.
    pub archives: ArchiveLimits,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            limits: Limits::default(),
            max_validity_minutes: Some(DEFAULT_MAX_VALIDITY_MINUTES),
            allow_expired: false,
            clock_skew_seconds: 300,
            formats: vec![Format::Xp, Format::Vista, Format::ConnectionString],
            require_password: false,
            allowed_networks: Vec::new(),
            allowed_hosts: Vec::new(),
            password: None,
            allow_unchecked_listeners: false,
            archives: ArchiveLimits::default(),
        }
    }
}

/// 30 days: longer than any validity Windows offers, far shorter than a forged "forever".
pub const DEFAULT_MAX_VALIDITY_MINUTES: u64 = 30 * 24 * 60;

/// A policy file (TOML). Every key is optional; absent keys keep [`Policy::default`]'s value.
///
/// ```toml
/// max_size_bytes = 65536
/// max_validity_minutes = 1440
/// allow_expired = false
/// clock_skew_seconds = 300
/// formats = ["vista"]
/// require_password = true
/// allowed_networks = ["10.0.0.0/8", "fd00::/8"]
/// allowed_hosts = ["*.corp.example"]
/// allow_unchecked_listeners = false
///
/// [archives]
/// max_archive_bytes = 33554432
/// max_total_bytes = 134217728
/// max_entries = 10000
/// max_depth = 4
/// max_ratio = 100
/// max_milliseconds = 10000
/// allow_not_inspected = false
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyFile {
    /// Maximum file size in bytes.
    pub max_size_bytes: Option<usize>,
    /// Longest validity in minutes; 0 means no limit.
    pub max_validity_minutes: Option<u64>,
    /// Accept expired invitations.
    pub allow_expired: Option<bool>,
    /// Allowed clock skew for DtStart in the future, seconds.
    pub clock_skew_seconds: Option<u64>,
    /// Formats accepted: "xp", "vista", "connection-string".
    pub formats: Option<Vec<Format>>,
    /// Reject invitations without password protection.
    pub require_password: Option<bool>,
    /// CIDR ranges listeners must be in.
    pub allowed_networks: Option<Vec<String>>,
    /// Host name patterns listeners must match.
    pub allowed_hosts: Option<Vec<String>>,
    /// Accept, with a warning, LHTICKETs whose listeners could not be checked.
    pub allow_unchecked_listeners: Option<bool>,
    /// The `[archives]` table: bounds on opening archives.
    pub archives: Option<ArchivesFile>,
    /// The `[milter]` table: read by `rainv milter` (the `rainv-milter` crate), so that one
    /// policy file serves the milter and the command line; not used here.
    pub milter: Option<toml::Table>,
}

/// The `[archives]` table of a policy file; see [`ArchiveLimits`] for each key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ArchivesFile {
    /// Largest archive opened, in bytes.
    pub max_archive_bytes: Option<usize>,
    /// Most bytes decompressed for one file or attachment.
    pub max_total_bytes: Option<u64>,
    /// Most entries in one archive.
    pub max_entries: Option<usize>,
    /// How many archives deep entries are opened.
    pub max_depth: Option<usize>,
    /// Highest ratio of bytes out to bytes in.
    pub max_ratio: Option<u64>,
    /// Time allowed for one file or attachment, in milliseconds.
    pub max_milliseconds: Option<u64>,
    /// Report what could not be inspected as a warning instead of an error.
    pub allow_not_inspected: Option<bool>,
}

/// Why a policy could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The TOML is malformed, has a key [`PolicyFile`] does not know, or a value of the wrong
    /// type (the parser's message, which names the line).
    Toml(String),
    /// An allowed network is neither a CIDR range nor an address.
    Network(String),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::Toml(message) => f.write_str(message.trim_end()),
            PolicyError::Network(text) => {
                write!(f, "\"{text}\" is not a CIDR range such as 10.0.0.0/8")
            }
        }
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Read a policy from TOML text (see [`PolicyFile`]), starting from the defaults.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Toml(e.to_string()))?;
        let mut policy = Policy::default();
        file.apply_to(&mut policy)?;
        Ok(policy)
    }
}

impl PolicyFile {
    /// Set every value this file gives in `policy`, leaving the others as they are. A policy
    /// file is applied over the defaults, and command-line options over a policy file, this
    /// way.
    pub fn apply_to(self, policy: &mut Policy) -> Result<(), PolicyError> {
        if let Some(size) = self.max_size_bytes {
            policy.limits.max_input_bytes = size;
        }
        if let Some(minutes) = self.max_validity_minutes {
            policy.max_validity_minutes = (minutes > 0).then_some(minutes);
        }
        if let Some(allow) = self.allow_expired {
            policy.allow_expired = allow;
        }
        if let Some(skew) = self.clock_skew_seconds {
            policy.clock_skew_seconds = skew;
        }
        if let Some(formats) = self.formats {
            policy.formats = formats;
        }
        if let Some(require) = self.require_password {
            policy.require_password = require;
        }
        if let Some(networks) = self.allowed_networks {
            policy.allowed_networks = parse_networks(&networks)?;
        }
        if let Some(hosts) = self.allowed_hosts {
            policy.allowed_hosts = hosts;
        }
        if let Some(allow) = self.allow_unchecked_listeners {
            policy.allow_unchecked_listeners = allow;
        }
        if let Some(archives) = self.archives {
            let limits = &mut policy.archives;
            let ArchivesFile {
                max_archive_bytes,
                max_total_bytes,
                max_entries,
                max_depth,
                max_ratio,
                max_milliseconds,
                allow_not_inspected,
            } = archives;
            limits.max_archive_bytes = max_archive_bytes.unwrap_or(limits.max_archive_bytes);
            limits.max_total_bytes = max_total_bytes.unwrap_or(limits.max_total_bytes);
            limits.max_entries = max_entries.unwrap_or(limits.max_entries);
            limits.max_depth = max_depth.unwrap_or(limits.max_depth);
            limits.max_ratio = max_ratio.unwrap_or(limits.max_ratio);
            limits.max_milliseconds = max_milliseconds.unwrap_or(limits.max_milliseconds);
            limits.allow_not_inspected = allow_not_inspected.unwrap_or(limits.allow_not_inspected);
        }
        Ok(())
    }
}

/// Parse CIDR ranges (`10.0.0.0/8`, `fe80::/10`); a bare address means just that address.
pub fn parse_networks(texts: &[String]) -> Result<Vec<IpNet>, PolicyError> {
    texts
        .iter()
        .map(|t| {
            t.parse::<IpNet>()
                .or_else(|_| t.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| PolicyError::Network(t.clone()))
        })
        .collect()
}

/// Judge what `reader` gives against `policy` at instant `now`, reading no more than the
/// policy's size limit allows (and one byte past it, to see that the input is too large: then
/// the report is `size.too-large`). Only an I/O error is an error.
///
/// ```
/// use rainv_gateway::{Policy, Verdict, validate_reader};
///
/// let file = std::fs::File::open("../../testdata/ms-rai-sample-xp.msrcincident")?;
/// let report = validate_reader(file, &Policy::default(), rainv_gateway::chrono::Utc::now())?;
/// assert_eq!(report.verdict, Verdict::Reject); // it expired in 2006
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn validate_reader(
    reader: impl std::io::Read,
    policy: &Policy,
    now: DateTime<Utc>,
) -> std::io::Result<Report> {
    let limit = policy.limits.max_input_bytes;
    let mut bytes = Vec::new();
    Ok(
        match crate::read::read_bounded(reader, limit, None, &mut bytes)? {
            crate::read::ReadOutcome::Complete => validate(&bytes, policy, now),
            crate::read::ReadOutcome::TooLarge { size } => Report::too_large(size, limit),
        },
    )
}

/// Judge `bytes` against `policy` at instant `now`.
pub fn validate(bytes: &[u8], policy: &Policy, now: DateTime<Utc>) -> Report {
    let mut findings = Vec::new();
    let kind = check(bytes, policy, now, &mut findings);
    let verdict = if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Reject
    } else {
        Verdict::Accept
    };
    Report {
        verdict,
        kind,
        findings,
    }
}

fn push(findings: &mut Vec<Finding>, code: FindingCode, severity: Severity, message: String) {
    findings.push(Finding {
        code,
        severity,
        message,
    });
}

fn from_error(findings: &mut Vec<Finding>, error: &Error) {
    push(
        findings,
        error.code().into(),
        Severity::Error,
        error.to_string(),
    );
}

fn check(
    bytes: &[u8],
    policy: &Policy,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) -> Option<&'static str> {
    let document = match read(bytes, &policy.limits) {
        Ok(document) => document,
        Err(error) => {
            from_error(findings, &error);
            return None;
        }
    };
    let format = match &document {
        Document::Invitation(inv) if inv.generation() == Generation::Xp => Format::Xp,
        Document::Invitation(_) => Format::Vista,
        Document::ConnectionString(_) => Format::ConnectionString,
    };
    if !policy.formats.contains(&format) {
        push(
            findings,
            FindingCode::FormatNotAllowed,
            Severity::Error,
            format!("{} files are not accepted by this policy", format.name()),
        );
    }
    match &document {
        Document::ConnectionString(cs) => {
            no_password(
                policy,
                "a bare Connection String 2 is not password-protected",
                findings,
            );
            check_connection_string(cs, "the ticket", policy, findings);
        }
        Document::Invitation(inv) => check_invitation(inv, policy, now, findings),
    }
    Some(format.name())
}

fn check_invitation(
    inv: &Invitation,
    policy: &Policy,
    now: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) {
    if check_text(inv.username(), "USERNAME", findings)
        && let Some(c) = inv.username().chars().find(|&c| is_invisible(c))
    {
        push(
            findings,
            FindingCode::InvisibleCharacters,
            Severity::Warning,
            format!(
                "USERNAME holds U+{:04X}, which shows as nothing (\"{}\"): the name may not be what it looks like",
                u32::from(c),
                quote_value(inv.username())
            ),
        );
    }
    if let Some(stub) = inv.pass_stub() {
        check_text(stub, "PassStub", findings);
        if let Err(e) = rainv::pass_stub::check_shape(stub) {
            push(
                findings,
                FindingCode::PassStubUnusual,
                Severity::Warning,
                format!("{e}; Windows never writes such a PassStub"),
            );
        }
    }
    unknown_attributes(&inv.upload_info_attributes, "UPLOADINFO", findings);
    unknown_attributes(&inv.unknown_attributes, "UPLOADDATA", findings);

    // Validity.
    let v = inv.validity;
    let now_seconds = i128::from(now.timestamp());
    match v.status_at(now) {
        Status::Expired if !policy.allow_expired => push(
            findings,
            FindingCode::Expired,
            Severity::Error,
            format!(
                "the invitation expired {}",
                rainv::display::describe_ago(now_seconds - v.end_seconds())
            ),
        ),
        Status::NotYetValid => {
            // Within the skew the sender's clock may just run ahead: worth a word, not a
            // rejection.
            let ahead = v.start_seconds() - now_seconds;
            let (severity, than) = if ahead > i128::from(policy.clock_skew_seconds) {
                (Severity::Error, "more than")
            } else {
                (Severity::Warning, "within")
            };
            push(
                findings,
                FindingCode::NotYetValid,
                severity,
                format!(
                    "the invitation is not valid yet: DtStart is {} in the future, {than} the {} s of clock skew allowed",
                    rainv::display::describe_duration(ahead),
                    policy.clock_skew_seconds
                ),
            )
        }
        _ => {}
    }
    if let Some(max) = policy.max_validity_minutes
        && v.length_minutes > max
    {
        push(
            findings,
            FindingCode::ValidityTooLong,
            Severity::Error,
            format!(
                "DtLength is {} minutes, more than the {max} this policy allows",
                v.length_minutes
            ),
        );
    }

    // Password protection.
    if !inv.rc_ticket_encrypted {
        no_password(
            policy,
            "the invitation has no password (RCTICKETENCRYPTED=0)",
            findings,
        );
    }

    // The tickets.
    if let Some(rc) = &inv.rc_ticket {
        for address in rc.addresses() {
            check_address(address.host, "RCTICKET", policy, findings);
        }
    }
    let decrypted = match (&inv.lh_ticket, &policy.password) {
        (Some(lh), Some(password)) => {
            match lh.decrypt_with_key(&TicketKey::derive(password), &policy.limits) {
                Ok(ticket) => Some(ticket),
                Err(error) => {
                    from_error(findings, &error);
                    None
                }
            }
        }
        (Some(_), None) if has_allowlist(policy) => {
            let (severity, consequence) = if policy.allow_unchecked_listeners {
                (Severity::Warning, "accepted as the policy allows")
            } else {
                (
                    Severity::Error,
                    "give the password, or allow unchecked listeners in the policy to accept the risk",
                )
            };
            push(
                findings,
                FindingCode::LhTicketUnchecked,
                severity,
                format!(
                    "the LHTICKET's listeners could not be checked against the allowed addresses without the password: {consequence}"
                ),
            );
            None
        }
        _ => None,
    };
    if let Some(ticket) = &decrypted {
        check_connection_string(ticket.connection(), "the LHTICKET", policy, findings);
        if let Some(rc) = &inv.rc_ticket {
            for difference in ticket_disagreements(rc, ticket.connection()) {
                push(
                    findings,
                    FindingCode::TicketMismatch,
                    Severity::Error,
                    format!("RCTICKET and LHTICKET disagree: {difference}"),
                );
            }
        }
    }
}

fn check_connection_string(
    cs: &ConnectionString2,
    what: &str,
    policy: &Policy,
    findings: &mut Vec<Finding>,
) {
    if cs.kh().is_none() {
        push(
            findings,
            FindingCode::KhMissing,
            Severity::Warning,
            format!("{what} has no KH: the expert cannot authenticate the novice's computer"),
        );
    }
    for extra in cs.extra() {
        check_text(&extra.name, what, findings);
        // Values such as Windows 10's certificate (CE) are wrapped with line breaks.
        check_text_lines(&extra.value, what, findings);
    }
    for transport in cs.transports() {
        unknown_attributes(transport.extra, "T", findings);
    }
    // An address with a control character is reported for that alone.
    for listener in cs.listeners() {
        unknown_attributes(listener.extra, "L", findings);
        if check_text(listener.address, what, findings) {
            check_address(listener.address, what, policy, findings);
        }
        if let Some(uri) = listener.uri
            && check_text(uri, what, findings)
        {
            check_destination(uri_destination(uri), uri, what, policy, findings);
        }
    }
}

/// `format.unknown-attribute` for each attribute of `element` that Windows does not write, and
/// `text.control-characters` for one whose name or value could drive a terminal.
fn unknown_attributes(attributes: &[Attribute], element: &str, findings: &mut Vec<Finding>) {
    for unknown in attributes {
        let what = format!("attribute {} on <{element}>", quote_value(&unknown.name));
        check_text(&unknown.name, &what, findings);
        check_text(&unknown.value, &what, findings);
        push(
            findings,
            FindingCode::UnknownAttribute,
            Severity::Info,
            format!("unknown {what}"),
        );
    }
}

/// `password.none`: an error when the policy requires protection, else a warning.
fn no_password(policy: &Policy, message: &str, findings: &mut Vec<Finding>) {
    let severity = if policy.require_password {
        Severity::Error
    } else {
        Severity::Warning
    };
    push(
        findings,
        FindingCode::NoPassword,
        severity,
        message.to_string(),
    );
}

/// `text.control-characters` if `text` holds a character that could drive a terminal or
/// disguise text; `true` if it holds none.
fn check_text(text: &str, what: &str, findings: &mut Vec<Finding>) -> bool {
    report_dangerous(text, what, is_dangerous_for_display, findings)
}

/// As [`check_text`], but line breaks and tabs are allowed.
fn check_text_lines(text: &str, what: &str, findings: &mut Vec<Finding>) {
    let dangerous = |c: char| is_dangerous_for_display(c) && !matches!(c, '\n' | '\r' | '\t');
    let _clean = report_dangerous(text, what, dangerous, findings);
}

/// Whether `text` is free of `dangerous` characters; if not, the finding that says so.
fn report_dangerous(
    text: &str,
    what: &str,
    dangerous: impl Fn(char) -> bool,
    findings: &mut Vec<Finding>,
) -> bool {
    let found = first_dangerous(text, dangerous);
    if let Some(c) = found {
        push(
            findings,
            FindingCode::ControlCharacters,
            Severity::Error,
            format!(
                "{what} holds character U+{:04X} (\"{}\"), which can drive a terminal, break a line, or disguise or hide text",
                u32::from(c),
                quote_value(text)
            ),
        );
    }
    found.is_none()
}

/// `text.chars().find(dangerous)`, for a `dangerous` that holds of an ASCII character only if
/// it is a control (as [`is_dangerous_for_display`] and its variants do): ASCII runs are
/// skipped a byte at a time without decoding characters. A certificate in a ticket is 1 KB.
fn first_dangerous(text: &str, dangerous: impl Fn(char) -> bool) -> Option<char> {
    // Printable ASCII is 0x20..=0x7E.
    let special = |b: u8| b.wrapping_sub(0x20) > 0x5E;
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        let rest = bytes.get(at..)?;
        // Whole blocks of printable ASCII first, checked without branches (vectorised).
        let clean = rest
            .chunks_exact(16)
            .take_while(|block| block.iter().fold(0u8, |any, &b| any | u8::from(special(b))) == 0)
            .count()
            * 16;
        at += clean + rest.get(clean..)?.iter().position(|&b| special(b))?;
        let b = bytes[at];
        if b >= 0x80 {
            // All before is ASCII, so this is a character boundary.
            return text.get(at..)?.chars().find(|&c| dangerous(c));
        }
        if dangerous(char::from(b)) {
            return Some(char::from(b));
        }
        at += 1;
    }
}

fn has_allowlist(policy: &Policy) -> bool {
    !policy.allowed_networks.is_empty() || !policy.allowed_hosts.is_empty()
}

fn check_address(host: &str, what: &str, policy: &Policy, findings: &mut Vec<Finding>) {
    check_destination(destination(host), host, what, policy, findings);
}

/// `address.malformed` for an address [`destination`] refused, whatever the policy; else,
/// with an allowlist, `address.not-allowed` unless an IP address is in an allowed network or a
/// host name matches an allowed pattern.
fn check_destination(
    read: Result<Destination, String>,
    text: &str,
    what: &str,
    policy: &Policy,
    findings: &mut Vec<Finding>,
) {
    let destination = match read {
        Ok(destination) => destination,
        Err(why) => {
            push(
                findings,
                FindingCode::AddressMalformed,
                Severity::Error,
                format!("{what} sends the expert to an address no Windows writes: {why}"),
            );
            return;
        }
    };
    if !has_allowlist(policy) {
        return;
    }
    let allowed = match &destination {
        Destination::Ip(ip) => policy.allowed_networks.iter().any(|net| net.contains(ip)),
        Destination::Name(name) => policy
            .allowed_hosts
            .iter()
            .any(|pattern| wildcard_match(pattern, name)),
    };
    if !allowed {
        push(
            findings,
            FindingCode::AddressNotAllowed,
            Severity::Error,
            format!(
                "{what} sends the expert to {}, outside the allowed ranges and host names",
                quote_value(text)
            ),
        );
    }
}

/// Case-insensitive match of `text` against `pattern`, where `*` matches any run of
/// characters. Linear in practice, O(pattern × text) at worst.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let (mut pi, mut ti) = (0, 0);
    // The last star seen: where the pattern goes on after it, and where in the text the
    // characters it has swallowed end.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            pi += 1;
            star = Some((pi, ti));
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((after_star, swallowed)) = star {
            // The star swallows one more character; the rest of the pattern starts again.
            pi = after_star;
            ti = swallowed + 1;
            star = Some((after_star, ti));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_dangerous_character_as_a_character_search_does() {
        let lines = |c: char| is_dangerous_for_display(c) && !matches!(c, '\n' | '\r' | '\t');
        for text in [
            "",
            "plain ASCII text",
            "a\nb",
            "a\u{7f}b",
            "caf\u{e9}\u{1b}",
            "x\u{202E}y\u{1b}",
            "\u{FEFF}",
            "\tMIIC\nAAAA\r\n\u{85}",
            "\u{e9}\u{e8}\n\u{0}",
            "0123456789abcdef0123456789\u{1b}",
            "0123456789abcdef0123\u{e9}xyz\u{202E}",
            "0123456789abcdef0123456789abcdef\n0123456789abcdef\u{7f}",
            &format!(
                "{}\u{1b}",
                "MIIC4jCCAcqgAwIBAgIQV4C9WhK7GZ9I9f7v7U9leDANBgkqhkiG9w0BAQsFADAa\n".repeat(16)
            ),
        ] {
            assert_eq!(
                first_dangerous(text, is_dangerous_for_display),
                text.chars().find(|&c| is_dangerous_for_display(c)),
                "{text:?}"
            );
            assert_eq!(
                first_dangerous(text, lines),
                text.chars().find(|&c| lines(c)),
                "{text:?}"
            );
        }
        // The assumption: an ASCII character is dangerous only if it is a control.
        for b in 0..0x80u8 {
            assert_eq!(
                is_dangerous_for_display(char::from(b)),
                b < 0x20 || b == 0x7F
            );
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*.corp.example", "pc1.CORP.example"));
        assert!(!wildcard_match("*.corp.example", "corp.example.evil"));
        assert!(wildcard_match("pc-*", "pc-12"));
        assert!(wildcard_match("*", "anything"));
        assert!(!wildcard_match("a*b*c", "aXbY"));
        // Backtracking: the first candidate for the part after a star is not the right one.
        assert!(wildcard_match("*ab", "aab"));
        assert!(wildcard_match("*.corp.example", "a.b.corp.example"));
        assert!(wildcard_match("a*b*c", "abXbYc"));
        assert!(!wildcard_match("*ab", "aba"));
        assert!(wildcard_match("**", ""));
        assert!(!wildcard_match("a", ""));
    }

    #[test]
    fn verdicts_and_severities_display_as_their_json() {
        for verdict in [Verdict::Accept, Verdict::Reject] {
            let json = serde_json::to_string(&verdict).unwrap();
            assert_eq!(json, format!("\"{verdict}\""));
        }
        for severity in [Severity::Info, Severity::Warning, Severity::Error] {
            let json = serde_json::to_string(&severity).unwrap();
            assert_eq!(json, format!("\"{severity}\""));
        }
    }

    #[test]
    fn validate_reader_reads_to_the_limit_and_judges_as_validate() {
        let policy = Policy::default();
        let bytes =
            b"<E><A KH=\"BNRjdu97DyczQSRuMRrDWoue+HA=\" ID=\"x\"/><C><T ID=\"1\" SID=\"0\">\
                      <L P=\"3389\" N=\"192.0.2.1\"/></T></C></E>";
        let now = DateTime::UNIX_EPOCH;
        assert_eq!(
            validate_reader(&bytes[..], &policy, now).unwrap(),
            validate(bytes, &policy, now)
        );
        let mut small = Policy::default();
        small.limits.max_input_bytes = 10;
        let report = validate_reader(&bytes[..], &small, now).unwrap();
        assert_eq!(report, Report::too_large(11, 10));
    }

    #[test]
    fn policy_from_toml() {
        let p = Policy::from_toml(
            "formats = [\"vista\"]\nallowed_networks = [\"10.0.0.0/8\", \"fe80::1\"]\nmax_validity_minutes = 0\n",
        )
        .unwrap();
        assert_eq!(p.formats, vec![Format::Vista]);
        assert_eq!(p.allowed_networks.len(), 2);
        assert_eq!(p.max_validity_minutes, None);
        let error = Policy::from_toml("bogus = 1").unwrap_err();
        assert!(matches!(&error, PolicyError::Toml(m) if m.contains("unknown field `bogus`")));
        let error = Policy::from_toml("allowed_networks = [\"10.0.0.0/33\"]").unwrap_err();
        assert_eq!(error, PolicyError::Network("10.0.0.0/33".into()));
        assert_eq!(
            error.to_string(),
            "\"10.0.0.0/33\" is not a CIDR range such as 10.0.0.0/8"
        );
        // Every key, each away from its default.
        let p = Policy::from_toml(
            "max_size_bytes = 1000\nmax_validity_minutes = 60\nallow_expired = true\n\
             clock_skew_seconds = 7\nformats = [\"xp\", \"connection-string\"]\n\
             require_password = true\nallowed_networks = [\"192.0.2.0/24\"]\n\
             allowed_hosts = [\"*.corp.example\"]\n",
        )
        .unwrap();
        assert_eq!(p.limits.max_input_bytes, 1000);
        assert_eq!(p.max_validity_minutes, Some(60));
        assert!(p.allow_expired);
        assert_eq!(p.clock_skew_seconds, 7);
        assert_eq!(p.formats, [Format::Xp, Format::ConnectionString]);
        assert!(p.require_password);
        assert_eq!(
            p.allowed_networks,
            parse_networks(&["192.0.2.0/24".into()]).unwrap()
        );
        assert_eq!(p.allowed_hosts, ["*.corp.example"]);
        // Nothing given: the defaults.
        let (p, d) = (Policy::from_toml("").unwrap(), Policy::default());
        assert_eq!(p.limits.max_input_bytes, d.limits.max_input_bytes);
        assert_eq!(p.max_validity_minutes, d.max_validity_minutes);
        assert_eq!(p.allow_expired, d.allow_expired);
        assert_eq!(p.clock_skew_seconds, d.clock_skew_seconds);
        assert_eq!(p.formats, d.formats);
        assert_eq!(p.require_password, d.require_password);
    }

    #[test]
    fn unknown_format_names() {
        assert_eq!(Format::from_name("Vista"), None);
        assert_eq!(Format::from_name(""), None);
    }

    #[test]
    fn format_names_are_the_policy_names() {
        for (format, name) in [
            (Format::Xp, "xp"),
            (Format::Vista, "vista"),
            (Format::ConnectionString, "connection-string"),
        ] {
            assert_eq!(format.name(), name);
            assert_eq!(Format::from_name(name), Some(format));
            let policy = Policy::from_toml(&format!("formats = [\"{name}\"]")).unwrap();
            assert_eq!(policy.formats, [format]);
        }
    }
}
