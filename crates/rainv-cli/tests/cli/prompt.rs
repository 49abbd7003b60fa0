//! The password prompt, on a real pseudo-terminal.

use super::*;
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 30_000;

/// Start rainv on a new pseudo-terminal (its stdin, stdout and stderr, and its controlling
/// terminal).
fn spawn(args: &[&OsStr], no_color: bool) -> PtySession {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
    cmd.args(args)
        .env_remove(PW_VAR)
        .env("TERM", "xterm-256color");
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
    assert!(out.contains("VALID, 5 h 59 min left"), "{out}");
    assert!(
        out.contains("1. [fe80::1032:53d9:5a01:909b%3]:49228"),
        "the decrypted listeners: {out}"
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
    assert!(out.contains("\u{1b}[1;32mVALID"), "{out:?}");
    let mut s = spawn(&args, true);
    let (out, code) = finish(&mut s);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("VALID, 5 h 59 min left"), "{out}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    // A terminal that says it cannot show colour gets none.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
    cmd.args(args).env_remove("NO_COLOR").env("TERM", "dumb");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
    let (out, code) = finish(&mut s);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains('\u{1b}'), "TERM=dumb: {out:?}");
    // An empty NO_COLOR does not count.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
    cmd.args(args)
        .env("NO_COLOR", "")
        .env("TERM", "xterm-256color");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap();
    let (out, code) = finish(&mut s);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\u{1b}[1;32mVALID"), "{out:?}");
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
