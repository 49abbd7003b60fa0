//! Help, version, and the argument rules: each usage error on its own, by message and exit code.

use super::*;

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
