//! `rainv create`: every layout, the options and their errors, output files.

use super::*;

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
    let listener = |address: &str, port: u16| rainv::Listener::new(address, port).unwrap();
    let transport = rainv::Transport::new(
        1,
        0,
        vec![
            listener("192.0.2.10", 3389),
            listener("fe80::1%3", 49228),
            listener("ALICE-PC", 3390),
        ],
    );
    let expected = rainv::ConnectionString2::new(SESSION_ID, vec![transport])
        .and_then(|t| t.with_kh(KH))
        .and_then(|t| t.with_kh2(format!("sha256:{KH2_HASH}").parse()?))
        .unwrap();
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
            "transports": [{"id": 1, "sid": 0, "attributes": [], "listeners": [
                {"address": "192.0.2.10", "port": 3389, "uri": null, "attributes": []},
                {"address": "fe80::1%3", "port": 49228, "uri": null, "attributes": []},
                {"address": "ALICE-PC", "port": 3390, "uri": null, "attributes": []},
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
        .stderr(predicate::str::contains("--format xp needs --kh"));
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
            "'--kh <B64>': not base64 of a 20-byte SHA-1: it decodes to 3 bytes",
        ),
        (
            &["--user", "a", "--address", "h:1", "--kh", "notbase64"],
            "'--kh <B64>': not base64 of a 20-byte SHA-1",
        ),
        (
            &["--user", "a", "--address", "h:1", "--kh", "not base64!"],
            "'--kh <B64>': not base64 of a 20-byte SHA-1 (a KH is 28 characters",
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

/// `--force` replaces a regular file and nothing else: not a FIFO, a device, a directory or a
/// symbolic link (to a file or to a device), which stay as they were.
#[cfg(unix)]
#[test]
fn force_replaces_only_regular_files() {
    let dir = TempDir::new().unwrap();
    let fifo = dir.path().join("fifo.msrcincident");
    mkfifo(&fifo);
    let target = write(&dir, "target.msrcincident", "precious");
    let link_to_file = dir.path().join("link.msrcincident");
    std::os::unix::fs::symlink(&target, &link_to_file).unwrap();
    let link_to_null = dir.path().join("null.msrcincident");
    std::os::unix::fs::symlink("/dev/null", &link_to_null).unwrap();
    let directory = dir.path().join("dir.msrcincident");
    std::fs::create_dir(&directory).unwrap();
    for (path, kind) in [
        (fifo.clone(), "a FIFO (named pipe)"),
        (PathBuf::from("/dev/null"), "a device"),
        (link_to_file.clone(), "a symbolic link"),
        (link_to_null.clone(), "a symbolic link"),
        (directory.clone(), "a directory"),
    ] {
        for force in [false, true] {
            let pw = write(&dir, "pw", "ABCDEFGH1234\n");
            let mut cmd = rainv();
            cmd.args(["create", "--user", "alice", "--address", "192.0.2.10:3389"])
                .args(["--kh", KH, "--password-file"])
                .arg(pw)
                .arg("-o")
                .arg(&path);
            if force {
                cmd.arg("--force");
            }
            cmd.timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2)
                .stderr(predicate::str::contains(format!(
                    "is {kind}, not a regular file"
                )));
        }
    }
    let file_type = |p: &Path| std::fs::symlink_metadata(p).unwrap().file_type();
    use std::os::unix::fs::FileTypeExt;
    assert!(file_type(&fifo).is_fifo());
    assert!(file_type(&link_to_file).is_symlink());
    assert!(file_type(&link_to_null).is_symlink());
    assert!(file_type(Path::new("/dev/null")).is_char_device());
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
}

/// `create` writes nothing `rainv check` would reject for its form, text or addresses (exit 2,
/// naming the option); what depends on the time is only a warning, so that a Windows file can be
/// made again with its original time.
#[test]
fn create_refuses_what_check_would_reject() {
    let dir = TempDir::new().unwrap();
    let pw = write(&dir, "pw", "ABCDEFGH1234\n");
    let out = dir.path().join("out.msrcincident");
    let run = |extra: &[&str]| {
        let mut cmd = rainv();
        cmd.args(["create", "--kh", KH, "--password-file"])
            .arg(&pw)
            .arg("-o")
            .arg(&out)
            .args(extra);
        cmd
    };
    for (extra, expected) in [
        (
            &["--user", "a\u{1b}[2Jb", "--address", "h:1"][..],
            "--user a\\u{1B}[2Jb: character U+001B",
        ),
        (
            &["--user", "a\u{9b}2Jb", "--address", "h:1"],
            "character U+009B",
        ),
        (
            &["--user", "a\u{202e}b", "--address", "h:1"],
            "character U+202E",
        ),
        (
            &["--user", "a\u{fffe}b", "--address", "h:1"],
            "character U+FFFE",
        ),
        (&["--user", "", "--address", "h:1"], "--user is empty"),
        (&["--user", "  ", "--address", "h:1"], "--user is empty"),
        (
            &["--user", "a", "--address", "h:1", "--minutes", "0"],
            "--minutes 0",
        ),
        (
            &["--user", "a", "--address", "h:+3389"],
            "the port is not a number",
        ),
        (
            &["--user", "a", "--address", "h:-1"],
            "the port is not a number",
        ),
        (
            &["--user", "a", "--address", "2130706433:3389"],
            "is 127.0.0.1 written",
        ),
        (
            &["--user", "a", "--address", "127.1:3389"],
            "is 127.0.0.1 written",
        ),
        (
            &["--user", "a", "--address", "h%3:3389"],
            "belongs only on an IPv6",
        ),
        (
            &["--user", "a", "--address", "a/b:3389"],
            "cannot stand in one",
        ),
    ] {
        run(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected));
        assert!(!out.exists(), "{extra:?}");
    }
    // Time: a warning, and the file is written.
    run(&["--user", "a", "--address", "h:1", "--minutes", "99999999"])
        .assert()
        .success()
        .stderr(predicate::str::contains("[validity.too-long]"));
    std::fs::remove_file(&out).unwrap();
    run(&[
        "--user",
        "a",
        "--address",
        "h:1",
        "--now",
        "2020-01-01T00:00:00Z",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains(
        "has already expired [validity.expired]",
    ));
    std::fs::remove_file(&out).unwrap();
    // Names real people have, and the addresses Windows writes, pass without a word.
    run(&[
        "--user",
        "Zoë O'Brien-Łukasz 李",
        "--address",
        "[fe80::1%3]:49228",
    ])
    .args([
        "--address",
        "ALICE-PC.corp.example:3389",
        "--address",
        "192.0.2.1:1",
    ])
    .arg("--quiet")
    .assert()
    .success()
    .stderr("");
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
    assert_eq!(inv.username(), "dave");
    let ticket = inv
        .decrypt(&rainv::Password::new("ABCDEFGH1234"))
        .unwrap()
        .unwrap();
    assert_eq!(ticket.connection().kh(), Some(KH));
    // A random session ID of 48 bytes, shared by both tickets.
    assert_eq!(base64_len(ticket.connection().id()), 48);
    assert_eq!(
        inv.rc_ticket.as_ref().unwrap().session_id(),
        ticket.connection().id()
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
        .stderr(predicate::str::starts_with(
            "created here.msrcincident: for a, valid until ",
        ))
        .stderr(predicate::str::contains("(360 min), PassStub "));
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
            .args(["--quiet", "--password-env", PW_VAR, "-o"])
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

#[test]
fn create_says_what_it_made_warns_on_short_passwords_and_refuses_empty_ones() {
    let dir = TempDir::new().unwrap();
    let short = write(&dir, "short.txt", "abc12\n");
    let out = dir.path().join("short.msrcincident");
    let assert = rainv()
        .args([
            "create",
            "--user",
            "alice",
            "--address",
            "192.0.2.1:3389",
            "--kh",
            KH,
        ])
        .args(["--now", "2026-11-22T09:00:00Z", "--password-file"])
        .arg(&short)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "warning: the password has 5 characters; Windows' Remote Assistance asks for at least 6"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("for alice, valid until 2026-11-22 15:00 UTC (360 min), PassStub "),
        "{stderr}"
    );
    // Six characters: no warning. --quiet: nothing at all.
    let six = write(&dir, "six.txt", "abc123\n");
    rainv()
        .args([
            "create",
            "--user",
            "alice",
            "--address",
            "192.0.2.1:3389",
            "--kh",
            KH,
        ])
        .args(["--quiet", "--force", "--password-file"])
        .arg(&six)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr("");
    // An empty password file is a usage error that says so, naming the option.
    let empty = write(&dir, "empty.txt", "\n");
    let assert = rainv()
        .args([
            "create",
            "--user",
            "alice",
            "--address",
            "192.0.2.1:3389",
            "--kh",
            KH,
        ])
        .args(["--force", "--password-file"])
        .arg(&empty)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    assert!(
        stderr_of(&assert).contains("--password-file") && stderr_of(&assert).contains("is empty"),
        "{}",
        stderr_of(&assert)
    );
}
