//! `rainv decrypt`.

use super::*;

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
