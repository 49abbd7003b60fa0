//! `rainv open`: the summary, `--json`, the gateway's findings as warnings and `--policy`,
//! passwords from every source, invalid and oversized input.

use super::*;

#[test]
fn open_json_of_the_xp_sample() {
    let out = rainv()
        .args(["open", "--json"])
        .arg(testdata("ms-rai-sample-xp.msrcincident"))
        .args(["--now", "2024-01-01T00:00:00Z"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        json!({
            "version": 1,
            "file": testdata("ms-rai-sample-xp.msrcincident").display().to_string(),
            "inside": [],
            "verdict": "reject",
            "kind": "xp",
            "findings": [{
                "code": "validity.expired",
                "severity": "error",
                "message": "the invitation expired 17 years ago",
            }],
            "invitation": {
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
                "uploadinfo_attributes": [],
                "uploaddata_attributes": [],
            },
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
                "attributes": [],
                "listeners": [
                    {"address": "fe80::1032:53d9:5a01:909b%3", "port": 49228, "uri": null, "attributes": []},
                    {"address": "192.0.2.10", "port": 49230, "uri": null, "attributes": []},
                    {"address": "DEMO-PC", "port": 49230, "uri": null, "attributes": []},
                ],
            }],
        })
    );
    // RCTICKET and LHTICKET agree, the PassStub has Windows' shape, the ticket has a KH.
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(v["findings"], json!([]));
}

#[test]
fn open_json_keys_are_in_the_documented_order_and_dates_beyond_range_are_null() {
    let out = rainv()
        .args(["open", "--json", "--no-decrypt"])
        .arg(example())
        .args(["--now", "2026-11-22T10:00:00Z"])
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(text.starts_with("{\"version\":1,\"file\":"), "{text}");
    assert!(
        text.contains(
            ",\"invitation\":{\"username\":\"helpdesk-demo\",\"rc_ticket_encrypted\":true,"
        ),
        "{text}"
    );
    // Session IDs only because `open` shows what the user opened; the library's view leaves
    // them out unless asked.
    assert!(text.contains("\"session_id\":"), "{text}");

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
        let warnings = by_epoch.1;
        match expected {
            "valid" => assert_eq!(warnings, json!([])),
            "expired" => assert_eq!(warnings, json!(["the invitation expired just now"])),
            _ => assert_eq!(
                warnings,
                json!([
                    "the invitation is not valid yet: DtStart is 1 s in the future, \
                     within the 300 s of clock skew allowed"
                ])
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
            "  LHTICKET's listeners: encrypted, {lh_bytes} bytes (give --password-file to decrypt it)"
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
    assert!(
        text.starts_with("helpdesk-demo \u{2014} VALID, 5 h 59 min left (until "),
        "{text}"
    );
    for expected in [
        "password:      required",
        "created:       2026-11-22 09:00:00 UTC",
        "valid until:   2026-11-22 15:00:00 UTC",
        "PassStub:      Ec-8Esl*1DC5M*",
        // One list, in the order Windows tries: the LHTICKET's listeners, then the
        // RCTICKET's (the same two here, so not twice), the link-local one marked.
        "connect to:\n  1. [fe80::1032:53d9:5a01:909b%3]:49228  (link-local: reachable only on \
         the novice's own network segment)\n  2. 192.0.2.10:49230\n  3. DEMO-PC:49230\n",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Key hashes and IDs only with --verbose.
    for hidden in ["KH", "session ID", "ID:", "low speed"] {
        assert!(!text.contains(hidden), "{hidden} shown:\n{text}");
    }
    assert!(!text.contains("warnings:"), "{text}");
    let verbose = rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .args(["--now", &now, "--verbose"])
        .assert()
        .success();
    let text = stdout_of(&verbose);
    for expected in [
        "RCTICKET:\n    1. 192.0.2.10:49230",
        "  session ID:  ",
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
}

#[test]
fn open_wrong_password_shows_what_is_not_encrypted_and_exits_1() {
    let dir = TempDir::new().unwrap();
    let wrong = password_file(&dir, "AAAAAAAAAAAA");
    let lh_bytes = lhticket_of(&example()).len() / 2;
    let out = rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong password"));
    let text = stdout_of(&out);
    assert!(
        text.starts_with("helpdesk-demo \u{2014} EXPIRED "),
        "{text}"
    );
    assert!(text.contains("PassStub:      Ec-8Esl*1DC5M*"), "{text}");
    assert!(
        text.contains(&format!(
            "LHTICKET's listeners: encrypted, {lh_bytes} bytes (could not be decrypted with this password)"
        )),
        "{text}"
    );
    let out = rainv()
        .args(["open", "--json"])
        .arg(example())
        .args(["--password-env", PW_VAR])
        .env(PW_VAR, "AAAAAAAAAAAA")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong password"));
    let v = parse_json(&out.get_output().stdout);
    assert_eq!(v["username"], "helpdesk-demo");
    assert_eq!(v["lh_ticket"]["decrypted"], false);
    assert_eq!(v["lh_ticket"]["ciphertext_bytes"], lh_bytes);
    assert!(
        v["lh_ticket"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("does not decrypt")),
        "{v}"
    );
    // An empty password file is a mistake in the command, not a wrong password.
    let empty = password_file(&dir, "");
    rainv()
        .arg("open")
        .arg(example())
        .arg("--password-file")
        .arg(&empty)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("is empty"));
}

#[test]
fn open_shows_several_files_in_turn() {
    let dir = TempDir::new().unwrap();
    let wrong = password_file(&dir, "AAAAAAAAAAAA");
    let out = rainv()
        .arg("open")
        .arg(example())
        .arg(testdata("ms-rai-sample-xp.msrcincident"))
        .arg("--password-file")
        .arg(&wrong)
        .assert()
        .code(1);
    let text = stdout_of(&out);
    let parts: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(parts.len(), 2, "{text}");
    assert!(parts[0].starts_with("helpdesk-demo \u{2014} "), "{text}");
    assert!(parts[1].starts_with("jeff \u{2014} EXPIRED "), "{text}");
    // JSON: one line per file, each naming its file.
    let out = rainv()
        .args(["open", "--json", "--no-decrypt"])
        .arg(example())
        .arg(testdata("ms-rai-sample-xp.msrcincident"))
        .assert()
        .success();
    let lines: Vec<Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["invitation"]["username"], "jeff");
    assert!(
        lines[1]["file"]
            .as_str()
            .unwrap()
            .ends_with("ms-rai-sample-xp.msrcincident")
    );
    // Standard input once only.
    rainv()
        .args(["open", "-", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("more than once"));
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
            "helpdesk-demo \u{2014} EXPIRED ",
        ))
        .stdout(predicate::str::contains(
            "\nfile:          standard input\n",
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
        // The same bytes on standard input, as JSON: a line with the verdict and the error
        // too, so a program reading the lines gets one for every file.
        let out = rainv()
            .args(["open", "-", "--json"])
            .write_stdin(bytes)
            .assert()
            .code(1)
            .stderr(predicate::str::starts_with(format!(
                "error: standard input: {message}"
            )));
        let line = parse_json(&out.get_output().stdout);
        assert_eq!(line["verdict"], "reject", "{name}");
        // The error is the reader's message, or for a file too large to read, the finding's.
        let error = line["error"].as_str().unwrap();
        assert!(
            error.starts_with(message) || error == line["findings"][0]["message"],
            "{name}: {line}"
        );
        assert!(line.get("invitation").is_none(), "{name}");
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
        xp_invitation_with_username("a&#x9B;31mb&#x202E;c"),
    );
    let out = rainv().arg("open").arg(&path).assert().success();
    let stdout = &out.get_output().stdout;
    let text = String::from_utf8(stdout.clone()).unwrap();
    assert!(!text.contains('\u{9B}'), "raw CSI in the summary");
    assert!(!text.contains('\u{202E}'), "raw RLO in the summary");
    assert!(
        text.starts_with(concat!(r"a\u{9B}31mb\u{202E}c", " \u{2014} EXPIRED ")),
        "{text}"
    );
    // The JSON keeps the exact name, with the control character escaped as JSON requires.
    let out = rainv()
        .arg("open")
        .arg(&path)
        .arg("--json")
        .assert()
        .success();
    let v = parse_json(&out.get_output().stdout);
    assert_eq!(v["username"], "a\u{9B}31mb\u{202E}c");

    // ESC is not a character XML allows, raw or as a reference: such a file is refused
    // before anything of it is shown.
    for username in ["a&#27;[31mb", "a\u{1b}[31mb"] {
        let path = write(
            &dir,
            "esc.msrcincident",
            xp_invitation_with_username(username),
        );
        let out = rainv().arg("open").arg(&path).assert().code(1).stdout("");
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(!has_ansi(stderr.as_bytes()), "{stderr}");
        assert!(
            stderr.contains("U+001B") || stderr.contains("&#27;"),
            "{stderr}"
        );
    }
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

/// `rainv open --json ARGS...` on a file of the hostile corpus at the corpus clock: its
/// warnings, and its findings as (code, severity).
fn corpus_findings(name: &str, args: &[&str]) -> (Value, Vec<(String, String)>) {
    let path = common::root().join("testdata/hostile").join(name);
    let mut all = vec![
        path.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("2024-01-03T15:00:00Z"),
    ];
    all.extend(args.iter().map(OsStr::new));
    let v = open_json(all);
    let findings = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["message"].is_string(), "{f}");
            let text = |key: &str| f[key].as_str().unwrap().to_string();
            (text("code"), text("severity"))
        })
        .collect();
    (v["warnings"].clone(), findings)
}

/// The warnings are the gateway's findings of severity warning and error, with the password
/// when the ticket was decrypted; information findings are in `findings` only.
#[test]
fn open_warns_of_what_the_gateway_finds() {
    let dir = TempDir::new().unwrap();
    let pw = password_file(&dir, "HOSTILE12345");
    let pw = pw.to_str().unwrap();
    let pair = |code: &str, severity: &str| vec![(code.to_string(), severity.to_string())];

    // The tickets are compared only once decrypted.
    let mismatch = "ticket.mismatch--session-id-differs.msrcincident";
    let (warnings, findings) = corpus_findings(mismatch, &["--password-file", pw]);
    assert_eq!(findings, pair("ticket.mismatch", "error"));
    assert_eq!(
        warnings,
        json!([
            "RCTICKET and LHTICKET disagree: the session IDs differ (RCTICKET RASessionID vs LHTICKET ID)"
        ])
    );
    assert_eq!(corpus_findings(mismatch, &["--no-decrypt"]).1, []);

    let (warnings, findings) =
        corpus_findings("password.none--rcticketencrypted-0.msrcincident", &[]);
    assert_eq!(findings, pair("password.none", "warning"));
    assert_eq!(
        warnings,
        json!(["the invitation has no password (RCTICKETENCRYPTED=0)"])
    );

    let (warnings, findings) = corpus_findings("baseline/connection-string.valid", &[]);
    assert_eq!(findings, pair("password.none", "warning"));
    assert_eq!(
        warnings,
        json!(["a bare Connection String 2 is not password-protected"])
    );

    let (warnings, findings) =
        corpus_findings("validity.too-long--dtlength-99999999.msrcincident", &[]);
    assert_eq!(findings, pair("validity.too-long", "error"));
    assert_eq!(
        warnings,
        json!(["DtLength is 99999999 minutes, more than the 43200 this policy allows"])
    );

    // A PassStub Windows would not write, and an unknown attribute (information only).
    let baseline =
        std::fs::read_to_string(common::root().join("testdata/hostile/baseline/vista.valid"))
            .unwrap();
    let odd = baseline
        .replacen("PassStub=\"Ab!1Xy2cD3eF4g\"", "PassStub=\"short\"", 1)
        .replacen(" L=\"0\"", " L=\"0\" Colour=\"blue\"", 1);
    let path = write(&dir, "odd.msrcincident", odd);
    let v = open_json([
        path.as_os_str(),
        OsStr::new("--now"),
        OsStr::new("2024-01-03T15:00:00Z"),
    ]);
    assert_eq!(
        v["warnings"],
        json!([
            "invalid PassStub: \"short\" has 5 characters, expected 14; Windows never writes such a PassStub"
        ])
    );
    assert_eq!(
        v["findings"],
        json!([
            {
                "code": "passstub.unusual",
                "severity": "warning",
                "message": "invalid PassStub: \"short\" has 5 characters, expected 14; Windows never writes such a PassStub",
            },
            {
                "code": "format.unknown-attribute",
                "severity": "info",
                "message": "unknown attribute Colour on <UPLOADDATA>",
            },
        ])
    );

    // The summary lists the same warnings, escaped.
    let path = common::root()
        .join("testdata/hostile/text.control-characters--c1-csi-in-username.msrcincident");
    let out = rainv()
        .args(["open", "--now", "2024-01-03T15:00:00Z"])
        .arg(&path)
        .assert()
        .success();
    let text = stdout_of(&out);
    assert!(
        text.ends_with(
            "warnings:\n  - USERNAME holds character U+009B (\"helpdesk\\u{9B}2J\"), \
             which can drive a terminal, break a line, or disguise or hide text\n"
        ),
        "{text}"
    );
    assert!(!has_ansi(text.as_bytes()));
}

/// `--policy` judges by a policy file instead of the default policy: it changes the warnings,
/// and its size limit is the input's. A bad policy file is a usage error.
#[test]
fn open_judges_by_the_policy_given() {
    let dir = TempDir::new().unwrap();
    let xp = testdata("ms-rai-sample-xp.msrcincident");
    let policy = write(&dir, "lenient.toml", "allow_expired = true\n");
    let v = open_json([xp.as_os_str(), OsStr::new("--policy"), policy.as_os_str()]);
    assert_eq!(v["status"], "expired");
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(v["findings"], json!([]));

    let strict = write(&dir, "strict.toml", "require_password = true\n");
    let (warnings, findings) = corpus_findings(
        "password.none--rcticketencrypted-0.msrcincident",
        &["--policy", strict.to_str().unwrap()],
    );
    assert_eq!(
        findings,
        [("password.none".to_string(), "error".to_string())]
    );
    assert_eq!(
        warnings,
        json!(["the invitation has no password (RCTICKETENCRYPTED=0)"])
    );

    // Readable but rejected by the policy: still shown, exit 0.
    let vista_only = write(&dir, "vista.toml", "formats = [\"vista\"]\n");
    rainv()
        .args(["open", "--policy"])
        .arg(&vista_only)
        .arg(&xp)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  - xp files are not accepted by this policy\n",
        ));

    let small = write(&dir, "small.toml", "max_size_bytes = 100\n");
    rainv()
        .args(["open", "--no-decrypt", "--policy"])
        .arg(&small)
        .arg(example())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "input is larger than 100 bytes, the limit for an invitation",
        ));

    let bad = write(&dir, "bad.toml", "bogus = 1\n");
    rainv()
        .args(["open", "--policy"])
        .arg(&bad)
        .arg(&xp)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("error: policy "))
        .stderr(predicate::str::contains("unknown field `bogus`"));
    rainv()
        .args(["open", "--policy"])
        .arg(dir.path().join("missing.toml"))
        .arg(&xp)
        .assert()
        .code(2)
        .stdout("");
}
