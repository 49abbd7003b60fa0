//! The command line on the files Windows made (from ../shared/interop).

use super::*;

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
        json!({"address": "fe80::1032:53d9:5a01:909b%3", "port": 49228, "uri": null, "attributes": []})
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
    assert_eq!(
        v["warnings"],
        json!(["the invitation expired 4 h 32 min ago"])
    );
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
        &json!({"address": "10.0.1.174", "port": 64733, "uri": null, "attributes": []})
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
