//! The `rainv` binary, run as a person or a script would run it: every subcommand, every exit
//! code, the JSON report, standard streams, overwriting, password sources (including the
//! prompt on a real pseudo-terminal), and files that Windows made (from ../shared/interop).
//!
//! Exit codes: 0 success; 1 invalid file, wrong password, PassStub mismatch; 2 usage or I/O.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::reference;
use predicates::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

/// DtStart of testdata/example.msrcincident (2026-11-22T09:00:00Z); it is valid for 360 minutes.
const EXAMPLE_START: u64 = 1_795_338_000;
/// A 20-byte KH (base64), as Windows writes them.
const KH: &str = "BNRjdu97DyczQSRuMRrDWoue+HA=";
/// A 32-byte SHA-256 hash (base64) for KH2.
const KH2_HASH: &str = "ouBL64tmjIDg3kif5vSrcvMqWn1xkVehBGNcmnQ/iS4=";
/// A 48-byte session ID (base64).
const SESSION_ID: &str = "FxlMhWiu+Pzok2qu+wI95uzvzg2mvEM/V9JCUA6/7YZpYB/UXjJ7+heF8UAnyYGY";
/// Microsoft's published PassStub example: password Password1, PassStub RT=0PvIndan52*.
const MS_STUB: &str = "RT=0PvIndan52*";
const MS_PASS: &str = "3C9CAE0BCE7AB15C8AAC01D676045EDF3FFAF092E2DE368A2017E68A0DED7C90";
/// The environment variable the tests put passwords in.
const PW_VAR: &str = "RAINV_CLI_TEST_PASSWORD";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The real binary, with a clean environment for the variables rainv reads.
fn rainv() -> Command {
    let mut cmd = Command::cargo_bin("rainv").expect("the rainv binary is built");
    cmd.env_remove("NO_COLOR").env_remove(PW_VAR);
    cmd
}

fn testdata(name: &str) -> PathBuf {
    common::root().join("testdata").join(name)
}

fn example() -> PathBuf {
    testdata("example.msrcincident")
}

fn example_password_file() -> PathBuf {
    testdata("example.password")
}

fn example_password() -> String {
    let text = std::fs::read_to_string(example_password_file()).unwrap();
    text.trim_end_matches(['\r', '\n']).to_string()
}

/// A Windows file from ../shared/interop and its password file.
fn interop(name: &str) -> (PathBuf, PathBuf) {
    let dir = common::shared_dir().join("interop");
    (
        dir.join(format!("{name}.msrcincident")),
        dir.join(format!("{name}.password")),
    )
}

fn interop_password(name: &str) -> String {
    common::shared_password(name).expose().to_string()
}

fn write(dir: &TempDir, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn password_file(dir: &TempDir, password: &str) -> PathBuf {
    write(dir, "password.txt", format!("{password}\n"))
}

fn parse_json(stdout: &[u8]) -> Value {
    let text = std::str::from_utf8(stdout).expect("JSON output is UTF-8");
    assert!(text.ends_with('\n'), "one JSON object then a newline");
    assert_eq!(text.trim_end().lines().count(), 1, "one line of JSON");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `rainv open --json ARGS...`, which must succeed.
fn open_json<I, S>(args: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = rainv()
        .arg("open")
        .arg("--json")
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    parse_json(&out.stdout)
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

/// The value of attribute `name="..."` in 8-bit invitation text.
fn attribute(text: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = text.find(&needle)? + needle.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_string())
}

fn lhticket_of(path: &Path) -> String {
    let text = String::from_utf8(std::fs::read(path).unwrap()).expect("a Vista file is 8-bit");
    attribute(&text, "LHTICKET").expect("the file has an LHTICKET")
}

/// UTF-16LE bytes (no BOM) to text.
fn from_utf16le(bytes: &[u8]) -> String {
    assert!(bytes.len().is_multiple_of(2), "whole UTF-16 code units");
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units).expect("valid UTF-16")
}

fn base64_len(text: &str) -> usize {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("{text:?} is not base64: {e}"))
        .len()
}

fn has_ansi(bytes: &[u8]) -> bool {
    bytes.contains(&0x1b)
}

/// A valid 8-bit XP-style invitation with the given raw (already escaped) USERNAME value.
fn xp_invitation_with_username(raw_username: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA \
         USERNAME=\"{raw_username}\" \
         RCTICKET=\"65538,1,192.168.1.65:3389;jeff_xp:3389,*,\
         ot9B5Ut8n6FmiIOr2Aa915WwuLcMdtNl5AoXFiA4wLg=,*,*,5nKH3X0Ikre0jjL9SaRlfN10p9o=\" \
         RCTICKETENCRYPTED=\"1\" DtStart=\"1160080069\" DtLength=\"60\" \
         PassStub=\"o2*5GdBARK_JBB\" L=\"0\"/></UPLOADINFO>"
    )
}

// ---------------------------------------------------------------------------------------------
// General: help, version, usage errors
// ---------------------------------------------------------------------------------------------

#[test]
fn help_and_version_exit_0() {
    rainv()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes"));
    rainv()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
    for sub in [
        "open",
        "create",
        "decrypt",
        "encrypt",
        "passstub",
        "completions",
        "man",
    ] {
        rainv()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("Usage: rainv {sub}")));
    }
}

/// Each argument rule on its own: every case is otherwise valid (real files, a fresh output
/// path), so exit 2 and the message can only come from the rule named.
#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new.msrcincident");
    let out = out.to_str().unwrap();
    let file = example();
    let file = file.to_str().unwrap();
    let pw = example_password_file();
    let pw = pw.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage: rainv <COMMAND>"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (&["open"], "required arguments were not provided:\n  <FILE>"),
        (&["open", "--bogus", file], "unexpected argument '--bogus'"),
        (
            &["create", "--user", "a", "-o", out],
            "required arguments were not provided:\n  --address <HOST:PORT>",
        ),
        (
            &["completions", "no-such-shell"],
            "invalid value 'no-such-shell' for '<SHELL>'",
        ),
        (&["passstub"], "Usage: rainv passstub <COMMAND>"),
        (
            &[
                "passstub",
                "verify",
                "--stub",
                MS_STUB,
                "--password-file",
                pw,
            ],
            "required arguments were not provided:\n  --blob <HEX>",
        ),
        (
            &[
                "open",
                file,
                "--password-file",
                pw,
                "--password-env",
                PW_VAR,
            ],
            "'--password-file <PATH>' cannot be used with '--password-env <VAR>'",
        ),
        (
            &["open", file, "--no-decrypt", "--password-env", PW_VAR],
            "'--no-decrypt' cannot be used with '--password-env <VAR>'",
        ),
        (
            &["open", file, "--no-decrypt", "--password-file", pw],
            "'--no-decrypt' cannot be used with '--password-file <PATH>'",
        ),
        (
            &[
                "create",
                "--user",
                "a",
                "--address",
                "192.0.2.1:3389",
                "--kh",
                KH,
                "-o",
                out,
                "--password-file",
                pw,
                "--minutes",
                "5",
                "--expires",
                "1h",
            ],
            "'--minutes <N>' cannot be used with '--expires <DURATION>'",
        ),
        (
            &[
                "create",
                "--user",
                "a",
                "--address",
                "192.0.2.1:3389",
                "--kh",
                KH,
                "-o",
                out,
                "--generate-password",
                "--password-file",
                pw,
            ],
            "'--generate-password' cannot be used with '--password-file <PATH>'",
        ),
        (
            &[
                "create",
                "--user",
                "a",
                "--address",
                "192.0.2.1:3389",
                "--kh",
                KH,
                "-o",
                out,
                "--generate-password",
                "--password-env",
                PW_VAR,
            ],
            "'--generate-password' cannot be used with '--password-env <VAR>'",
        ),
    ];
    for (args, message) in cases {
        let assert = rainv()
            .args(*args)
            .env(PW_VAR, "Password1234")
            .write_stdin("")
            .assert()
            .code(2);
        let stderr = stderr_of(&assert);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(stdout_of(&assert), "", "{args:?}");
    }
    assert!(!dir.path().join("new.msrcincident").exists());
}

// ---------------------------------------------------------------------------------------------
// open
// ---------------------------------------------------------------------------------------------

#[test]
fn open_json_of_the_xp_sample() {
    let v = open_json([
        testdata("ms-rai-sample-xp.msrcincident").as_os_str(),
        OsStr::new("--now"),
        OsStr::new("2024-01-01T00:00:00Z"),
    ]);
    assert_eq!(
        v,
        json!({
            "kind": "xp",
            "username": "jeff",
            "rc_ticket_encrypted": true,
            "dt_start": 1160080069u64,
            "dt_length_minutes": 60,
            "valid_from": "2006-10-05T20:27:49Z",
            "valid_until": "2006-10-05T21:27:49Z",
            "status": "expired",
            "pass_stub": "o2*5GdBARK_JBB",
            "low_speed": false,
            "rc_ticket": {
                "addresses": [
                    {"host": "192.168.1.65", "port": 3389},
                    {"host": "jeff_xp", "port": 3389},
                ],
                "session_id": "ot9B5Ut8n6FmiIOr2Aa915WwuLcMdtNl5AoXFiA4wLg=",
                "kh": "5nKH3X0Ikre0jjL9SaRlfN10p9o=",
            },
            "lh_ticket": null,
            "warnings": ["the invitation has expired"],
        })
    );
}

#[test]
fn open_json_of_the_example_decrypts_its_ticket() {
    let now = (EXAMPLE_START + 60).to_string();
    let v = open_json([
        example().as_os_str(),
        OsStr::new("--password-file"),
        example_password_file().as_os_str(),
        OsStr::new("--now"),
        OsStr::new(&now),
    ]);
    assert_eq!(v["kind"], "vista");
    assert_eq!(v["username"], "helpdesk-demo");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["dt_start"], EXAMPLE_START);
    assert_eq!(v["dt_length_minutes"], 360);
    assert_eq!(v["valid_from"], "2026-11-22T09:00:00Z");
    assert_eq!(v["valid_until"], "2026-11-22T15:00:00Z");
    assert_eq!(v["pass_stub"], "Ec-8Esl*1DC5M*");
    assert_eq!(v["rc_ticket_encrypted"], true);
    assert_eq!(v["low_speed"], false);
    assert_eq!(
        v["rc_ticket"],
        json!({
            "addresses": [
                {"host": "192.0.2.10", "port": 49230},
                {"host": "DEMO-PC", "port": 49230},
            ],
            "session_id": SESSION_ID,
            "kh": KH,
        })
    );
    assert_eq!(
        v["lh_ticket"],
        json!({
            "decrypted": true,
            "kh": KH,
            "kh2": {"algorithm": "sha256", "hash": KH2_HASH},
            "id": SESSION_ID,
            "attributes": [],
            "transports": [{
                "id": 1,
                "sid": 0,
                "listeners": [
                    {"address": "fe80::1032:53d9:5a01:909b%3", "port": 49228, "uri": null},
                    {"address": "192.0.2.10", "port": 49230, "uri": null},
                    {"address": "DEMO-PC", "port": 49230, "uri": null},
                ],
            }],
        })
    );
    // RCTICKET and LHTICKET agree, the PassStub has Windows' shape, the ticket has a KH.
    assert_eq!(v["warnings"], json!([]));
}

#[test]
fn open_json_keys_are_sorted_and_dates_beyond_range_are_null() {
    let out = rainv()
        .args(["open", "--json", "--no-decrypt"])
        .arg(example())
        .args(["--now", "2026-11-22T10:00:00Z"])
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(
        text.starts_with("{\"dt_length_minutes\":360,\"dt_start\":"),
        "{text}"
    );
    assert!(text.trim_end().ends_with(",\"warnings\":[]}"), "{text}");

    let dir = TempDir::new().unwrap();
    let huge = xp_invitation_with_username("max")
        .replace(
            "DtStart=\"1160080069\"",
            &format!("DtStart=\"{}\"", u64::MAX),
        )
        .replace("DtLength=\"60\"", &format!("DtLength=\"{}\"", u64::MAX));
    let path = write(&dir, "huge.msrcincident", huge);
    let v = open_json([path.as_os_str(), OsStr::new("--now"), OsStr::new("0")]);
    assert_eq!(v["dt_start"], u64::MAX);
    assert_eq!(v["dt_length_minutes"], u64::MAX);
    assert_eq!(v["valid_from"], Value::Null);
    assert_eq!(v["valid_until"], Value::Null);
    assert_eq!(v["status"], "not-yet-valid");
    // The summary copes too.
    rainv()
        .arg("open")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("beyond the range of dates"));
}

#[test]
fn open_now_takes_rfc3339_or_epoch_seconds() {
    let status_at = |now: &str| {
        let v = open_json([
            example().as_os_str(),
            OsStr::new("--no-decrypt"),
            OsStr::new("--now"),
            OsStr::new(now),
        ]);
        (
            v["status"].as_str().unwrap().to_string(),
            v["warnings"].clone(),
        )
    };
    let end = EXAMPLE_START + 360 * 60;
    let cases = [
        (EXAMPLE_START - 1, "2026-11-22T08:59:59Z", "not-yet-valid"),
        (EXAMPLE_START, "2026-11-22T09:00:00Z", "valid"),
        (end - 1, "2026-11-22T14:59:59Z", "valid"),
        (end, "2026-11-22T15:00:00Z", "expired"),
    ];
    for (epoch, rfc3339, expected) in cases {
        let by_epoch = status_at(&epoch.to_string());
        let by_rfc = status_at(rfc3339);
        assert_eq!(by_epoch, by_rfc, "{rfc3339}");
        assert_eq!(by_epoch.0, expected, "{rfc3339}");
        let warnings = by_epoch.1.as_array().unwrap().clone();
        match expected {
            "valid" => assert!(warnings.is_empty(), "{warnings:?}"),
            "expired" => assert!(warnings.contains(&json!("the invitation has expired"))),
            _ => assert!(
                warnings
                    .iter()
                    .any(|w| w.as_str().unwrap().contains("not valid yet"))
            ),
        }
    }
    // Other offsets are converted to UTC: 11:00+02:00 is 09:00Z, the first valid second.
    assert_eq!(status_at("2026-11-22T11:00:00+02:00").0, "valid");
    assert_eq!(status_at("2026-11-22T10:59:59+02:00").0, "not-yet-valid");
}

#[test]
fn open_refuses_a_bad_now_with_exit_2() {
    for now in ["yesterday", "2026-13-01T00:00:00Z", "99999999999999999", ""] {
        rainv()
            .args(["open", "--no-decrypt", "--now", now])
            .arg(example())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--now"));
    }
}

#[test]
fn open_without_a_password_shows_the_ticket_encrypted() {
    let lh_bytes = lhticket_of(&example()).len() / 2;
    // No password source and standard input not a terminal: no prompt, no decryption.
    let v = open_json([example().as_os_str()]);
    assert_eq!(
        v["lh_ticket"],
        json!({"decrypted": false, "ciphertext_bytes": lh_bytes})
    );
    // Same with --no-decrypt.
    let v = open_json([example().as_os_str(), OsStr::new("--no-decrypt")]);
    assert_eq!(v["lh_ticket"]["decrypted"], false);
    // The summary says so.
    rainv()
        .arg("open")
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "LHTICKET:      encrypted, {lh_bytes} bytes"
        )));
}

#[test]
fn open_summary_of_the_example() {
    let now = (EXAMPLE_START + 60).to_string();
    let out = rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .args(["--now", &now])
        .assert()
        .success();
    let text = stdout_of(&out);
    for expected in [
        "user:          helpdesk-demo",
        "password:      required",
        "created:       2026-11-22 09:00:00 UTC",
        "[360 min]: valid, expires in 5 h 59 min",
        "PassStub:      Ec-8Esl*1DC5M*",
        "low speed:     no",
        "    1. 192.0.2.10:49230",
        "LHTICKET (decrypted):",
        "  KH2:         sha256:",
        "    1. fe80::1032:53d9:5a01:909b%3 port 49228",
        "    3. DEMO-PC port 49230",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("warnings:"), "{text}");
}

#[test]
fn open_wrong_password_exits_1() {
    let dir = TempDir::new().unwrap();
    let wrong = password_file(&dir, "AAAAAAAAAAAA");
    rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("wrong password"));
    rainv()
        .arg("open")
        .arg(example())
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "AAAAAAAAAAAA")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("wrong password"));
}

#[test]
fn open_takes_the_password_from_env_or_standard_input() {
    let out = rainv()
        .args(["open", "--json", "--password-env", PW_VAR])
        .arg(example())
        .env(PW_VAR, example_password())
        .assert()
        .success();
    assert_eq!(
        parse_json(&out.get_output().stdout)["lh_ticket"]["decrypted"],
        true
    );
    // The password file may be standard input; only its first line counts.
    let out = rainv()
        .args(["open", "--json", "--password-file", "-"])
        .arg(example())
        .write_stdin(format!("{}\r\nsecond line\n", example_password()))
        .assert()
        .success();
    assert_eq!(
        parse_json(&out.get_output().stdout)["lh_ticket"]["id"],
        SESSION_ID
    );
}

#[test]
fn password_files_drop_a_bom_and_must_be_short() {
    let dir = TempDir::new().unwrap();
    // Notepad's UTF-8 byte order mark is not part of the password.
    let bom = write(
        &dir,
        "bom.txt",
        format!("\u{FEFF}{}\r\n", example_password()),
    );
    let v = open_json([
        example().as_os_str(),
        OsStr::new("--password-file"),
        bom.as_os_str(),
    ]);
    assert_eq!(v["lh_ticket"]["decrypted"], true);
    // Longer than 4096 bytes, or not UTF-8: not a password file (exit 2).
    let long = write(&dir, "long.txt", vec![b'A'; 5000]);
    let latin1 = write(&dir, "latin1.txt", b"p\xe4ss\n");
    for path in [&long, &latin1] {
        rainv()
            .arg("open")
            .arg(example())
            .arg("--password-file")
            .arg(path)
            .assert()
            .code(2)
            .stdout("");
    }
}

#[test]
fn standard_input_cannot_be_both_input_and_password() {
    let bytes = std::fs::read(example()).unwrap();
    rainv()
        .args(["open", "-", "--password-file", "-"])
        .write_stdin(bytes)
        .assert()
        .code(2)
        .stdout("");
    rainv()
        .args([
            "encrypt",
            "--user",
            "x",
            "-",
            "-o",
            "-",
            "--password-file",
            "-",
        ])
        .write_stdin(example_ticket())
        .assert()
        .code(2)
        .stdout("");
}

/// docs/cli.md: "`--password-file -` reads the password from standard input, which is then
/// refused as the input file too (exit 2)". `open` and `encrypt` refuse; `decrypt` must too.
#[test]
fn decrypt_refuses_standard_input_as_both_input_and_password() {
    rainv()
        .args(["decrypt", "-", "--password-file", "-"])
        .write_stdin(std::fs::read(example()).unwrap())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("standard input"));
}

#[test]
fn open_with_an_unset_password_variable_exits_2() {
    rainv()
        .args(["open", "--password-env", PW_VAR])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(PW_VAR));
}

#[test]
fn open_reads_standard_input() {
    let bytes = std::fs::read(example()).unwrap();
    let out = rainv()
        .args(["open", "-", "--json", "--password-env", PW_VAR])
        .env(PW_VAR, example_password())
        .write_stdin(bytes.clone())
        .assert()
        .success();
    let v = parse_json(&out.get_output().stdout);
    assert_eq!(v["username"], "helpdesk-demo");
    assert_eq!(v["lh_ticket"]["decrypted"], true);
    rainv()
        .args(["open", "-", "--no-decrypt"])
        .write_stdin(bytes)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "file:          standard input\n",
        ));
}

#[test]
fn open_invalid_files_exit_1() {
    let dir = TempDir::new().unwrap();
    // (name, bytes, what the error says after "error: PATH: ")
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "malformed XML at line 1, column 1: no root element"),
        ("garbage", b"this is not an invitation".to_vec(), "malformed XML at line 1, column 1: text content is not allowed here"),
        ("binary", vec![0u8, 159, 146, 150, 0, 0], "cannot decode the file as text: NUL character"),
        (
            "doctype",
            b"<!DOCTYPE UPLOADINFO [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><UPLOADINFO/>"
                .to_vec(), "document type declaration (<!DOCTYPE>) at line 1, column 1: refused"),
        ("wrong root", b"<html><body/></html>".to_vec(), "not an invitation: root element is <html>"),
        ("truncated", b"<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA".to_vec(), "malformed XML at line 1, column 51"),
        (
            "no tickets",
            b"<UPLOADINFO><UPLOADDATA USERNAME=\"x\" RCTICKETENCRYPTED=\"1\" DtStart=\"1\" DtLength=\"1\"/></UPLOADINFO>".to_vec(), "not an invitation: <UPLOADDATA> has neither RCTICKET nor LHTICKET"),
        (
            "bad port",
            xp_invitation_with_username("jeff")
                .replace(":3389;", ":0;")
                .into_bytes(), "RCTICKET is malformed: port \"0\" is not a number from 1 to 65535"),
        (
            "bad DtStart",
            xp_invitation_with_username("jeff")
                .replace("1160080069", "-5")
                .into_bytes(), "attribute DtStart=\"-5\" is invalid"),
        ("too large", vec![b' '; 300 * 1024], "input is larger than 262144 bytes"),
    ];
    for (name, bytes, message) in cases {
        let path = write(
            &dir,
            &format!("{}.msrcincident", name.replace(' ', "-")),
            &bytes,
        );
        let out = rainv()
            .arg("open")
            .arg(&path)
            .arg("--no-decrypt")
            .assert()
            .code(1);
        let stderr = stderr_of(&out);
        assert!(
            stderr.starts_with(&format!("error: {}: {message}", path.display())),
            "{name}: {stderr}"
        );
        assert_eq!(stdout_of(&out), "", "{name}");
        // The same bytes on standard input.
        rainv()
            .args(["open", "-", "--json"])
            .write_stdin(bytes)
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::starts_with(format!(
                "error: standard input: {message}"
            )));
    }
}

#[test]
fn open_missing_file_exits_2() {
    let dir = TempDir::new().unwrap();
    rainv()
        .arg("open")
        .arg(dir.path().join("nope.msrcincident"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.msrcincident"));
    // A directory is not readable as a file either.
    rainv()
        .arg("open")
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "error: cannot read {}",
            dir.path().display()
        )));
    // Nor is a missing password file.
    rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(dir.path().join("no-password"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot read the password file"))
        .stderr(predicate::str::contains("no-password"));
}

#[test]
fn open_escapes_control_characters_in_the_username() {
    let dir = TempDir::new().unwrap();
    let path = write(
        &dir,
        "ctl.msrcincident",
        xp_invitation_with_username("a&#27;[31mb&#x202E;c"),
    );
    let out = rainv().arg("open").arg(&path).assert().success();
    let stdout = &out.get_output().stdout;
    assert!(!has_ansi(stdout), "raw ESC in the summary");
    let text = String::from_utf8(stdout.clone()).unwrap();
    assert!(!text.contains('\u{202E}'), "raw RLO in the summary");
    assert!(
        text.contains(r"user:          a\u{1B}[31mb\u{202E}c"),
        "{text}"
    );
    // The JSON keeps the exact name, with the control character escaped as JSON requires.
    let out = rainv()
        .arg("open")
        .arg(&path)
        .arg("--json")
        .assert()
        .success();
    assert!(!has_ansi(&out.get_output().stdout), "raw ESC in the JSON");
    let v = parse_json(&out.get_output().stdout);
    assert_eq!(v["username"], "a\u{1b}[31mb\u{202E}c");
}

#[test]
fn output_has_no_ansi_escapes_off_a_terminal() {
    // An expired invitation is shown in red on a terminal; here stdout is a pipe.
    for no_color in [None, Some("1")] {
        let mut cmd = rainv();
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd
            .arg("open")
            .arg(testdata("ms-rai-sample-xp.msrcincident"))
            .assert()
            .success();
        let output = out.get_output();
        assert!(!has_ansi(&output.stdout));
        assert!(String::from_utf8_lossy(&output.stdout).contains("expired"));
        // Errors neither.
        let mut cmd = rainv();
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.args(["open", "-"]).write_stdin("junk").assert().code(1);
        let output = out.get_output();
        assert!(!has_ansi(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: "));
    }
}

#[test]
fn open_the_vista_sample_and_a_bare_connection_string() {
    let v = open_json([testdata("ms-rai-sample-vista.msrcincident").as_os_str()]);
    assert_eq!(v["kind"], "vista");
    assert_eq!(v["username"], "jeff");
    assert_eq!(v["lh_ticket"]["decrypted"], false);
    assert_eq!(v["rc_ticket"]["addresses"][0]["host"], "172.31.244.101");
    assert_eq!(v["status"], "expired");

    // A bare Connection String 2, as `rainv decrypt` writes it.
    let dir = TempDir::new().unwrap();
    let ticket = dir.path().join("ticket.xml");
    rainv()
        .arg("decrypt")
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .arg("-o")
        .arg(&ticket)
        .assert()
        .success()
        .stdout("");
    let v = open_json([ticket.as_os_str()]);
    assert_eq!(v["kind"], "connection-string");
    for field in [
        "username",
        "rc_ticket_encrypted",
        "dt_start",
        "dt_length_minutes",
        "valid_from",
        "valid_until",
        "status",
        "pass_stub",
        "low_speed",
        "rc_ticket",
    ] {
        assert_eq!(v[field], Value::Null, "{field}");
    }
    assert_eq!(v["lh_ticket"]["decrypted"], true);
    assert_eq!(v["lh_ticket"]["id"], SESSION_ID);
    assert_eq!(v["lh_ticket"]["kh"], KH);
    // No validity (a bare ticket has none) and a KH: nothing about either.
    for warning in v["warnings"].as_array().unwrap() {
        let warning = warning.as_str().unwrap();
        assert!(
            !warning.contains("valid") && !warning.contains("expired") && !warning.contains("KH"),
            "{warning}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Files made by Windows
// ---------------------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn open_json_of_the_windows_files() {
    let (xp, xp_pw) = interop("windows-xp");
    let v = open_json([
        xp.as_os_str(),
        OsStr::new("--password-file"),
        xp_pw.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("2011-09-01T20:00:00Z"),
    ]);
    assert_eq!(v["kind"], "xp");
    assert_eq!(v["username"], "Administrator");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["dt_start"], 1314905741u64);
    assert_eq!(v["dt_length_minutes"], 180);
    assert_eq!(v["pass_stub"], MS_STUB);
    assert_eq!(v["lh_ticket"], Value::Null);
    assert_eq!(
        v["rc_ticket"]["addresses"],
        json!([
            {"host": "10.0.3.105", "port": 3389},
            {"host": "winxpsp3.contoso3.com", "port": 3389},
        ])
    );
    assert_eq!(v["rc_ticket"]["kh"], "IuaRySSbPDNna4+2mKcsKxsbJFI=");
    assert_eq!(v["warnings"], json!([]));

    let (w7, w7_pw) = interop("windows7");
    let v = open_json([
        w7.as_os_str(),
        OsStr::new("--password-file"),
        w7_pw.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("1403972323"),
    ]);
    assert_eq!(v["kind"], "vista");
    assert_eq!(v["username"], "awake");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["dt_length_minutes"], 14400);
    assert_eq!(v["pass_stub"], "WB^6HsrIaFmEpi");
    let lh = &v["lh_ticket"];
    assert_eq!(lh["decrypted"], true);
    assert_eq!(lh["kh"], KH);
    assert_eq!(lh["kh2"], Value::Null);
    assert_eq!(lh["id"], v["rc_ticket"]["session_id"]);
    assert_eq!(lh["kh"], v["rc_ticket"]["kh"]);
    let listeners = lh["transports"][0]["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 4);
    assert_eq!(
        listeners[0],
        json!({"address": "fe80::1032:53d9:5a01:909b%3", "port": 49228, "uri": null})
    );
    assert_eq!(
        v["rc_ticket"]["addresses"],
        json!([
            {"host": "192.168.1.200", "port": 49230},
            {"host": "169.254.6.170", "port": 49231},
        ])
    );
    assert_eq!(v["warnings"], json!([]));

    let (w10, w10_pw) = interop("windows10");
    let v = open_json([
        w10.as_os_str(),
        OsStr::new("--password-file"),
        w10_pw.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("2024-01-04T00:00:00Z"),
    ]);
    assert_eq!(v["kind"], "vista");
    assert_eq!(v["username"], "fx");
    assert_eq!(v["rc_ticket"], Value::Null);
    assert_eq!(v["valid_from"], "2024-01-03T13:27:04Z");
    assert_eq!(v["status"], "expired");
    assert_eq!(v["warnings"], json!(["the invitation has expired"]));
    let lh = &v["lh_ticket"];
    assert_eq!(lh["kh2"]["algorithm"], "sha256");
    let ce = lh["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "CE")
        .expect("the CE attribute is kept");
    assert!(ce["value"].as_str().unwrap().contains('\n'));
    let listeners = lh["transports"][0]["listeners"].as_array().unwrap();
    assert!(
        listeners
            .iter()
            .any(|l| l["address"] == "fe80::b31a:3308:6b91:8831%3")
    );
    assert_eq!(
        listeners.last().unwrap(),
        &json!({"address": "10.0.1.174", "port": 64733, "uri": null})
    );
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn windows_files_refuse_a_wrong_password() {
    for name in ["windows7", "windows10"] {
        let (file, _) = interop(name);
        for sub in ["open", "decrypt"] {
            rainv()
                .arg(sub)
                .arg(&file)
                .args(["--password-env", PW_VAR])
                .env(PW_VAR, "AAAAAAAAAAAA")
                .assert()
                .code(1)
                .stderr(predicate::str::contains("wrong password"));
        }
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn decrypt_windows7_gives_its_published_plaintext() {
    let (file, pw) = interop("windows7");
    let expected = common::read_shared("interop/windows7.lhticket.txt");
    let out = rainv()
        .arg("decrypt")
        .arg(&file)
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .success();
    let text = stdout_of(&out);
    let expected = String::from_utf8(expected).unwrap();
    assert_eq!(text.trim_end(), expected.trim_end());
    assert!(text.ends_with("</E>\r\n"));
    // The hand-written reference (tests/common/reference.rs) agrees.
    let password = interop_password("windows7");
    assert_eq!(
        reference::decrypt_lhticket_hex(&password, &lhticket_of(&file)).as_deref(),
        Some(text.as_str())
    );
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn decrypt_then_encrypt_reproduces_the_windows_lhticket() {
    for (name, format) in [("windows7", "win7"), ("windows10", "vista")] {
        let (file, pw) = interop(name);
        let dir = TempDir::new().unwrap();
        let ticket = dir.path().join("ticket.xml");
        let rebuilt = dir.path().join("rebuilt.msrcincident");
        rainv()
            .arg("decrypt")
            .arg(&file)
            .arg("--password-file")
            .arg(&pw)
            .arg("-o")
            .arg(&ticket)
            .assert()
            .success();
        rainv()
            .args(["encrypt", "--user", "someone"])
            .arg(&ticket)
            .args(["--format", format])
            .arg("--password-file")
            .arg(&pw)
            .arg("-o")
            .arg(&rebuilt)
            .assert()
            .success();
        assert_eq!(lhticket_of(&rebuilt), lhticket_of(&file), "{name}");

        // The same through standard input and output.
        let plain = rainv()
            .arg("decrypt")
            .arg(&file)
            .args(["--password-env", PW_VAR, "-o", "-"])
            .env(PW_VAR, interop_password(name))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = rainv()
            .args([
                "encrypt",
                "--user",
                "x",
                "-",
                "-o",
                "-",
                "--password-env",
                PW_VAR,
            ])
            .env(PW_VAR, interop_password(name))
            .write_stdin(plain)
            .assert()
            .success();
        let text = stdout_of(&out);
        assert_eq!(
            attribute(&text, "LHTICKET").as_deref(),
            Some(lhticket_of(&file).as_str()),
            "{name} via pipes"
        );
    }
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn encrypt_with_rc_ticket_rebuilds_the_windows7_rcticket() {
    let (file, pw) = interop("windows7");
    let dir = TempDir::new().unwrap();
    let ticket = dir.path().join("ticket.xml");
    rainv()
        .arg("decrypt")
        .arg(&file)
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&ticket)
        .assert()
        .success();
    let out = rainv()
        .args(["encrypt", "--user", "x"])
        .arg(&ticket)
        .args(["--with-rc-ticket", "--format", "win7", "-o", "-"])
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .success();
    let text = stdout_of(&out);
    let original = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        attribute(&text, "RCTICKET"),
        attribute(&original, "RCTICKET")
    );
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn passstub_values_of_the_windows_files() {
    let cases = [
        ("windows-xp", MS_STUB, MS_PASS),
        (
            "windows7",
            "WB^6HsrIaFmEpi",
            "777DFAAE9028124DD02EDE8014221B4AD1F4EC138539D733AC767895B2D857D9",
        ),
        (
            "windows10",
            "e4=3CiFuM6h2qH",
            "15200496AF33C6E01BBF4A15C9C1B871443F2E93A882352B24080655164E9D3B",
        ),
    ];
    for (name, stub, pass) in cases {
        let (_, pw) = interop(name);
        rainv()
            .args(["passstub", "encrypt", "--stub", stub, "--password-file"])
            .arg(&pw)
            .assert()
            .success()
            .stdout(format!("{pass}\n"))
            .stderr("");
        rainv()
            .args(["passstub", "verify", "--stub", stub, "--blob", pass])
            .arg("--password-file")
            .arg(&pw)
            .assert()
            .success()
            .stdout("match\n");
    }
}

// ---------------------------------------------------------------------------------------------
// create
// ---------------------------------------------------------------------------------------------

/// `rainv create` with a password file and the common options, into `dir/name`.
fn create_cmd(dir: &TempDir, name: &str, password: &str) -> (Command, PathBuf) {
    let out = dir.path().join(name);
    let pw = write(dir, &format!("{name}.password"), format!("{password}\n"));
    let mut cmd = rainv();
    cmd.arg("create")
        .args(["--user", "alice"])
        .args(["--address", "192.0.2.10:3389"])
        .args(["--kh", KH])
        .arg("--password-file")
        .arg(pw)
        .arg("-o")
        .arg(&out);
    (cmd, out)
}

#[test]
fn create_decrypts_independently_and_reopens_with_the_same_fields() {
    let dir = TempDir::new().unwrap();
    let password = "PÄSSWORT-€-1";
    let (mut cmd, out) = create_cmd(&dir, "alice.msrcincident", password);
    cmd.args(["--address", "[fe80::1%3]:49228"])
        .args(["--address", "ALICE-PC:3390"])
        .args(["--kh2", &format!("sha256:{KH2_HASH}")])
        .args(["--session-id", SESSION_ID])
        .args([
            "--now",
            "2025-03-04T05:06:07Z",
            "--expires",
            "2h",
            "--low-speed",
        ])
        .assert()
        .success()
        .stdout("");

    // Decrypt with the hand-written reference (tests/common/reference.rs), not rainv.
    let plain = reference::decrypt_lhticket_hex(password, &lhticket_of(&out))
        .expect("the LHTICKET decrypts with the documented algorithm");
    assert!(plain.starts_with("<E>"), "{plain}");
    assert!(plain.ends_with("</E>\r\n"), "{plain:?}");
    let parsed = rainv::ConnectionString2::parse(&plain, &rainv::Limits::default()).unwrap();
    let listener = |address: &str, port: u16| rainv::Listener {
        address: address.to_string(),
        port: Some(port),
        uri: None,
    };
    let expected = rainv::ConnectionString2 {
        kh: Some(KH.to_string()),
        kh2: Some(format!("sha256:{KH2_HASH}").parse().unwrap()),
        id: SESSION_ID.to_string(),
        extra: Vec::new(),
        transports: vec![rainv::Transport {
            id: 1,
            session_id: 0,
            listeners: vec![
                listener("192.0.2.10", 3389),
                listener("fe80::1%3", 49228),
                listener("ALICE-PC", 3390),
            ],
        }],
    };
    assert_eq!(parsed, expected);

    // rainv's own decrypt gives exactly the same text.
    rainv()
        .arg("decrypt")
        .arg(&out)
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, password)
        .assert()
        .success()
        .stdout(plain.clone());

    // And `open` reports the same fields.
    let v = rainv()
        .args([
            "open",
            "--json",
            "--password-env",
            PW_VAR,
            "--now",
            "1741064767",
        ])
        .arg(&out)
        .env(PW_VAR, password)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = parse_json(&v);
    assert_eq!(v["kind"], "vista");
    assert_eq!(v["username"], "alice");
    assert_eq!(v["dt_start"], 1_741_064_767u64);
    assert_eq!(v["valid_from"], "2025-03-04T05:06:07Z");
    assert_eq!(v["dt_length_minutes"], 120);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["low_speed"], true);
    assert_eq!(v["rc_ticket_encrypted"], true);
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(
        v["lh_ticket"],
        json!({
            "decrypted": true,
            "kh": KH,
            "kh2": {"algorithm": "sha256", "hash": KH2_HASH},
            "id": SESSION_ID,
            "attributes": [],
            "transports": [{"id": 1, "sid": 0, "listeners": [
                {"address": "192.0.2.10", "port": 3389, "uri": null},
                {"address": "fe80::1%3", "port": 49228, "uri": null},
                {"address": "ALICE-PC", "port": 3390, "uri": null},
            ]}],
        })
    );
    // The RCTICKET for XP experts holds the IPv4 and name listeners, never the IPv6 one.
    assert_eq!(
        v["rc_ticket"],
        json!({
            "addresses": [
                {"host": "192.0.2.10", "port": 3389},
                {"host": "ALICE-PC", "port": 3390},
            ],
            "session_id": SESSION_ID,
            "kh": KH,
        })
    );
    // A fresh PassStub of Windows' shape.
    let stub = v["pass_stub"].as_str().unwrap();
    assert_stub_shape(stub);
}

#[test]
fn create_writes_each_layout() {
    let dir = TempDir::new().unwrap();
    // vista (the default): Windows 10's layout, a line break after the declaration.
    let (mut cmd, vista) = create_cmd(&dir, "vista.msrcincident", "ABCDEFGH1234");
    cmd.assert().success();
    let text = String::from_utf8(std::fs::read(&vista).unwrap()).unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\"?>\n<UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "),
        "{text}"
    );
    // win7: all on one line.
    let (mut cmd, win7) = create_cmd(&dir, "win7.msrcincident", "ABCDEFGH1234");
    cmd.args(["--format", "win7"]).assert().success();
    let text = String::from_utf8(std::fs::read(&win7).unwrap()).unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\"?><UPLOADINFO TYPE=\"Escalated\"><UPLOADDATA "),
        "{text}"
    );
    assert!(!text.contains('\n'));
    for path in [&vista, &win7] {
        let v = rainv()
            .args(["open", "--json", "--password-env", PW_VAR])
            .arg(path)
            .env(PW_VAR, "ABCDEFGH1234")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let v = parse_json(&v);
        assert_eq!(v["kind"], "vista");
        assert_eq!(v["username"], "alice");
        assert_eq!(v["lh_ticket"]["decrypted"], true);
        assert_eq!(v["rc_ticket"]["kh"], KH);
    }
}

#[test]
fn create_xp_writes_utf16le_with_a_bom_and_no_lhticket() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("xp.msrcincident");
    // XP's RCTICKET is not encrypted: no password is asked for.
    rainv()
        .args(["create", "--format", "xp", "--user", "bob"])
        .args(["--address", "192.0.2.7:3389", "--kh", KH])
        .args(["--now", "1700000000", "--minutes", "60"])
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE byte order mark");
    let text = from_utf16le(&bytes[2..]);
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"Unicode\" ?>\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\nUSERNAME=\"bob\""), "{text}");
    assert!(!text.contains("LHTICKET"), "{text}");
    let v = open_json([
        out.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("1700000001"),
    ]);
    assert_eq!(v["kind"], "xp");
    assert_eq!(v["username"], "bob");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["dt_length_minutes"], 60);
    assert_eq!(v["lh_ticket"], Value::Null);
    assert_eq!(
        v["rc_ticket"]["addresses"],
        json!([{"host": "192.0.2.7", "port": 3389}])
    );
    assert_eq!(v["rc_ticket"]["kh"], KH);
    // A random RASessionID of 32 bytes, as XP makes them.
    let id = v["rc_ticket"]["session_id"].as_str().unwrap();
    assert_eq!(base64_len(id), 32, "{id}");
    assert_stub_shape(v["pass_stub"].as_str().unwrap());
    // Without a KH there is nothing an XP expert could check: refused.
    rainv()
        .args(["create", "--format", "xp", "--user", "bob"])
        .args(["--address", "192.0.2.7:3389"])
        .arg("-o")
        .arg(dir.path().join("xp2.msrcincident"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("an RCTICKET needs a KH"));
    assert!(!dir.path().join("xp2.msrcincident").exists());
}

#[test]
fn create_without_kh_warns_and_writes_no_rcticket() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("nokh.msrcincident");
    let result = rainv()
        .args(["create", "--user", "carol", "--address", "192.0.2.8:3389"])
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "ZZZZZZZZZZZZ")
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(stderr_of(&result).contains("warning: no --kh given"));
    let v = rainv()
        .args(["open", "--json", "--password-env", PW_VAR])
        .arg(&out)
        .env(PW_VAR, "ZZZZZZZZZZZZ")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = parse_json(&v);
    assert_eq!(v["rc_ticket"], Value::Null);
    assert_eq!(v["lh_ticket"]["kh"], Value::Null);
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("no KH"))
    );

    // --vista-only leaves out the RCTICKET even with a KH.
    let (mut cmd, out) = create_cmd(&dir, "vonly.msrcincident", "ZZZZZZZZZZZZ");
    cmd.arg("--vista-only").assert().success();
    let v = open_json([out.as_os_str(), OsStr::new("--no-decrypt")]);
    assert_eq!(v["rc_ticket"], Value::Null);
    assert_eq!(v["kind"], "vista");
}

#[test]
fn create_defaults_to_360_minutes_from_now() {
    let dir = TempDir::new().unwrap();
    let before = chrono::Utc::now().timestamp();
    let (mut cmd, out) = create_cmd(&dir, "now.msrcincident", "ABCDEFGH1234");
    cmd.assert().success();
    let after = chrono::Utc::now().timestamp();
    let v = open_json([out.as_os_str(), OsStr::new("--no-decrypt")]);
    let start = v["dt_start"].as_i64().unwrap();
    assert!((before..=after).contains(&start), "{start}");
    assert_eq!(v["dt_length_minutes"], 360);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["low_speed"], false);
}

#[test]
fn create_usage_errors_exit_2_and_write_nothing() {
    let dir = TempDir::new().unwrap();
    let pw = password_file(&dir, "ABCDEFGH1234");
    let out = dir.path().join("never.msrcincident");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--address", "192.0.2.10:3389"],
            "required arguments were not provided:\n  --user <NAME>",
        ),
        // Bad addresses.
        (
            &["--user", "a", "--address", "192.0.2.10"],
            "--address 192.0.2.10: no :PORT",
        ),
        (
            &["--user", "a", "--address", "192.0.2.10:0"],
            "--address 192.0.2.10:0: the port is not a number from 1 to 65535",
        ),
        (
            &["--user", "a", "--address", "192.0.2.10:65536"],
            "--address 192.0.2.10:65536: the port is not a number from 1 to 65535",
        ),
        (
            &["--user", "a", "--address", "192.0.2.10:http"],
            "--address 192.0.2.10:http: the port is not a number",
        ),
        (
            &["--user", "a", "--address", ":3389"],
            "--address :3389: the host is empty",
        ),
        (
            &["--user", "a", "--address", "fe80::1:3389"],
            "--address fe80::1:3389: IPv6 addresses need brackets",
        ),
        (
            &["--user", "a", "--address", "[fe80::1]3389"],
            "--address [fe80::1]3389: no ]:PORT after the IPv6 address",
        ),
        (
            &["--user", "a", "--address", "bad host:3389"],
            "--address bad host:3389: the host is empty or has spaces",
        ),
        (
            &["--user", "a", "--address", "evil\u{1b}[31m:3389"],
            "--address evil\\u{1B}[31m:3389: the host is empty or has spaces or control characters",
        ),
        // Bad hashes and IDs.
        (
            &["--user", "a", "--address", "h:1", "--kh2", "md5:AAAA"],
            "--kh2: the decrypted ticket (Connection String 2) is malformed: KH2 names hash algorithm \"md5\"",
        ),
        (
            &["--user", "a", "--address", "h:1", "--kh2", "sha256:AAAA"],
            "KH2 hash decodes to 3 bytes, expected 32",
        ),
        (
            &["--user", "a", "--address", "h:1", "--kh", "AAAA"],
            "KH decodes to 3 bytes, expected 20",
        ),
        (
            &["--user", "a", "--address", "h:1", "--kh", "not base64!"],
            "KH \"not base64!\" is not base64",
        ),
        (
            &["--user", "a", "--address", "h:1", "--session-id", "!!"],
            "ID \"!!\" is not base64",
        ),
        // Bad times and durations.
        (
            &["--user", "a", "--address", "h:1", "--expires", "3w"],
            "--expires 3w: not a duration",
        ),
        (
            &["--user", "a", "--address", "h:1", "--expires", "h"],
            "--expires h: not a duration",
        ),
        (
            &["--user", "a", "--address", "h:1", "--minutes", "-1"],
            "unexpected argument '-1' found",
        ),
        (
            &["--user", "a", "--address", "h:1", "--now", "-1"],
            "unexpected argument '-1' found",
        ),
        (
            &[
                "--user",
                "a",
                "--address",
                "h:1",
                "--now",
                "1969-12-31T23:59:59Z",
            ],
            "--now is before 1970",
        ),
        (
            &["--user", "a", "--address", "h:1", "--now", "soon"],
            "--now soon: ",
        ),
    ];
    for (args, message) in cases {
        let assert = rainv()
            .arg("create")
            .args(*args)
            .arg("--password-file")
            .arg(&pw)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2);
        let stderr = stderr_of(&assert);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote a file");
    }
    // --generate-password cannot be combined with another password source.
    rainv()
        .args([
            "create",
            "--user",
            "a",
            "--address",
            "h:1",
            "--generate-password",
        ])
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'--generate-password' cannot be used with '--password-file <PATH>'",
        ));
    // An output directory that does not exist is an I/O error.
    rainv()
        .args(["create", "--user", "a", "--address", "h:1"])
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(dir.path().join("no/such/dir/x.msrcincident"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"))
        .stderr(predicate::str::contains(
            "check the path and its permissions",
        ));
}

#[test]
fn create_needs_a_password_when_standard_input_is_not_a_terminal() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("x.msrcincident");
    rainv()
        .args(["create", "--user", "a", "--address", "h:1", "--kh", KH])
        .arg("-o")
        .arg(&out)
        .write_stdin("ABCDEFGH1234\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("password"));
    assert!(!out.exists());
}

#[test]
fn create_and_encrypt_refuse_an_empty_password() {
    let dir = TempDir::new().unwrap();
    let empty = write(&dir, "empty.txt", "\n");
    let out = dir.path().join("x.msrcincident");
    rainv()
        .args(["create", "--user", "a", "--address", "h:1", "--kh", KH])
        .arg("--password-file")
        .arg(&empty)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    rainv()
        .args(["encrypt", "--user", "a", "-", "-o"])
        .arg(&out)
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "")
        .write_stdin(example_ticket())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
    assert!(!out.exists());
}

#[test]
fn create_xp_refuses_password_options() {
    let dir = TempDir::new().unwrap();
    let pw = password_file(&dir, "ABCDEFGH1234");
    let out = dir.path().join("xp.msrcincident");
    let base = [
        "create",
        "--format",
        "xp",
        "--user",
        "a",
        "--address",
        "h:1",
        "--kh",
        KH,
    ];
    rainv()
        .args(base)
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "XP invitations hold no encrypted ticket, so a password given here would not be used",
        ));
    rainv()
        .args(base)
        .arg("--generate-password")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("password: ").not());
    assert!(!out.exists());
}

#[test]
fn an_existing_output_is_refused_before_the_password_is_asked() {
    let dir = TempDir::new().unwrap();
    let taken = write(&dir, "taken.msrcincident", "precious");
    // No password source and no terminal: the existing file is what is reported.
    rainv()
        .args([
            "create",
            "--user",
            "a",
            "--address",
            "h:1",
            "--kh",
            KH,
            "-o",
        ])
        .arg(&taken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    rainv()
        .args(["encrypt", "--user", "a", "-", "-o"])
        .arg(&taken)
        .write_stdin(example_ticket())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&taken).unwrap(), b"precious");
}

#[test]
fn create_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    let existing = write(&dir, "taken.msrcincident", "precious");
    let (mut cmd, out) = create_cmd(&dir, "taken.msrcincident", "ABCDEFGH1234");
    assert_eq!(out, existing);
    cmd.assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");

    let (mut cmd, _) = create_cmd(&dir, "taken.msrcincident", "ABCDEFGH1234");
    cmd.arg("--force").assert().success();
    let v = open_json([existing.as_os_str(), OsStr::new("--no-decrypt")]);
    assert_eq!(v["username"], "alice");
    // No temporary files are left beside the output.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn create_writes_to_standard_output() {
    let out = rainv()
        .args(["create", "--user", "dave", "--address", "192.0.2.9:3389"])
        .args(["--kh", KH, "--password-env", PW_VAR, "-o", "-"])
        .env(PW_VAR, "ABCDEFGH1234")
        .assert()
        .success();
    let bytes = &out.get_output().stdout;
    let inv = rainv::Invitation::from_bytes(bytes).unwrap();
    assert_eq!(inv.username, "dave");
    let ticket = inv
        .decrypt(&rainv::Password::new("ABCDEFGH1234"))
        .unwrap()
        .unwrap();
    assert_eq!(ticket.connection().kh.as_deref(), Some(KH));
    // A random session ID of 48 bytes, shared by both tickets.
    assert_eq!(base64_len(&ticket.connection().id), 48);
    assert_eq!(
        inv.rc_ticket.as_ref().unwrap().session_id,
        ticket.connection().id
    );
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert_eq!(
        reference::decrypt_lhticket_hex("ABCDEFGH1234", &attribute(&text, "LHTICKET").unwrap())
            .as_deref(),
        Some(ticket.text())
    );
}

#[test]
fn create_generate_password_prints_it_once_and_it_works() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("gen.msrcincident");
    let result = rainv()
        .args(["create", "--user", "erin", "--address", "192.0.2.11:3389"])
        .args(["--kh", KH, "--generate-password"])
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let stderr = stderr_of(&result);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("password: "))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert_eq!(stderr.matches("password:").count(), 1, "{stderr}");
    let password = &lines[0]["password: ".len()..];
    assert_eq!(password.len(), 12, "{password:?}");
    assert!(
        password
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{password:?}"
    );
    // The file decrypts with it, in rainv and in the hand-written reference.
    rainv()
        .arg("decrypt")
        .arg(&out)
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, password)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("<E>"));
    let plain = reference::decrypt_lhticket_hex(password, &lhticket_of(&out)).unwrap();
    assert!(plain.starts_with("<E>"), "{plain}");
    // And not with another.
    rainv()
        .arg("decrypt")
        .arg(&out)
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "AAAAAAAAAAAA")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("wrong password"));
}

// ---------------------------------------------------------------------------------------------
// decrypt
// ---------------------------------------------------------------------------------------------

#[test]
fn decrypt_the_example() {
    let out = rainv()
        .arg("decrypt")
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(text.starts_with("<E><A KH=\""), "{text}");
    assert!(text.ends_with("</E>\r\n"), "{text:?}");
    assert_eq!(
        reference::decrypt_lhticket_hex(&example_password(), &lhticket_of(&example())).as_deref(),
        Some(text.as_str())
    );
    // From standard input, to standard output given explicitly.
    rainv()
        .args(["decrypt", "-", "-o", "-", "--password-env", PW_VAR])
        .env(PW_VAR, example_password())
        .write_stdin(std::fs::read(example()).unwrap())
        .assert()
        .success()
        .stdout(text.clone());
}

#[test]
fn decrypt_to_a_file_refuses_to_overwrite_without_force() {
    let dir = TempDir::new().unwrap();
    let out = write(&dir, "ticket.xml", "keep me");
    let run = |force: bool| {
        let mut cmd = rainv();
        cmd.arg("decrypt")
            .arg(example())
            .arg("--password-file")
            .arg(example_password_file())
            .arg("-o")
            .arg(&out);
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
    };
    run(false)
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    run(true).success().stdout("");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("<E>") && written.ends_with("\r\n"));
}

#[test]
fn decrypt_exit_codes() {
    let dir = TempDir::new().unwrap();
    let wrong = password_file(&dir, "AAAAAAAAAAAA");
    // Wrong password: 1.
    rainv()
        .arg("decrypt")
        .arg(example())
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1)
        .stdout("");
    // An XP file has no LHTICKET: 1.
    rainv()
        .arg("decrypt")
        .arg(testdata("ms-rai-sample-xp.msrcincident"))
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no LHTICKET"));
    // Not an invitation: 1.
    rainv()
        .args(["decrypt", "-", "--password-file"])
        .arg(&wrong)
        .write_stdin("<nope/>")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "standard input: not an invitation: root element is <nope>",
        ));
    // A bare Connection String 2 is not an invitation: 1.
    rainv()
        .args(["decrypt", "-", "--password-file"])
        .arg(&wrong)
        .write_stdin(example_ticket())
        .assert()
        .code(1)
        .stdout("");
    // No password and standard input not a terminal: 2.
    rainv()
        .arg("decrypt")
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--password-file"));
    // Missing file: 2.
    rainv()
        .arg("decrypt")
        .arg(dir.path().join("missing.msrcincident"))
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"))
        .stderr(predicate::str::contains("missing.msrcincident"));
}

// ---------------------------------------------------------------------------------------------
// encrypt
// ---------------------------------------------------------------------------------------------

fn example_ticket() -> Vec<u8> {
    rainv()
        .arg("decrypt")
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone()
}

#[test]
fn encrypt_wraps_a_ticket_with_the_given_fields() {
    let ticket = example_ticket();
    let out = rainv()
        .args(["encrypt", "-", "-o", "-", "--format", "win7"])
        .args(["--user", "frank & <co>", "--minutes", "90", "--low-speed"])
        .args(["--now", "2030-01-01T00:00:00Z", "--password-env", PW_VAR])
        .env(PW_VAR, "NEWPASSWORD9")
        .write_stdin(ticket.clone())
        .assert()
        .success();
    let bytes = out.get_output().stdout.clone();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\"?><UPLOADINFO"));
    assert!(
        text.contains("USERNAME=\"frank &amp; &lt;co&gt;\""),
        "{text}"
    );
    // Exactly the given text is encrypted.
    let lh = attribute(&text, "LHTICKET").unwrap();
    assert_eq!(
        reference::decrypt_lhticket_hex("NEWPASSWORD9", &lh).map(String::into_bytes),
        Some(ticket)
    );
    assert!(attribute(&text, "RCTICKET").is_none());

    let dir = TempDir::new().unwrap();
    let file = write(&dir, "wrapped.msrcincident", &bytes);
    let v = rainv()
        .args([
            "open",
            "--json",
            "--password-env",
            PW_VAR,
            "--now",
            "1893456000",
        ])
        .arg(&file)
        .env(PW_VAR, "NEWPASSWORD9")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v = parse_json(&v);
    assert_eq!(v["username"], "frank & <co>");
    assert_eq!(v["dt_start"], 1_893_456_000u64);
    assert_eq!(v["dt_length_minutes"], 90);
    assert_eq!(v["low_speed"], true);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["lh_ticket"]["id"], SESSION_ID);
    assert_stub_shape(v["pass_stub"].as_str().unwrap());
}

#[test]
fn encrypt_exit_codes() {
    let dir = TempDir::new().unwrap();
    let pw = password_file(&dir, "ABCDEFGH1234");
    let ticket = write(&dir, "ticket.xml", example_ticket());
    let out = dir.path().join("out.msrcincident");
    // An invitation is not a ticket: 1.
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(example())
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already an invitation"));
    // Garbage: 1.
    rainv()
        .args(["encrypt", "--user", "x", "-", "-o", "-", "--password-file"])
        .arg(&pw)
        .write_stdin("<E><A/></E>")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "standard input: the decrypted ticket (Connection String 2) is malformed: <E> has no <C>",
        ));
    // XP cannot carry an LHTICKET: 2.
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(&ticket)
        .args(["--format", "xp", "--password-file"])
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value 'xp' for '--format <FORMAT>'",
        ));
    // No password: 2.
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(&ticket)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a password is needed and standard input is not a terminal",
        ));
    // Missing input: 2.
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(dir.path().join("missing.xml"))
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"))
        .stderr(predicate::str::contains("missing.xml"));
    assert!(!out.exists());
    // Overwriting: refused, then forced.
    let taken = write(&dir, "taken.msrcincident", "x");
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(&ticket)
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&taken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(&taken).unwrap(), b"x");
    rainv()
        .args(["encrypt", "--user", "x"])
        .arg(&ticket)
        .arg("--password-file")
        .arg(&pw)
        .arg("-o")
        .arg(&taken)
        .arg("--force")
        .assert()
        .success();
    assert!(rainv::Invitation::from_bytes(&std::fs::read(&taken).unwrap()).is_ok());
}

#[test]
fn encrypt_warns_about_a_ticket_without_kh() {
    let ticket = "<E><A ID=\"AAAA\"/><C><T ID=\"1\" SID=\"0\"><L P=\"3389\" N=\"192.0.2.1\"/></T></C></E>\r\n";
    rainv()
        .args([
            "encrypt",
            "--user",
            "x",
            "-",
            "-o",
            "-",
            "--password-env",
            PW_VAR,
        ])
        .env(PW_VAR, "ABCDEFGH1234")
        .write_stdin(ticket)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: the ticket has no KH"));
    // --with-rc-ticket needs a KH: refused as invalid.
    rainv()
        .args(["encrypt", "--user", "x", "-", "-o", "-", "--with-rc-ticket"])
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "ABCDEFGH1234")
        .write_stdin(ticket)
        .assert()
        .code(1)
        .stdout("");
}

// ---------------------------------------------------------------------------------------------
// passstub
// ---------------------------------------------------------------------------------------------

fn assert_stub_shape(stub: &str) {
    let b = stub.as_bytes();
    assert_eq!(b.len(), 14, "{stub:?}");
    let any = |c: u8| c.is_ascii_alphanumeric() || c == b'*' || c == b'_';
    assert!(any(b[0]) && any(b[1]), "{stub:?}");
    assert!(b"!@#$&^*()-+=".contains(&b[2]), "{stub:?}");
    assert!(b[3].is_ascii_digit(), "{stub:?}");
    assert!(b[4].is_ascii_uppercase(), "{stub:?}");
    assert!(b[5].is_ascii_lowercase(), "{stub:?}");
    assert!(b[6..].iter().all(|&c| any(c)), "{stub:?}");
}

#[test]
fn passstub_generate() {
    let first = stdout_of(&rainv().args(["passstub", "generate"]).assert().success());
    let second = stdout_of(&rainv().args(["passstub", "generate"]).assert().success());
    for out in [&first, &second] {
        assert!(out.ends_with('\n'));
        assert_eq!(out.lines().count(), 1);
        assert_stub_shape(out.trim_end());
    }
    assert_ne!(first, second);
}

#[test]
fn passstub_encrypt_verify_and_expert_blob() {
    let dir = TempDir::new().unwrap();
    let pw = password_file(&dir, "Password1");
    rainv()
        .args(["passstub", "encrypt", "--stub", MS_STUB, "--password-file"])
        .arg(&pw)
        .assert()
        .success()
        .stdout(format!("{MS_PASS}\n"))
        .stderr("");
    // Match (either case of hex): 0.
    for blob in [MS_PASS.to_string(), MS_PASS.to_lowercase()] {
        rainv()
            .args(["passstub", "verify", "--stub", MS_STUB, "--blob", &blob])
            .arg("--password-file")
            .arg(&pw)
            .assert()
            .success()
            .stdout("match\n");
    }
    // Mismatch: 1, with "mismatch" and no error message.
    rainv()
        .args([
            "passstub",
            "verify",
            "--stub",
            "RT=0PvIndan52_",
            "--blob",
            MS_PASS,
        ])
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .code(1)
        .stdout("mismatch\n")
        .stderr("");
    rainv()
        .args(["passstub", "verify", "--stub", MS_STUB, "--blob", MS_PASS])
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "Password2")
        .assert()
        .code(1)
        .stdout("mismatch\n");
    // A PASS value that is not hex is refused, with nothing on standard output. (docs/cli.md
    // says exit 1, the code gives 2 as for a bad option value; either is an error.)
    rainv()
        .args(["passstub", "verify", "--stub", MS_STUB, "--blob", "xyz"])
        .arg("--password-file")
        .arg(&pw)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--blob"));
    // The expert blob, as Microsoft's example gives it.
    rainv()
        .args(["passstub", "expert-blob", "--name", "Edgar Olougouna"])
        .args(["--stub", MS_STUB, "--password-file"])
        .arg(&pw)
        .assert()
        .success()
        .stdout(format!("20;NAME=Edgar Olougouna69;PASS={MS_PASS}\n"));
    // A stub Windows would not make: a warning, but the value is still computed.
    rainv()
        .args(["passstub", "encrypt", "--stub", "short", "--password-file"])
        .arg(&pw)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:"));
    // No password and no terminal: 2, for every subcommand that needs one.
    for args in [
        &["passstub", "encrypt", "--stub", MS_STUB][..],
        &["passstub", "verify", "--stub", MS_STUB, "--blob", MS_PASS][..],
        &["passstub", "expert-blob", "--name", "x", "--stub", MS_STUB][..],
    ] {
        rainv().args(args).assert().code(2).stdout("");
    }
}

// ---------------------------------------------------------------------------------------------
// completions, man
// ---------------------------------------------------------------------------------------------

#[test]
fn completions_bash() {
    let out = rainv().args(["completions", "bash"]).assert().success();
    let text = stdout_of(&out);
    assert!(text.contains("_rainv()"), "{text}");
    assert!(text.contains("complete -F _rainv"), "{text}");
    for word in [
        "open",
        "create",
        "decrypt",
        "encrypt",
        "passstub",
        "--password-file",
    ] {
        assert!(text.contains(word), "{word}");
    }
}

#[test]
fn man_page() {
    let out = rainv().arg("man").assert().success();
    let text = stdout_of(&out);
    assert!(text.contains(".TH rainv"), "{text}");
    assert!(text.contains("Exit codes"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// The password prompt, on a real pseudo-terminal
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
mod pty {
    use super::*;
    use rexpect::process::WaitStatus;
    use rexpect::session::{PtySession, spawn_command};

    const TIMEOUT_MS: u64 = 30_000;

    /// Start rainv on a new pseudo-terminal (its stdin, stdout and stderr, and its controlling
    /// terminal).
    fn spawn(args: &[&OsStr], no_color: bool) -> PtySession {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
        cmd.args(args).env_remove(PW_VAR);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn rainv on a pty")
    }

    /// Read everything up to the end, then the exit code.
    fn finish(session: &mut PtySession) -> (String, i32) {
        let rest = session.exp_eof().expect("rainv ends");
        match session.process().wait().expect("wait for rainv") {
            WaitStatus::Exited(_, code) => (rest, code),
            other => panic!("rainv did not exit normally: {other:?}\n{rest}"),
        }
    }

    #[test]
    fn open_prompts_for_the_password() {
        let now = (EXAMPLE_START + 60).to_string();
        let file = example();
        let args = [
            OsStr::new("open"),
            file.as_os_str(),
            OsStr::new("--now"),
            OsStr::new(&now),
        ];
        let mut s = spawn(&args, true);
        s.exp_string("Password:").unwrap();
        s.send_line(&example_password()).unwrap();
        let (out, code) = finish(&mut s);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("LHTICKET (decrypted):"), "{out}");
        assert!(
            out.contains("fe80::1032:53d9:5a01:909b%3 port 49228"),
            "{out}"
        );
        // The password is never echoed.
        assert!(!out.contains(&example_password()), "{out}");
        // NO_COLOR: no escapes even on a terminal.
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }

    #[test]
    fn open_colours_on_a_terminal_unless_no_color() {
        let now = (EXAMPLE_START + 60).to_string();
        let file = example();
        let args = [
            OsStr::new("open"),
            file.as_os_str(),
            OsStr::new("--no-decrypt"),
            OsStr::new("--now"),
            OsStr::new(&now),
        ];
        let mut s = spawn(&args, false);
        let (out, code) = finish(&mut s);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("\u{1b}[32mvalid"), "{out:?}");
        let mut s = spawn(&args, true);
        let (out, code) = finish(&mut s);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("valid, expires in"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out:?}");
        // An empty NO_COLOR does not count.
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
        cmd.args(args).env("NO_COLOR", "");
        let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
        let (out, code) = finish(&mut s);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("\u{1b}[32mvalid"), "{out:?}");
    }

    #[test]
    fn open_with_a_wrong_password_at_the_prompt_exits_1() {
        let file = example();
        let mut s = spawn(&[OsStr::new("open"), file.as_os_str()], true);
        s.exp_string("Password:").unwrap();
        s.send_line("AAAAAAAAAAAA").unwrap();
        let (out, code) = finish(&mut s);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("wrong password"), "{out}");
    }

    fn create_args(out: &Path) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = [
            "create",
            "--user",
            "grace",
            "--address",
            "192.0.2.12:3389",
            "--kh",
            KH,
            "-o",
        ]
        .iter()
        .map(std::ffi::OsString::from)
        .collect();
        args.push(out.as_os_str().to_owned());
        args
    }

    #[test]
    fn create_prompts_twice() {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("typed.msrcincident");
        let args = create_args(&out);
        let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let mut s = spawn(&args, true);
        s.exp_string("Password:").unwrap();
        s.send_line("TYPED123PASS").unwrap();
        s.exp_string("Password again:").unwrap();
        s.send_line("TYPED123PASS").unwrap();
        let (rest, code) = finish(&mut s);
        assert_eq!(code, 0, "{rest}");
        assert!(out.exists());
        rainv()
            .arg("decrypt")
            .arg(&out)
            .args(["--password-env", PW_VAR])
            .env(PW_VAR, "TYPED123PASS")
            .assert()
            .success()
            .stdout(predicate::str::starts_with("<E>"));
        let plain = reference::decrypt_lhticket_hex("TYPED123PASS", &lhticket_of(&out)).unwrap();
        assert!(plain.starts_with("<E>"), "{plain}");
    }

    #[test]
    fn create_with_differing_passwords_exits_2() {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("typo.msrcincident");
        let args = create_args(&out);
        let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let mut s = spawn(&args, true);
        s.exp_string("Password:").unwrap();
        s.send_line("TYPED123PASS").unwrap();
        s.exp_string("Password again:").unwrap();
        s.send_line("TYPED123PASX").unwrap();
        let (rest, code) = finish(&mut s);
        assert_eq!(code, 2, "{rest}");
        assert!(rest.contains("the two passwords differ"), "{rest}");
        assert!(!out.exists());
    }
}

/// The size limits on what `open` reads, one byte either side: the invitation (256 KiB) and
/// the password file (4096 bytes).
#[test]
fn open_reads_inputs_up_to_their_limits() {
    let dir = TempDir::new().unwrap();
    let padded = |size: usize| {
        let mut bytes = std::fs::read(example()).unwrap();
        bytes.resize(size, b' ');
        bytes
    };
    let now = (EXAMPLE_START + 60).to_string();
    let at_limit = write(&dir, "limit.msrcincident", padded(256 * 1024));
    let over = write(&dir, "over.msrcincident", padded(256 * 1024 + 1));
    rainv()
        .args(["open", "--no-decrypt", "--now", &now])
        .arg(&at_limit)
        .assert()
        .success()
        .stdout(predicate::str::contains("helpdesk-demo"));
    rainv()
        .args(["open", "--no-decrypt", "--now", &now])
        .arg(&over)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "input is larger than 262144 bytes, the limit for an invitation",
        ));
    let password_file = |size: usize| {
        let mut text = format!("{}\n", example_password()).into_bytes();
        text.resize(size, b'#');
        text
    };
    let pw_at_limit = write(&dir, "pw-limit.txt", password_file(4096));
    let pw_over = write(&dir, "pw-over.txt", password_file(4097));
    rainv()
        .args(["open", "--json", "--now", &now, "--password-file"])
        .arg(&pw_at_limit)
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains("\"decrypted\":true"));
    rainv()
        .args(["open", "--now", &now, "--password-file"])
        .arg(&pw_over)
        .arg(example())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("is longer than 4096 bytes"));
}

/// `--expires` in every unit it takes, and a bare number of minutes.
#[test]
fn create_expires_takes_minutes_hours_and_days() {
    for (expires, minutes) in [
        ("90", 90),
        ("90m", 90),
        ("90min", 90),
        ("6h", 360),
        ("2d", 2880),
    ] {
        let out = rainv()
            .args([
                "create",
                "--user",
                "a",
                "--address",
                "192.0.2.1:3389",
                "--kh",
                KH,
            ])
            .args(["--expires", expires, "--password-env", PW_VAR, "-o", "-"])
            .env(PW_VAR, "ABCDEFGH1234")
            .assert()
            .success();
        let file = stdout_of(&out);
        assert_eq!(
            attribute(&file, "DtLength").as_deref(),
            Some(minutes.to_string().as_str()),
            "--expires {expires}"
        );
    }
}

/// `-o NAME` writes in the current directory; `-o DIR/NAME` writes through a temporary file
/// made in DIR itself, so the final rename never crosses file systems (/dev/shm is one of its
/// own on Linux).
#[test]
fn output_files_are_made_beside_their_final_name() {
    let dir = TempDir::new().unwrap();
    rainv()
        .current_dir(dir.path())
        .args([
            "create",
            "--user",
            "a",
            "--address",
            "192.0.2.1:3389",
            "--kh",
            KH,
        ])
        .args(["--password-env", PW_VAR, "-o", "here.msrcincident"])
        .env(PW_VAR, "ABCDEFGH1234")
        .assert()
        .success()
        .stderr("");
    assert!(dir.path().join("here.msrcincident").is_file());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let shm = Path::new("/dev/shm");
        let elsewhere = tempfile::tempdir_in(shm).unwrap();
        assert_ne!(
            std::fs::metadata(dir.path()).unwrap().dev(),
            shm.metadata().unwrap().dev(),
            "the test needs /dev/shm on another file system than the temporary directory"
        );
        let target = elsewhere.path().join("there.msrcincident");
        rainv()
            .current_dir(dir.path())
            .args([
                "create",
                "--user",
                "a",
                "--address",
                "192.0.2.1:3389",
                "--kh",
                KH,
            ])
            .args(["--password-env", PW_VAR, "-o"])
            .arg(&target)
            .env(PW_VAR, "ABCDEFGH1234")
            .assert()
            .success()
            .stderr("");
        assert!(target.is_file());
        // Nothing was left in the current directory.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
