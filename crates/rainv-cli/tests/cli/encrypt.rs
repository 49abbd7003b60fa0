//! `rainv encrypt`.

use super::*;

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
            "standard input: the decrypted ticket (Connection String 2) is malformed: <A> has no ID attribute",
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
