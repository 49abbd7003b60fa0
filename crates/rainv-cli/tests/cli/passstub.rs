//! `rainv passstub`: generate, encrypt, verify, expert-blob.

use super::*;

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
