//! The `rainv` binary, run as a person or a script would run it: every subcommand, every exit
//! code, the JSON report, standard streams, overwriting, password sources (including the
//! prompt on a real pseudo-terminal), and files that Windows made (from ../shared/interop).
//!
//! Exit codes: 0 success; 1 invalid file, wrong password, PassStub mismatch; 2 usage or I/O.
//!
//! One test binary, a module per command (`gateway` for `check` and `scan-mail`, `docs` for
//! the executed examples of docs/cli.md); the helpers the modules share are here.

#[path = "../../../../tests/common/mod.rs"]
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

mod completions;
mod create;
mod decrypt;
#[cfg(unix)]
mod docs;
mod encrypt;
mod gateway;
mod general;
mod json;
mod milter;
mod open;
mod passstub;
#[cfg(unix)]
mod prompt;
mod windows;

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

/// Make a FIFO (named pipe) at `path`.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn password_file(dir: &TempDir, password: &str) -> PathBuf {
    write(dir, "password.txt", format!("{password}\n"))
}

fn parse_json(stdout: &[u8]) -> Value {
    let text = std::str::from_utf8(stdout).expect("JSON output is UTF-8");
    assert!(text.ends_with('\n'), "one JSON object then a newline");
    assert_eq!(text.trim_end().lines().count(), 1, "one line of JSON");
    flat(serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

/// `open --json`'s line as most tests read it: the invitation's fields at the top, with the
/// line's `kind`, `file`, `verdict` and `findings`, and `warnings`, the messages of the findings
/// that are not information (as the summary lists them). `json.rs` checks the real shape
/// against docs/rainv.schema.json; other lines are returned as they are.
fn flat(line: Value) -> Value {
    let Some(invitation) = line.get("invitation").and_then(Value::as_object) else {
        return line;
    };
    let mut flat = invitation.clone();
    for key in ["kind", "file", "verdict", "findings"] {
        flat.insert(key.to_string(), line[key].clone());
    }
    let warnings: Vec<Value> = line["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| f["message"].clone())
        .collect();
    flat.insert("warnings".to_string(), Value::Array(warnings));
    Value::Object(flat)
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
