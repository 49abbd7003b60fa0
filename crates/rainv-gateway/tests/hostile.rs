//! The gateway against hostile input, and against genuine files.
//!
//! * Every file in testdata/hostile (see its README.md) is rejected by `validate` with the
//!   finding code its name starts with, and nothing else rejects it; `.eml` cases go through
//!   `scan_message`. No input panics.
//! * Inputs too big to commit are generated here: oversized files, huge attributes and tickets,
//!   deep nesting, floods of comments and references. Each is judged in bounded time.
//! * A DOCTYPE naming local files and local network services is refused without any file or
//!   network access.
//! * Every genuine file (testdata samples, Windows files from ../shared/interop) is accepted at
//!   an instant inside its validity window, with and without its password.
//!
//! Policy: `Policy::default()` plus the corpus password `HOSTILE12345`, except for the few codes
//! only a stricter policy produces ([`policy_for`]; the same table is in the corpus README).
//! Clock: 2024-01-03T15:00:00Z.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rainv::{Invitation, LhTicket, Password, ticket_disagreements};
use rainv_gateway::{Candidate, inspect, scan_message};
use rainv_gateway::{
    FindingCode, Format, Policy, Report, Severity, Verdict, parse_networks, validate,
};

/// The password every LHTICKET of the corpus is encrypted with.
const PASSWORD: &str = "HOSTILE12345";
/// 2024-01-03T15:00:00Z, the instant the corpus is judged at.
const NOW: i64 = 1_704_294_000;

/// Every code a corpus file name may start with: a typo in a name must not pass silently.
const KNOWN_CODES: &[&str] = &[
    "size.too-large",
    "text.encoding",
    "text.control-characters",
    "xml.doctype",
    "xml.entity",
    "xml.malformed",
    "xml.limit",
    "format.structure",
    "format.missing-attribute",
    "format.invalid-attribute",
    "format.not-allowed",
    "ticket.rc.malformed",
    "ticket.lh.malformed",
    "ticket.cs2.malformed",
    "ticket.mismatch",
    "password.wrong",
    "password.none",
    "validity.expired",
    "validity.not-yet-valid",
    "validity.too-long",
    "address.not-allowed",
    "address.malformed",
    "mail.too-deep",
    "mail.not-inspected",
    "archive.not-inspected",
    "archive.limit",
];

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW, 0).unwrap()
}

fn at(seconds: u64) -> DateTime<Utc> {
    DateTime::from_timestamp(i64::try_from(seconds).unwrap(), 0).unwrap()
}

/// The policy a case is judged under, decided by its expected code alone.
///
/// | code | instead of the default |
/// | --- | --- |
/// | `password.none` | `require_password` |
/// | `size.too-large` | maximum size 4096 bytes |
/// | `address.not-allowed` | listeners must be in 192.0.2.0/24 or be named `DEMO-PC` |
/// | `format.not-allowed` | only Vista-or-later invitations |
fn policy_for(code: &str) -> Policy {
    let mut policy = Policy::default();
    policy.password = Some(Password::new(PASSWORD));
    match code {
        "password.none" => policy.require_password = true,
        "size.too-large" => policy.limits.max_input_bytes = 4096,
        "address.not-allowed" => {
            policy.allowed_networks = parse_networks(&["192.0.2.0/24".to_string()]).unwrap();
            policy.allowed_hosts = vec!["DEMO-PC".to_string()];
        }
        "format.not-allowed" => policy.formats = vec![Format::Vista],
        _ => {}
    }
    policy
}

/// The special codes of [`policy_for`].
const SPECIAL_CODES: [&str; 4] = [
    "password.none",
    "size.too-large",
    "address.not-allowed",
    "format.not-allowed",
];

fn hostile_dir() -> PathBuf {
    common::root().join("testdata/hostile")
}

/// The corpus: (file name, expected code), sorted; the names checked against the README and
/// the expected list ([`common::hostile_corpus`]), the codes against [`KNOWN_CODES`].
fn corpus() -> Vec<(String, String)> {
    let cases = common::hostile_corpus();
    for (name, code) in &cases {
        assert!(
            KNOWN_CODES.contains(&code.as_str()),
            "{name}: unknown finding code {code}"
        );
    }
    cases
}

fn describe(report: &Report) -> String {
    report
        .findings
        .iter()
        .map(|f| format!("{}({:?}): {}", f.code, f.severity, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why `report` is not a rejection for exactly `code` (an error finding with that code, and no
/// error finding with another), or `None` when it is.
fn wrong(report: &Report, code: &str) -> Option<String> {
    let has = report
        .findings
        .iter()
        .any(|f| f.code.as_str() == code && f.severity == Severity::Error);
    let others: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.code.as_str() != code)
        .map(|f| f.code.as_str())
        .collect();
    if report.verdict == Verdict::Reject && has && others.is_empty() {
        None
    } else {
        Some(format!(
            "expected reject with {code} only, got {:?}: [{}]",
            report.verdict,
            describe(report)
        ))
    }
}

fn judge_case(name: &str, code: &str, bytes: &[u8]) -> Vec<String> {
    let policy = policy_for(code);
    let mut problems = Vec::new();
    if name.ends_with(".eml") {
        match scan_message(bytes, &policy, now()) {
            Err(e) => problems.push(format!("{name}: not read as mail: {e}")),
            Ok(reports) if reports.is_empty() => problems.push(format!(
                "{name}: scan_message found no invitation in the message"
            )),
            Ok(reports) => {
                for r in reports {
                    if let Some(why) = wrong(&r.report, code) {
                        problems.push(format!("{name} (attachment {}): {why}", r.attachment));
                    }
                }
            }
        }
    } else if !name.ends_with(".msrcincident") {
        // An archive (or what claims to be one), judged as `rainv check` judges a file.
        let reports = inspect(&[name], bytes, Candidate::Always, &policy, now());
        if reports.is_empty() {
            problems.push(format!("{name}: inspect gave no report"));
        }
        for r in reports {
            if let Some(why) = wrong(&r.report, code) {
                problems.push(format!("{name} (inside {:?}): {why}", r.inside));
            }
        }
    } else if let Some(why) = wrong(&validate(bytes, &policy, now()), code) {
        problems.push(format!("{name}: {why}"));
    }
    problems
}

#[test]
fn every_hostile_case_is_rejected_with_its_code() {
    let cases = corpus();
    let mut problems = Vec::new();
    for (name, code) in &cases {
        let bytes = fs::read(hostile_dir().join(name)).unwrap();
        match catch_unwind(AssertUnwindSafe(|| judge_case(name, code, &bytes))) {
            Ok(p) => problems.extend(p),
            Err(_) => problems.push(format!("{name}: PANIC")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} hostile cases are not rejected as their name says:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn every_code_the_gateway_can_reject_with_has_a_case() {
    let cases = corpus();
    for code in KNOWN_CODES {
        assert!(
            cases.iter().any(|(_, c)| c == code),
            "no hostile case for {code}"
        );
    }
}

#[test]
fn the_corpus_readme_lists_every_case() {
    let readme = fs::read_to_string(hostile_dir().join("README.md")).unwrap();
    for (name, code) in corpus() {
        assert!(
            readme.contains(&format!("| `{name}` | `{code}` |")),
            "README.md does not list {name}"
        );
    }
    for code in SPECIAL_CODES {
        assert!(
            readme.contains(&format!("| `{code}` |")),
            "README.md does not document the policy for {code}"
        );
    }
}

/// The valid files the cases are made from: each case is one defect away from them, so they
/// must be accepted, also under the stricter policies of the special codes.
#[test]
fn the_baselines_are_accepted() {
    let dir = hostile_dir().join("baseline");
    for (name, kind) in [
        ("vista.valid", "vista"),
        ("xp.valid", "xp"),
        ("connection-string.valid", "connection-string"),
    ] {
        let bytes = fs::read(dir.join(name)).unwrap();
        assert_eq!(validate(&bytes, &policy_for(""), now()).kind, Some(kind));
        for code in [
            "",
            "password.none",
            "size.too-large",
            "address.not-allowed",
            "format.not-allowed",
        ] {
            let excluded = matches!(
                (name, code),
                ("xp.valid" | "connection-string.valid", "format.not-allowed")
                    | ("connection-string.valid", "password.none")
            );
            if excluded {
                continue;
            }
            let report = validate(&bytes, &policy_for(code), now());
            assert_eq!(
                report.verdict,
                Verdict::Accept,
                "baseline {name} under the policy for {code:?}: {}",
                describe(&report)
            );
        }
    }
    // With the password, the ticket was really decrypted and cross-checked: a wrong password
    // is noticed.
    let vista = fs::read(dir.join("vista.valid")).unwrap();
    let mut policy = Policy::default();
    policy.password = Some(Password::new("WRONGPASS999"));
    assert!(wrong(&validate(&vista, &policy, now()), "password.wrong").is_none());
}

// ---------------------------------------------------------------------------------------------
// Generated inputs
// ---------------------------------------------------------------------------------------------

/// The Vista baseline with the first `from` replaced by `to`.
fn vista_with(from: &str, to: &str) -> Vec<u8> {
    let text = fs::read_to_string(hostile_dir().join("baseline/vista.valid")).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

/// Judge `bytes` under `policy`, failing on a panic or on taking longer than a few seconds
/// (generous for a debug build; anything super-linear on 256 KB takes far longer).
fn timed(what: &str, bytes: &[u8], policy: &Policy) -> Report {
    let start = Instant::now();
    let report = catch_unwind(AssertUnwindSafe(|| validate(bytes, policy, now())))
        .unwrap_or_else(|_| panic!("{what}: validate panicked"));
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "{what}: {} bytes took {took:?}",
        bytes.len()
    );
    report
}

fn expect(what: &str, bytes: &[u8], policy: &Policy, code: &str) {
    let report = timed(what, bytes, policy);
    if let Some(why) = wrong(&report, code) {
        panic!("{what}: {why}");
    }
}

#[test]
fn oversized_inputs() {
    let policy = policy_for("");
    let limit = policy.limits.max_input_bytes;
    assert_eq!(limit, 256 * 1024);
    // Whitespace after the root element is legal XML: pad a valid file to any size.
    let valid = fs::read(hostile_dir().join("baseline/vista.valid")).unwrap();
    let padded = |size: usize| {
        let mut v = valid.clone();
        v.resize(size, b' ');
        v
    };
    let report = timed("exactly the limit", &padded(limit), &policy);
    assert_eq!(report.verdict, Verdict::Accept, "{}", describe(&report));
    expect(
        "one byte over",
        &padded(limit + 1),
        &policy,
        "size.too-large",
    );
    expect("300 KB", &padded(300 * 1024), &policy, "size.too-large");
    expect("16 MB", &padded(16 << 20), &policy, "size.too-large");

    // A 170 KB USERNAME, inside the file limit but over the attribute limit.
    let long = "A".repeat(170 * 1024);
    expect(
        "170 KB attribute",
        &vista_with("USERNAME=\"helpdesk\"", &format!("USERNAME=\"{long}\"")),
        &policy,
        "xml.limit",
    );
    // A 65 KB ticket (130 KB of hex), over the ticket limit.
    let text = String::from_utf8(valid.clone()).unwrap();
    let lh_start = text.find("LHTICKET=\"").unwrap() + "LHTICKET=\"".len();
    let lh_end = lh_start + text[lh_start..].find('"').unwrap();
    let mut big = text.clone();
    big.replace_range(lh_start..lh_end, &"AB".repeat(65 * 1024));
    expect("65 KB ticket", big.as_bytes(), &policy, "xml.limit");
}

#[test]
fn pathological_structure_is_bounded() {
    let policy = policy_for("");
    let open = |inner: &str| {
        vista_with(
            "/></UPLOADINFO>",
            &format!(">{inner}</UPLOADDATA></UPLOADINFO>"),
        )
    };
    // 30 000 nested elements: refused at depth 9, no stack exhaustion.
    let deep = format!("{}{}", "<a>".repeat(30_000), "</a>".repeat(30_000));
    expect("30 000 nested elements", &open(&deep), &policy, "xml.limit");
    // Unclosed nesting too.
    expect(
        "50 000 unclosed elements",
        &open(&"<a>".repeat(50_000)),
        &policy,
        "xml.limit",
    );
    // 30 000 comments.
    let comments = vista_with(
        "<UPLOADDATA",
        &format!("{}<UPLOADDATA", "<!---->".repeat(30_000)),
    );
    expect("30 000 comments", &comments, &policy, "xml.limit");
    // 20 000 attributes, and 20 000 duplicates of one (quadratic duplicate checks).
    let attrs: String = (0..20_000).map(|i| format!(" a{i}=\"\"")).collect();
    expect(
        "20 000 attributes",
        &vista_with(" L=\"0\"", &format!(" L=\"0\"{attrs}")),
        &policy,
        "xml.limit",
    );
    let dups = " X=\"\"".repeat(20_000);
    let report = timed(
        "20 000 duplicate attributes",
        &vista_with(" L=\"0\"", &format!(" L=\"0\"{dups}")),
        &policy,
    );
    assert_eq!(report.verdict, Verdict::Reject);
    // 20 000 siblings.
    expect(
        "20 000 siblings",
        &open(&"<a/>".repeat(20_000)),
        &policy,
        "xml.limit",
    );
    // 40 000 references in one attribute: linear time. The standard entities are fine...
    let amps = "&amp;".repeat(40_000);
    let report = timed("40 000 &amp;", &vista_with("helpdesk", &amps), &policy);
    assert_eq!(report.verdict, Verdict::Accept, "{}", describe(&report));
    // ...references to ESC are not XML; to the C1 CSI, text the gateway refuses.
    expect(
        "40 000 &#27;",
        &vista_with("helpdesk", &"&#27;".repeat(40_000)),
        &policy,
        "xml.entity",
    );
    expect(
        "40 000 &#x9B;",
        &vista_with("helpdesk", &"&#x9B;".repeat(40_000)),
        &policy,
        "text.control-characters",
    );
    // A DOCTYPE of 200 KB of entity declarations: refused at its first byte.
    let bomb: String = (0..4000)
        .map(|i| format!("<!ENTITY e{i} \"&e{};&e{};\">", i + 1, i + 1))
        .collect();
    let bytes = vista_with(
        "<UPLOADINFO",
        &format!("<!DOCTYPE UPLOADINFO [{bomb}]><UPLOADINFO"),
    );
    assert!(bytes.len() > 100_000);
    expect("200 KB DOCTYPE", &bytes, &policy, "xml.doctype");
    // An unterminated DOCTYPE, comment, attribute value and CDATA that run to the end of the file.
    for (what, tail) in [
        ("unterminated DOCTYPE", "<!DOCTYPE UPLOADINFO ["),
        ("unterminated comment", "<!--"),
        ("unterminated CDATA", "<![CDATA["),
        ("unterminated attribute", "<UPLOADINFO TYPE=\""),
    ] {
        let mut bytes = format!("<?xml version=\"1.0\"?>\n{tail}").into_bytes();
        bytes.resize(200 * 1024, b'x');
        let report = timed(what, &bytes, &policy);
        assert_eq!(report.verdict, Verdict::Reject, "{what}");
    }
}

/// Deterministic mutations of the baselines (byte flips, truncations, insertions of XML
/// punctuation): nothing panics, and nothing takes long.
#[test]
fn mutations_never_panic() {
    let policy = policy_for("");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let punctuation: &[&[u8]] = &[
        b"<",
        b">",
        b"&",
        b"\"",
        b"'",
        b"&#",
        b";",
        b"<!",
        b"<?",
        b"]]>",
        b"\0",
        b"\xff",
        b"\xd8",
        b"\xfe\xff",
        b"=",
    ];
    for name in ["vista.valid", "xp.valid", "connection-string.valid"] {
        let original = fs::read(hostile_dir().join("baseline").join(name)).unwrap();
        for round in 0..1500 {
            let mut bytes = original.clone();
            for _ in 0..=(next() % 4) {
                let at = (next() as usize) % bytes.len().max(1);
                match next() % 4 {
                    0 => bytes[at] ^= 1 << (next() % 8),
                    1 => bytes.truncate(at),
                    2 => {
                        let p = punctuation[(next() as usize) % punctuation.len()];
                        bytes.splice(at..at, p.iter().copied());
                    }
                    _ => {
                        bytes.remove(at.min(bytes.len().saturating_sub(1)));
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let result = catch_unwind(AssertUnwindSafe(|| validate(&bytes, &policy, now())));
            assert!(
                result.is_ok(),
                "{name} mutation {round} panicked: {:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// No file, no network
// ---------------------------------------------------------------------------------------------

/// A DOCTYPE that names local files and local network services is refused without touching
/// them: nothing connects to a listening socket, and a secret file's content appears nowhere.
#[test]
fn doctype_never_reaches_files_or_the_network() {
    use std::net::TcpListener;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("secret.txt");
    let marker = "RAINV-SECRET-7f3a9c";
    fs::write(&secret_path, marker).unwrap();
    let secret_url = format!("file://{}", secret_path.display());

    let dtd = format!(
        "<!DOCTYPE UPLOADINFO [\
         <!ENTITY passwd SYSTEM \"file:///etc/passwd\">\
         <!ENTITY discard SYSTEM \"http://127.0.0.1:9/x\">\
         <!ENTITY local SYSTEM \"http://127.0.0.1:{port}/x\">\
         <!ENTITY secret SYSTEM \"{secret_url}\">\
         <!ENTITY % remote SYSTEM \"http://127.0.0.1:{port}/remote.dtd\">\
         %remote;]>"
    );
    let refs = "&passwd;&discard;&local;&secret;";
    let mut inputs = vec![
        (
            "DOCTYPE in the file".to_string(),
            vista_with("<UPLOADINFO", &format!("{dtd}<UPLOADINFO")),
        ),
        (
            "DOCTYPE in the file, used in USERNAME".to_string(),
            String::from_utf8(vista_with("<UPLOADINFO", &format!("{dtd}<UPLOADINFO")))
                .unwrap()
                .replacen("helpdesk", refs, 1)
                .into_bytes(),
        ),
    ];
    // The same inside an encrypted ticket.
    let ticket = format!(
        "{}<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"{refs}\"/></T></C></E>\r\n",
        dtd.replace("UPLOADINFO", "E")
    );
    let lh = LhTicket::encrypt(&ticket, &Password::new(PASSWORD));
    let text = fs::read_to_string(hostile_dir().join("baseline/vista.valid")).unwrap();
    let start = text.find("LHTICKET=\"").unwrap() + 10;
    let end = start + text[start..].find('"').unwrap();
    let mut with_ticket = text.clone();
    with_ticket.replace_range(start..end, lh.as_hex());
    inputs.push((
        "DOCTYPE in the ticket".to_string(),
        with_ticket.into_bytes(),
    ));

    for (what, bytes) in &inputs {
        let report = validate(bytes, &policy_for(""), now());
        if let Some(why) = wrong(&report, "xml.doctype") {
            panic!("{what}: {why}");
        }
        let all = describe(&report);
        assert!(!all.contains(marker), "{what}: the secret file was read");
        assert!(!all.contains("root:"), "{what}: /etc/passwd was read");
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("validate connected to the local listener from {from}"),
        Err(e) => panic!("accept: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Genuine files are accepted
// ---------------------------------------------------------------------------------------------

fn accepted(what: &str, bytes: &[u8], policy: &Policy, when: DateTime<Utc>) -> Report {
    let report = validate(bytes, policy, when);
    assert_eq!(
        report.verdict,
        Verdict::Accept,
        "{what} at {when}: {}",
        describe(&report)
    );
    report
}

/// One minute after DtStart.
fn inside_window(bytes: &[u8]) -> DateTime<Utc> {
    let invitation = Invitation::from_bytes(bytes).unwrap();
    at(invitation.validity.start + 60)
}

fn with_password(password: Password) -> Policy {
    let mut policy = Policy::default();
    policy.password = Some(password);
    policy
}

#[test]
fn testdata_samples_are_accepted() {
    let example = common::testdata("example.msrcincident");
    let password = String::from_utf8(common::testdata("example.password")).unwrap();
    let password = Password::new(password.trim_end_matches(['\r', '\n']));
    let when = inside_window(&example);
    // Made for 2026-11-22T09:00:00Z, 360 minutes; DtStart is read from the file, not assumed.
    let report = accepted("example", &example, &with_password(password.clone()), when);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code != FindingCode::TicketMismatch),
        "{}",
        describe(&report)
    );
    accepted(
        "example without password",
        &example,
        &Policy::default(),
        when,
    );
    let mut strict = with_password(password);
    strict.require_password = true;
    accepted("example, password required", &example, &strict, when);
    // The last second of its window is inside; the next is not.
    let end = Invitation::from_bytes(&example)
        .unwrap()
        .validity
        .end_seconds();
    accepted(
        "example, last second",
        &example,
        &Policy::default(),
        at(end as u64 - 1),
    );
    let report = validate(&example, &Policy::default(), at(end as u64));
    assert!(
        wrong(&report, "validity.expired").is_none(),
        "{}",
        describe(&report)
    );

    for name in [
        "ms-rai-sample-xp.msrcincident",
        "ms-rai-sample-vista.msrcincident",
    ] {
        let bytes = common::testdata(name);
        // No password is known for the Vista sample's LHTICKET: validate without one.
        accepted(name, &bytes, &Policy::default(), inside_window(&bytes));
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows_files_are_accepted_with_and_without_their_passwords() {
    for name in ["windows-xp", "windows7", "windows10"] {
        let bytes = common::read_shared(&format!("interop/{name}.msrcincident"));
        let password = common::shared_password(name);
        let when = inside_window(&bytes);
        accepted(name, &bytes, &Policy::default(), when);
        let report = accepted(name, &bytes, &with_password(password.clone()), when);
        assert!(
            report
                .findings
                .iter()
                .all(|f| f.severity != Severity::Error),
            "{name}: {}",
            describe(&report)
        );
        // A wrong password is noticed, so the right one really decrypted the ticket.
        let invitation = Invitation::from_bytes(&bytes).unwrap();
        if invitation.lh_ticket.is_some() {
            let report = validate(&bytes, &with_password(Password::new("WRONGPASS999")), when);
            assert!(
                wrong(&report, "password.wrong").is_none(),
                "{name}: {}",
                describe(&report)
            );
        }
    }

    // Windows 7 writes both tickets: with the password they are cross-checked, and agree.
    let bytes = common::read_shared("interop/windows7.msrcincident");
    let password = common::shared_password("windows7");
    let invitation = Invitation::from_bytes(&bytes).unwrap();
    let ticket = invitation.decrypt(&password).unwrap().unwrap();
    let rc = invitation.rc_ticket.as_ref().unwrap();
    assert!(ticket_disagreements(rc, ticket.connection()).is_empty());
    let when = inside_window(&bytes);
    let report = accepted("windows7", &bytes, &with_password(password.clone()), when);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.code != FindingCode::TicketMismatch)
    );
    // The cross-check runs on real files: move the RCTICKET's first address and it fails.
    let tampered = String::from_utf8(bytes.clone()).unwrap().replacen(
        "192.168.1.200:49230",
        "203.0.113.66:49230",
        1,
    );
    let report = validate(tampered.as_bytes(), &with_password(password), when);
    assert!(
        wrong(&report, "ticket.mismatch").is_none(),
        "{}",
        describe(&report)
    );

    // Windows 10 at the corpus clock (it was made at 2024-01-03T13:27:04Z for 6 hours).
    let bytes = common::read_shared("interop/windows10.msrcincident");
    accepted(
        "windows10 at the corpus clock",
        &bytes,
        &Policy::default(),
        now(),
    );
}

/// Not a corpus file, but the same rule: `scan_message` on a message carrying the corpus's
/// hostile files by name finds each one.
#[test]
fn hostile_files_attached_to_mail_are_found_and_rejected() {
    use base64::Engine;
    let cases: Vec<(String, String)> = corpus()
        .into_iter()
        .filter(|(name, code)| {
            name.ends_with(".msrcincident") && !SPECIAL_CODES.contains(&code.as_str())
        })
        .collect();
    let mut raw = String::from(
        "Message-ID: <corpus@example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n",
    );
    for (name, _) in &cases {
        let bytes = fs::read(hostile_dir().join(name)).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        raw.push_str(&format!(
            "--b\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n"
        ));
    }
    raw.push_str("--b--\r\n");
    let reports = scan_message(raw.as_bytes(), &policy_for(""), now()).unwrap();
    let mut problems = Vec::new();
    for (name, code) in &cases {
        match reports.iter().find(|r| &r.attachment == name) {
            None => problems.push(format!("{name}: not found in the message")),
            Some(r) => {
                assert_eq!(r.message_id.as_deref(), Some("corpus@example"));
                if let Some(why) = wrong(&r.report, code) {
                    problems.push(format!("{name}: {why}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every finding that is not an error in the corpus sense (warnings, information,
/// `password.none` in both of its severities, and `validity.not-yet-valid` within the clock
/// skew), each from one input one step away from a baseline: (code, severity, input, policy).
/// The corpus covers the error codes.
fn non_error_cases() -> Vec<(&'static str, Severity, Vec<u8>, Policy)> {
    let connection_string =
        fs::read(hostile_dir().join("baseline/connection-string.valid")).unwrap();
    // The XP baseline (UTF-16LE with a BOM) without its password.
    let xp = fs::read(hostile_dir().join("baseline/xp.valid")).unwrap();
    let units: Vec<u16> = xp
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.contains("RCTICKETENCRYPTED=\"1\""));
    let xp: Vec<u8> = text
        .replacen("RCTICKETENCRYPTED=\"1\"", "RCTICKETENCRYPTED=\"0\"", 1)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut allowlist = policy_for("address.not-allowed");
    allowlist.password = None;
    allowlist.allow_unchecked_listeners = true;
    vec![
        (
            "passstub.unusual",
            Severity::Warning,
            vista_with("PassStub=\"Ab!1Xy2cD3eF4g\"", "PassStub=\"short\""),
            policy_for(""),
        ),
        // One minute ahead of the clock: within the default clock skew.
        (
            "validity.not-yet-valid",
            Severity::Warning,
            vista_with(
                &format!("DtStart=\"{}\"", NOW - 3600),
                &format!("DtStart=\"{}\"", NOW + 60),
            ),
            policy_for(""),
        ),
        // A zero-width joiner, which names in Persian or Indic scripts need: a warning.
        (
            "text.invisible",
            Severity::Warning,
            vista_with("USERNAME=\"helpdesk\"", "USERNAME=\"help&#x200D;desk\""),
            policy_for(""),
        ),
        (
            "format.unknown-attribute",
            Severity::Info,
            vista_with(" L=\"0\"", " L=\"0\" Colour=\"blue\""),
            policy_for(""),
        ),
        (
            "ticket.lh.unchecked",
            Severity::Warning,
            vista_with("", ""),
            allowlist,
        ),
        // A bare ticket is always also `password.none` (checked below).
        (
            "ticket.kh.missing",
            Severity::Warning,
            String::from_utf8(connection_string.clone())
                .unwrap()
                .replacen(" KH=\"Upr0PmP68a2yEFVPfYa3niirJJk=\"", "", 1)
                .into_bytes(),
            policy_for(""),
        ),
        (
            "password.none",
            Severity::Warning,
            connection_string.clone(),
            policy_for(""),
        ),
        (
            "password.none",
            Severity::Warning,
            xp.clone(),
            policy_for(""),
        ),
        (
            "password.none",
            Severity::Error,
            connection_string,
            policy_for("password.none"),
        ),
        (
            "password.none",
            Severity::Error,
            xp,
            policy_for("password.none"),
        ),
    ]
}

/// Each warning and information finding comes with exactly its code and severity, and nothing
/// else is reported: changing a code or a severity turns this red.
#[test]
fn every_warning_and_info_finding_has_its_code_and_severity() {
    for (code, severity, bytes, policy) in non_error_cases() {
        let report = validate(&bytes, &policy, now());
        let mut findings: Vec<(&str, Severity)> = report
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect();
        if code == "ticket.kh.missing" {
            findings.retain(|f| *f != ("password.none", Severity::Warning));
        }
        assert_eq!(
            findings,
            [(code, severity)],
            "{code}: {}",
            describe(&report)
        );
        let verdict = if severity == Severity::Error {
            Verdict::Reject
        } else {
            Verdict::Accept
        };
        assert_eq!(report.verdict, verdict, "{code}");
        assert!(report.findings.iter().all(|f| !f.message.is_empty()));
    }
}

/// Every code the gateway can put in a finding ([`FindingCode::ALL`], the library's codes
/// included) is expected somewhere in these tests: by a corpus case, by [`non_error_cases`], or
/// in the short list of codes `validate` never produces. And every code these tests expect is
/// one the gateway has.
#[test]
fn every_finding_code_has_a_test() {
    // Errors the library returns from APIs other than validation (writing, PassStub, blobs,
    // the system's random source): validate never reads these.
    const NOT_FROM_VALIDATE: [&str; 4] = [
        "passstub.malformed",
        "blob.malformed",
        "write.unsupported",
        "system.random",
    ];
    // Information `inspect` gives on an archive with no invitation (tests/archives.rs).
    const FROM_INSPECT: [&str; 1] = ["archive.no-invitation"];
    let non_error: Vec<&str> = non_error_cases()
        .iter()
        .map(|c| c.0)
        .chain(FROM_INSPECT)
        .collect();
    for code in FindingCode::ALL {
        let code = code.as_str();
        assert!(
            KNOWN_CODES.contains(&code)
                || non_error.contains(&code)
                || NOT_FROM_VALIDATE.contains(&code),
            "finding code {code} has no test case"
        );
    }
    for code in KNOWN_CODES
        .iter()
        .chain(&non_error)
        .chain(&NOT_FROM_VALIDATE)
    {
        assert!(
            FindingCode::from_name(code).is_some(),
            "{code} is not a finding code any more"
        );
    }
}

/// Each code's string is written once in the source outside tests: in the table that defines
/// [`FindingCode`] or [`rainv::ErrorCode`], and nowhere else.
#[test]
fn every_code_string_is_written_once_in_the_source() {
    let root = common::root();
    let mut sources = Vec::new();
    for dir in ["src", "crates/rainv-gateway/src", "crates/rainv-cli/src"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap().to_string();
                sources.push((path, code));
            }
        }
    }
    for code in FindingCode::ALL {
        let literal = format!("\"{code}\"");
        let places: Vec<String> = sources
            .iter()
            .flat_map(|(path, text)| {
                let n = text.matches(&literal).count();
                std::iter::repeat_n(path.display().to_string(), n)
            })
            .collect();
        assert_eq!(places.len(), 1, "{literal} is written in {places:?}");
    }
}

/// Each policy switch, and each boundary of the validity checks, changes the verdict exactly
/// where docs/security.md says: one second or one minute either side.
#[test]
fn policy_switches_and_validity_boundaries() {
    let vista = fs::read(hostile_dir().join("baseline/vista.valid")).unwrap();
    let start = 1_704_290_400; // the baseline's DtStart; DtLength is 360 minutes
    let codes = |policy: &Policy, when: u64| -> Vec<(&'static str, Severity)> {
        validate(&vista, policy, at(when))
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect()
    };
    let none = Vec::<(&str, Severity)>::new();
    let default = Policy::default();
    // Without an allowlist, a ticket that cannot be decrypted is not worth a warning.
    assert_eq!(codes(&default, start + 60), none);
    // With one, it fails the invitation unless the policy accepts unchecked listeners; with
    // the password, the listeners are checked and it passes.
    let mut allowlist = policy_for("address.not-allowed");
    allowlist.password = None;
    assert_eq!(
        codes(&allowlist, start + 60),
        [("ticket.lh.unchecked", Severity::Error)]
    );
    assert_eq!(
        validate(&vista, &allowlist, at(start + 60)).verdict,
        Verdict::Reject
    );
    allowlist.allow_unchecked_listeners = true;
    assert_eq!(
        codes(&allowlist, start + 60),
        [("ticket.lh.unchecked", Severity::Warning)]
    );
    allowlist.allow_unchecked_listeners = false;
    allowlist.password = Some(Password::new(PASSWORD));
    assert_eq!(codes(&allowlist, start + 60), none);
    // Expiry, and allow_expired.
    let end = start + 360 * 60;
    assert_eq!(codes(&default, end - 1), none);
    assert_eq!(
        codes(&default, end),
        [("validity.expired", Severity::Error)]
    );
    let mut lenient = Policy::default();
    lenient.allow_expired = true;
    assert_eq!(codes(&lenient, end + 86_400), none);
    // DtStart in the future: a warning up to clock_skew_seconds, an error beyond.
    assert_eq!(default.clock_skew_seconds, 300);
    let early = |severity| vec![("validity.not-yet-valid", severity)];
    assert_eq!(codes(&default, start), none);
    assert_eq!(codes(&default, start - 1), early(Severity::Warning));
    assert_eq!(codes(&default, start - 300), early(Severity::Warning));
    assert_eq!(codes(&default, start - 301), early(Severity::Error));
    let mut strict = Policy::default();
    strict.clock_skew_seconds = 0;
    assert_eq!(codes(&strict, start), none);
    assert_eq!(codes(&strict, start - 1), early(Severity::Error));
    // The longest validity allowed: exactly DtLength passes, a minute less does not.
    for (max, expected) in [
        (360, none.clone()),
        (359, vec![("validity.too-long", Severity::Error)]),
    ] {
        let mut policy = Policy::default();
        policy.max_validity_minutes = Some(max);
        assert_eq!(codes(&policy, start + 60), expected, "max {max}");
    }
}

/// Unknown attributes in a ticket (such as Windows 10's certificate, CE) may hold line breaks
/// but no other control character (C0 controls are not XML at all).
#[test]
fn unknown_ticket_attributes_are_checked_for_control_characters() {
    let ticket =
        fs::read_to_string(hostile_dir().join("baseline/connection-string.valid")).unwrap();
    let with = |value: &str| ticket.replacen("<A ", &format!("<A X=\"{value}\" "), 1);
    let codes = |text: String| -> Vec<&'static str> {
        validate(text.as_bytes(), &Policy::default(), now())
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.code.as_str())
            .collect()
    };
    assert_eq!(
        codes(with("line one&#13;&#10;line two&#9;end")),
        Vec::<&str>::new()
    );
    assert_eq!(codes(with("a&#x9B;2J")), ["text.control-characters"]);
    assert_eq!(codes(with("a&#27;]0;title&#7;")), ["xml.entity"]);
    assert_eq!(codes(with("a&#x202E;b")), ["text.control-characters"]);
}

/// An address no Windows writes is refused whatever the allowlist, even one whose host
/// pattern matches every name and whose networks hold every address: an allowlist judges
/// only addresses that mean one thing.
#[test]
fn malformed_addresses_are_refused_under_any_allowlist() {
    let cases: Vec<String> = fs::read_dir(hostile_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("address.malformed--"))
        .collect();
    assert!(cases.len() >= 10, "{cases:?}");
    let mut everything = policy_for("address.not-allowed");
    everything.allowed_hosts = vec!["*".into()];
    everything.allowed_networks = parse_networks(&["0.0.0.0/0".into(), "::/0".into()]).unwrap();
    for policy in [
        policy_for(""),
        policy_for("address.not-allowed"),
        everything,
    ] {
        for case in &cases {
            let report = validate(&fs::read(hostile_dir().join(case)).unwrap(), &policy, now());
            assert!(
                wrong(&report, "address.malformed").is_none(),
                "{case}: {}",
                describe(&report)
            );
        }
    }
    // The addresses Windows writes pass that allowlist.
    for baseline in ["vista.valid", "xp.valid", "connection-string.valid"] {
        let bytes = fs::read(hostile_dir().join("baseline").join(baseline)).unwrap();
        let mut policy = policy_for("address.not-allowed");
        policy.allowed_hosts = vec!["*".into()];
        assert!(
            !validate(&bytes, &policy, now())
                .findings
                .iter()
                .any(|f| f.code.as_str().starts_with("address.")),
            "{baseline}"
        );
    }
}

/// Either list alone is an allowlist: addresses it does not cover are rejected.
#[test]
fn either_allowlist_alone_is_enforced() {
    let case = "address.not-allowed--everything-points-to-attacker.msrcincident";
    let bytes = fs::read(hostile_dir().join(case)).unwrap();
    let full = policy_for("address.not-allowed");
    let mut networks_only = full.clone();
    networks_only.allowed_hosts = vec![];
    let mut hosts_only = full;
    hosts_only.allowed_networks = vec![];
    for policy in [networks_only, hosts_only] {
        let report = validate(&bytes, &policy, now());
        assert!(
            wrong(&report, "address.not-allowed").is_none(),
            "{}",
            describe(&report)
        );
    }
}
