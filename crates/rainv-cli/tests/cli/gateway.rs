//! `rainv check` and `rainv scan-mail`, run as a mail gateway would run them: the hostile
//! corpus (testdata/hostile), directory recursion, `--json` lines, standard input, policies,
//! exit codes (0 all accepted, 1 any rejected, 2 usage or unreadable input), and mail in every
//! container (.eml, mbox, Maildir) with every transfer encoding.

use super::common;
#[cfg(unix)]
use super::mkfifo;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;
use tempfile::TempDir;

/// The corpus password (see testdata/hostile/README.md).
const PASSWORD: &str = "HOSTILE12345";
/// The corpus clock: 2024-01-03T15:00:00Z.
const NOW: &str = "2024-01-03T15:00:00Z";

/// The extra options each special code needs (the same table as tests/hostile.rs and the corpus
/// README); every other code is judged under the default policy plus the password.
const SPECIAL: [(&str, &[&str]); 4] = [
    ("password.none", &["--require-password"]),
    ("size.too-large", &["--max-size", "4096"]),
    (
        "address.not-allowed",
        &["--allow-network", "192.0.2.0/24", "--allow-host", "DEMO-PC"],
    ),
    ("format.not-allowed", &["--formats", "vista"]),
];

fn rainv() -> Command {
    let mut cmd = Command::cargo_bin("rainv").expect("the rainv binary is built");
    cmd.env_remove("NO_COLOR");
    cmd
}

fn root() -> PathBuf {
    common::root()
}

fn hostile(name: &str) -> PathBuf {
    root().join("testdata/hostile").join(name)
}

fn baseline(name: &str) -> Vec<u8> {
    fs::read(hostile("baseline").join(name)).unwrap()
}

/// A temporary directory holding `pw.txt` with the corpus password.
fn workdir() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw.txt");
    fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    (dir, pw)
}

/// Run and return (exit code, JSON lines, stderr).
fn run_json(cmd: &mut Command) -> (i32, Vec<Value>, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (
        out.status.code().unwrap(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Check the shape of one result line and return (file, verdict, finding codes of severity error).
fn parse_line(line: &Value) -> (String, String, Vec<String>) {
    let file = line["file"].as_str().expect("file is a string").to_string();
    let verdict = line["verdict"]
        .as_str()
        .expect("verdict is a string")
        .to_string();
    assert!(verdict == "accept" || verdict == "reject", "{line}");
    let mut errors = Vec::new();
    for f in line["findings"].as_array().expect("findings is a list") {
        let code = f["code"].as_str().expect("code is a string");
        let severity = f["severity"].as_str().expect("severity is a string");
        assert!(f["message"].is_string(), "message is a string: {f}");
        assert!(matches!(severity, "error" | "warning" | "info"), "{f}");
        if severity == "error" {
            errors.push(code.to_string());
        }
    }
    assert_eq!(verdict == "reject", !errors.is_empty(), "{line}");
    (file, verdict, errors)
}

fn code_of(file: &str) -> String {
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    name.split_once("--").unwrap().0.to_string()
}

/// The corpus's invitation files (not its messages) whose code passes `code_filter`, sorted.
fn corpus_files(code_filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    corpus_cases(".msrcincident", code_filter)
}

fn corpus_cases(extension: &str, code_filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    common::hostile_corpus()
        .into_iter()
        .filter(|(name, code)| name.ends_with(extension) && code_filter(code))
        .map(|(name, _)| hostile(&name))
        .collect()
}

/// A rejection for exactly `expected`: at least one error finding, and every one has that code
/// (the rule tests/hostile.rs applies to the library).
fn rejected_for_exactly(verdict: &str, errors: &[String], expected: &str) -> bool {
    verdict == "reject" && !errors.is_empty() && errors.iter().all(|e| e == expected)
}

fn is_special(code: &str) -> bool {
    SPECIAL.iter().any(|(c, _)| *c == code)
}

// ---------------------------------------------------------------------------------------------
// rainv check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_rejects_the_hostile_corpus_with_the_codes_in_the_names() {
    let (_dir, pw) = workdir();
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg(root().join("testdata/hostile")),
    );
    assert_eq!(code, 1, "{stderr}");
    // Every invitation and archive of the corpus (each gives one line), nothing from baseline/
    // (*.valid) or the .eml files.
    let checked: Vec<PathBuf> = common::hostile_corpus()
        .into_iter()
        .filter(|(name, _)| !name.ends_with(".eml"))
        .map(|(name, _)| hostile(&name))
        .collect();
    assert_eq!(lines.len(), checked.len(), "{lines:#?}");
    let mut problems = Vec::new();
    for line in &lines {
        let (file, verdict, errors) = parse_line(line);
        assert!(
            !file.ends_with(".eml") && !file.ends_with(".valid"),
            "{file}"
        );
        let expected = code_of(&file);
        if is_special(&expected) {
            continue; // judged below, under their policy
        }
        if !rejected_for_exactly(&verdict, &errors, &expected) {
            problems.push(format!("{file}: expected {expected}, got {line}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn check_rejects_the_special_cases_under_their_policies() {
    let (dir, pw) = workdir();
    for (special, options) in SPECIAL {
        let files = corpus_files(|c| c == special);
        assert!(!files.is_empty(), "no case for {special}");
        let (code, lines, stderr) = run_json(
            rainv()
                .args(["check", "--json", "--now", NOW, "--password-file"])
                .arg(&pw)
                .args(options)
                .args(&files),
        );
        assert_eq!(code, 1, "{special}: {stderr}");
        assert_eq!(lines.len(), files.len());
        for line in &lines {
            let (_, verdict, errors) = parse_line(line);
            assert!(rejected_for_exactly(&verdict, &errors, special), "{line}");
        }
        // The same policy from a TOML file.
        let toml = match special {
            "password.none" => "require_password = true\n",
            "size.too-large" => "max_size_bytes = 4096\n",
            "address.not-allowed" => {
                "allowed_networks = [\"192.0.2.0/24\"]\nallowed_hosts = [\"DEMO-PC\"]\n"
            }
            "format.not-allowed" => "formats = [\"vista\"]\n",
            _ => unreachable!(),
        };
        let policy = dir.path().join("policy.toml");
        fs::write(&policy, toml).unwrap();
        let (code, lines, stderr) = run_json(
            rainv()
                .args(["check", "--json", "--now", NOW, "--password-file"])
                .arg(&pw)
                .arg("--policy")
                .arg(&policy)
                .args(&files),
        );
        assert_eq!(code, 1, "{special} via policy file: {stderr}");
        assert_eq!(lines.len(), files.len());
        for line in &lines {
            let (_, verdict, errors) = parse_line(line);
            assert!(rejected_for_exactly(&verdict, &errors, special), "{line}");
        }
    }
}

#[test]
fn check_recurses_and_matches_the_extension_in_any_case() {
    let (dir, pw) = workdir();
    let deep = dir.path().join("a/b");
    fs::create_dir_all(&deep).unwrap();
    let xxe = fs::read(hostile(
        "xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident",
    ))
    .unwrap();
    fs::write(deep.join("X.MSRCINCIDENT"), &xxe).unwrap();
    fs::write(dir.path().join("a/Y.MsrcIncident"), baseline("vista.valid")).unwrap();
    // Not invitations by name: skipped when found in a directory.
    fs::write(dir.path().join("a/notes.txt"), &xxe).unwrap();
    fs::write(dir.path().join("a/old.msrcincident.bak"), &xxe).unwrap();
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg(dir.path().join("a")),
    );
    assert_eq!(code, 1, "{stderr}");
    let mut seen: Vec<(String, String, Vec<String>)> = lines.iter().map(parse_line).collect();
    seen.sort();
    assert_eq!(seen.len(), 2, "{lines:?}");
    assert!(seen[0].0.ends_with("X.MSRCINCIDENT") || seen[1].0.ends_with("X.MSRCINCIDENT"));
    for (file, verdict, errors) in &seen {
        if file.ends_with("X.MSRCINCIDENT") {
            assert_eq!(
                (verdict.as_str(), errors.clone()),
                ("reject", vec!["xml.doctype".to_string()])
            );
        } else {
            assert!(file.ends_with("Y.MsrcIncident"), "{file}");
            assert_eq!(verdict, "accept");
        }
    }
    // Named explicitly, any file is judged, whatever its name.
    let (code, lines, _) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW])
            .arg(dir.path().join("a/notes.txt")),
    );
    assert_eq!(code, 1);
    assert_eq!(parse_line(&lines[0]).2, ["xml.doctype"]);
}

#[test]
#[cfg_attr(
    not(rainv_shared),
    ignore = "needs ../shared (Windows-made files); CI has it"
)]
fn check_exits_0_when_everything_is_accepted() {
    // The corpus baselines, named explicitly (their .valid extension is not searched for).
    let (_dir, pw) = workdir();
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg(hostile("baseline/vista.valid"))
            .arg(hostile("baseline/xp.valid")),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(parse_line(line).1, "accept");
        assert!(line["kind"].is_string(), "{line}");
    }
    // The example, one minute after its DtStart (read from the file).
    let example = root().join("testdata/example.msrcincident");
    let start = rainv::Invitation::from_bytes(&fs::read(&example).unwrap())
        .unwrap()
        .validity
        .start;
    rainv()
        .args(["check", "--now", &(start + 60).to_string()])
        .arg(&example)
        .assert()
        .code(0)
        .stdout(predicates::str::contains(": accept"));
    // Windows 10's file at the corpus clock, with and without its password.
    let shared = common::shared_dir();
    let file = shared.join("interop/windows10.msrcincident");
    rainv()
        .args(["check", "--now", NOW])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("windows10.msrcincident: accept"));
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "--password-file"])
            .arg(shared.join("interop/windows10.password"))
            .arg(&file),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(parse_line(&lines[0]).1, "accept");
    assert_eq!(lines[0]["kind"], "vista");
}

#[test]
fn check_exits_1_on_any_rejection_and_2_on_a_missing_path() {
    let bad = hostile("validity.expired--xp-from-2006.msrcincident");
    rainv()
        .args(["check", "--now", NOW])
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("REJECT"))
        .stdout(predicates::str::contains("[validity.expired]"));
    // One rejected among accepted ones is enough.
    rainv()
        .args(["check", "--now", NOW])
        .arg(hostile("baseline/xp.valid"))
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("xp.valid: accept"))
        .stdout(predicates::str::contains("[validity.expired]"));
    // A path that does not exist: exit 2, even beside files that are judged.
    let missing = root().join("testdata/hostile/no-such-file.msrcincident");
    rainv()
        .args(["check", "--now", NOW])
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::is_empty().not());
    let (code, lines, _) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW])
            .arg(hostile("baseline/xp.valid"))
            .arg(&missing),
    );
    assert_eq!(code, 2);
    let unreadable = lines.iter().find(|l| l["verdict"].is_null()).unwrap();
    assert!(unreadable["error"].is_string(), "{unreadable}");
    assert!(lines.iter().any(|l| l["verdict"] == "accept"));
    // Usage errors are 2 as well.
    rainv()
        .args(["check"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "required arguments were not provided",
        ));
    rainv()
        .args(["check", "--formats", "nonsense"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "--formats: unknown format nonsense",
        ));
}

#[test]
fn check_reads_standard_input() {
    let xxe = fs::read(hostile(
        "xml.doctype--xxe-external-system-entity.msrcincident",
    ))
    .unwrap();
    let (code, lines, _) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "-"])
            .write_stdin(xxe),
    );
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1);
    let (file, verdict, errors) = parse_line(&lines[0]);
    assert_eq!(
        (file.as_str(), verdict.as_str()),
        ("standard input", "reject")
    );
    assert_eq!(errors, ["xml.doctype"]);
    rainv()
        .args(["check", "--now", NOW, "-"])
        .write_stdin(baseline("xp.valid"))
        .assert()
        .code(0)
        .stdout(predicates::str::contains("standard input: accept"));
    // Larger than the limit on standard input: refused without reading it all.
    let (code, lines, _) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "-"])
            .write_stdin(vec![b' '; 300 * 1024]),
    );
    assert_eq!(code, 1);
    assert_eq!(parse_line(&lines[0]).2, ["size.too-large"]);
}

#[test]
fn check_refuses_files_over_the_size_limit() {
    let (dir, _) = workdir();
    let mut big = baseline("vista.valid");
    big.resize(300 * 1024, b' ');
    let path = dir.path().join("big.msrcincident");
    fs::write(&path, big).unwrap();
    let (code, lines, _) = run_json(rainv().args(["check", "--json", "--now", NOW]).arg(&path));
    assert_eq!(code, 1);
    assert_eq!(parse_line(&lines[0]).2, ["size.too-large"]);
    // Raised limit: the same file is read and accepted.
    rainv()
        .args(["check", "--now", NOW, "--max-size", "400000"])
        .arg(&path)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("big.msrcincident: accept"));
}

/// Text from files reaches the analyst's terminal escaped, in both output formats.
#[test]
fn check_output_never_carries_control_characters() {
    let (_dir, pw) = workdir();
    let files = corpus_files(|c| c == "text.control-characters");
    assert!(files.len() >= 5);
    for json in [false, true] {
        let mut cmd = rainv();
        cmd.args(["check", "--now", NOW, "--password-file"])
            .arg(&pw)
            .args(&files);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let bad: Vec<char> = stdout
            .chars()
            .filter(|&c| c != '\n' && rainv::display::is_dangerous_for_display(c))
            .collect();
        assert!(bad.is_empty(), "json={json}: {bad:?} in\n{stdout}");
        let marker = if json {
            "\"code\":\"text.control-characters\""
        } else {
            "[text.control-characters]"
        };
        assert_eq!(
            stdout.matches(marker).count(),
            files.len(),
            "json={json}: {stdout}"
        );
        // Escaped once, not twice: the analyst sees \u{202E}, not \\u{202E}. (In JSON the
        // backslash is itself written \\.)
        let shown = if json {
            r#"IT\\u{202E}nimdA"#
        } else {
            r"IT\u{202E}nimdA"
        };
        assert!(
            stdout.contains(shown),
            "json={json}: {shown} not in {stdout}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// rainv scan-mail
// ---------------------------------------------------------------------------------------------

/// `bytes` in base64, in lines of 76 as mail carries it.
pub(super) fn b64(bytes: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    text.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Quoted-printable (RFC 2045), binary-safe: every byte but printable ASCII is =XX, and lines
/// are cut with soft breaks.
fn quoted_printable(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for &b in bytes {
        let token = if (33..=126).contains(&b) && b != b'=' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if line + token.len() > 75 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += token.len();
        out.push_str(&token);
    }
    out
}

fn attachment(headers: &str, body: &str) -> String {
    format!("{headers}\r\n{body}\r\n")
}

fn base64_part(filename: Option<&str>, bytes: &[u8]) -> String {
    let disposition = match filename {
        Some(name) => format!("Content-Disposition: attachment; filename=\"{name}\"\r\n"),
        None => "Content-Disposition: attachment\r\n".to_string(),
    };
    attachment(
        &format!(
            "Content-Type: application/octet-stream\r\n{disposition}Content-Transfer-Encoding: base64\r\n"
        ),
        &b64(bytes),
    )
}

fn message(id: &str, parts: &[String]) -> String {
    let mut out = format!(
        "From: someone@example.com\r\nTo: helpdesk@example.com\r\nSubject: help\r\n\
         Message-ID: <{id}>\r\nDate: Wed, 03 Jan 2024 14:30:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"=={id}==\"\r\n\r\n\
         --=={id}==\r\nContent-Type: text/plain\r\n\r\nPlease help.\r\n"
    );
    for part in parts {
        out.push_str(&format!("--=={id}==\r\n{part}"));
    }
    out.push_str(&format!("--=={id}==--\r\n"));
    out
}

fn xxe() -> Vec<u8> {
    fs::read(hostile(
        "xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident",
    ))
    .unwrap()
}

/// A message with every way of carrying an invitation.
fn everything_message() -> String {
    let old = fs::read(root().join("testdata/ms-rai-sample-xp.msrcincident")).unwrap();
    let inner = message(
        "inner@example",
        &[base64_part(Some("old.msrcincident"), &old)],
    );
    message(
        "outer@example",
        &[
            // base64, by name
            base64_part(Some("RA.msrcincident"), &xxe()),
            // quoted-printable, by name in any case
            attachment(
                "Content-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"Help.MsrcIncident\"\r\n\
                 Content-Transfer-Encoding: quoted-printable\r\n",
                &quoted_printable(&baseline("vista.valid")),
            ),
            // a forwarded message holding one
            attachment(
                "Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n",
                &inner,
            ),
            // by content: a different name, and no name at all
            base64_part(Some("invite.dat"), &baseline("xp.valid")),
            base64_part(None, &baseline("vista.valid")),
            // by name only (RFC 2231 encoded), with content nobody could sniff: an empty file
            attachment(
                "Content-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename*=UTF-8''Hilfe%20f%C3%BCr%20Jeff.msrcincident\r\n\
                 Content-Transfer-Encoding: base64\r\n",
                "",
            ),
            // not an invitation: not reported
            attachment(
                "Content-Type: text/plain\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n",
                "UPLOAD INFO: nothing to see",
            ),
        ],
    )
}

/// (attachment, message_id, verdict, error codes) of each line, sorted.
fn attachments(lines: &[Value]) -> Vec<(String, String, String, Vec<String>)> {
    let mut out: Vec<_> = lines
        .iter()
        .map(|l| {
            let (_, verdict, errors) = parse_line(l);
            (
                l["attachment"]
                    .as_str()
                    .unwrap_or_else(|| panic!("attachment: {l}"))
                    .to_string(),
                l["message_id"].as_str().unwrap_or("").to_string(),
                verdict,
                errors,
            )
        })
        .collect();
    out.sort();
    out
}

fn scan(paths: &[&Path], pw: &Path) -> (i32, Vec<Value>, String) {
    run_json(
        rainv()
            .args(["scan-mail", "--json", "--now", NOW, "--password-file"])
            .arg(pw)
            .args(paths),
    )
}

/// `rainv scan-mail` over the corpus: each `.eml` case, and one message carrying every invitation
/// case of the default policy as a named attachment, and under each special policy its cases.
/// Every invitation found is rejected for exactly the code its file is named for.
#[test]
fn scan_mail_rejects_the_hostile_corpus() {
    let (dir, pw) = workdir();
    // The corpus's own messages.
    let emls = corpus_cases(".eml", |_| true);
    assert!(!emls.is_empty());
    for eml in &emls {
        let (code, lines, stderr) = scan(&[eml.as_path()], &pw);
        assert_eq!(code, 1, "{}: {stderr}", eml.display());
        assert!(!lines.is_empty(), "{}: no invitation found", eml.display());
        let expected = code_of(eml.to_str().unwrap());
        for line in &lines {
            let (file, verdict, errors) = parse_line(line);
            assert_eq!(Path::new(&file), eml.as_path());
            assert!(rejected_for_exactly(&verdict, &errors, &expected), "{line}");
        }
    }
    // Every invitation case attached to mail, one message per policy.
    let mut policies: Vec<(&str, &[&str])> = vec![("", &[])];
    policies.extend(SPECIAL);
    for (special, options) in policies {
        let files = corpus_files(|c| {
            if special.is_empty() {
                !is_special(c)
            } else {
                c == special
            }
        });
        let parts: Vec<String> = files
            .iter()
            .map(|f| {
                let name = f.file_name().unwrap().to_str().unwrap();
                base64_part(Some(name), &fs::read(f).unwrap())
            })
            .collect();
        let path = dir.path().join("corpus.eml");
        fs::write(&path, message("corpus@example", &parts)).unwrap();
        let (code, lines, stderr) = run_json(
            rainv()
                .args(["scan-mail", "--json", "--now", NOW, "--password-file"])
                .arg(&pw)
                .args(options)
                .arg(&path),
        );
        assert_eq!(code, 1, "{special}: {stderr}");
        let found = attachments(&lines);
        assert_eq!(found.len(), files.len(), "{special}: {found:?}");
        for (attachment, message_id, verdict, errors) in found {
            assert_eq!(message_id, "corpus@example");
            let expected = code_of(&attachment);
            assert!(
                rejected_for_exactly(&verdict, &errors, &expected),
                "{attachment}: {verdict} {errors:?}"
            );
        }
    }
}

#[test]
fn scan_mail_finds_every_attachment_in_an_eml() {
    let (dir, pw) = workdir();
    let path = dir.path().join("message.eml");
    fs::write(&path, everything_message()).unwrap();
    let (code, lines, stderr) = scan(&[&path], &pw);
    assert_eq!(code, 1, "{stderr}");
    for line in &lines {
        assert!(line["file"].as_str().unwrap().ends_with("message.eml"));
    }
    let found = attachments(&lines);
    let s = |v: &str| v.to_string();
    let unnamed: Vec<_> = found
        .iter()
        .filter(|a| a.0.starts_with("(unnamed attachment"))
        .collect();
    assert_eq!(unnamed.len(), 1, "{found:?}");
    assert_eq!(
        (unnamed[0].1.as_str(), unnamed[0].2.as_str()),
        ("outer@example", "accept")
    );
    let named: Vec<_> = found
        .iter()
        .filter(|a| !a.0.starts_with("(unnamed attachment"))
        .cloned()
        .collect();
    assert_eq!(
        named,
        vec![
            (
                s("Help.MsrcIncident"),
                s("outer@example"),
                s("accept"),
                vec![]
            ),
            (
                s("Hilfe für Jeff.msrcincident"),
                s("outer@example"),
                s("reject"),
                vec![s("xml.malformed")]
            ),
            (
                s("RA.msrcincident"),
                s("outer@example"),
                s("reject"),
                vec![s("xml.doctype")]
            ),
            (s("invite.dat"), s("outer@example"), s("accept"), vec![]),
            (
                s("old.msrcincident"),
                s("inner@example"),
                s("reject"),
                vec![s("validity.expired")]
            ),
        ]
    );
}

#[test]
fn scan_mail_exit_codes() {
    let (dir, pw) = workdir();
    // Only accepted invitations: 0.
    let clean = dir.path().join("clean.eml");
    fs::write(
        &clean,
        message(
            "clean@example",
            &[base64_part(
                Some("RA.msrcincident"),
                &baseline("vista.valid"),
            )],
        ),
    )
    .unwrap();
    let (code, lines, stderr) = scan(&[&clean], &pw);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1);
    // No invitation at all: 0, and nothing printed.
    let none = dir.path().join("none.eml");
    fs::write(&none, message("none@example", &[])).unwrap();
    let (code, lines, _) = scan(&[&none], &pw);
    assert_eq!((code, lines.len()), (0, 0));
    // A rejected one: 1.
    let bad = dir.path().join("bad.eml");
    fs::write(
        &bad,
        message(
            "bad@example",
            &[base64_part(Some("x.msrcincident"), &xxe())],
        ),
    )
    .unwrap();
    assert_eq!(scan(&[&clean, &bad, &none], &pw).0, 1);
    // A missing path: 2.
    assert_eq!(scan(&[&clean, &dir.path().join("missing.eml")], &pw).0, 2);
    // Human output names the message and the attachment.
    rainv()
        .args(["scan-mail", "--now", NOW])
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("bad@example"))
        .stdout(predicates::str::contains("x.msrcincident"))
        .stdout(predicates::str::contains("[xml.doctype]"));
}

/// A FIFO nobody writes to is reported unreadable after a wait, for `check` and `scan-mail`,
/// instead of blocking them for ever; the files named after it are still judged.
#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_is_unreadable_not_a_hang() {
    let (dir, pw) = workdir();
    let fifo = dir.path().join("silent.msrcincident");
    mkfifo(&fifo);
    let good = root().join("testdata/hostile/baseline/vista.valid");
    for command in ["check", "scan-mail"] {
        let started = std::time::Instant::now();
        let out = rainv()
            .args([command, "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg(&fifo)
            .arg(&good)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_ne!(out.status.code(), Some(0), "{command}: {stdout}{stderr}");
        assert!(
            stdout.contains("no program opened for writing"),
            "{command}: {stdout}{stderr}"
        );
        assert!(stdout.contains("vista.valid"), "{command}: {stdout}");
    }
}

/// One message over 64 MiB in an mbox is reported unreadable without being held in memory,
/// and the messages around it are judged.
#[test]
fn scan_mail_skips_an_oversized_message_in_an_mbox() {
    let (dir, pw) = workdir();
    let small = |id: &str| {
        message(id, &[base64_part(Some("bad.msrcincident"), &xxe())]).replace("\r\n", "\n")
    };
    let path = dir.path().join("big.mbox");
    let mut file = fs::File::create(&path).unwrap();
    use std::io::Write as _;
    write!(
        file,
        "From a@example Wed Jan  3 14:30:00 2024\n{}\n",
        small("m1@example")
    )
    .unwrap();
    writeln!(
        file,
        "From b@example Wed Jan  3 14:30:00 2024\nSubject: big\n"
    )
    .unwrap();
    let line = vec![b'x'; 1 << 20];
    for _ in 0..65 {
        file.write_all(&line).unwrap();
    }
    write!(
        file,
        "\nFrom c@example Wed Jan  3 14:30:00 2024\n{}\n",
        small("m3@example")
    )
    .unwrap();
    drop(file);
    let out = rainv()
        .args(["scan-mail", "--json", "--now", NOW, "--password-file"])
        .arg(&pw)
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Something could not be inspected: exit 2.
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            let file = l["file"].as_str().unwrap();
            let place = file[file.rfind("(message").unwrap()..].to_string();
            let what = l["verdict"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| l["error"].to_string());
            (place, what)
        })
        .collect();
    assert_eq!(summary.len(), 3, "{stdout}");
    assert_eq!(summary[0], ("(message 1)".into(), "reject".into()));
    assert!(
        summary[1].0 == "(message 2)" && summary[1].1.contains("larger than 64 MiB"),
        "{stdout}"
    );
    assert_eq!(summary[2], ("(message 3)".into(), "reject".into()));
}

#[test]
fn scan_mail_reads_mbox_files() {
    let (dir, pw) = workdir();
    let messages = [
        message(
            "m1@example",
            &[base64_part(
                Some("ok.msrcincident"),
                &baseline("vista.valid"),
            )],
        ),
        message(
            "m2@example",
            &[base64_part(Some("bad.msrcincident"), &xxe())],
        ),
        message("m3@example", &[]),
        message(
            "m4@example",
            &[
                base64_part(Some("a.msrcincident"), &baseline("xp.valid")),
                base64_part(
                    Some("b.msrcincident"),
                    &fs::read(hostile(
                        "ticket.mismatch--rcticket-sends-expert-elsewhere.msrcincident",
                    ))
                    .unwrap(),
                ),
            ],
        ),
    ];
    let mut mbox = String::new();
    for m in &messages {
        mbox.push_str("From someone@example.com Wed Jan  3 14:30:00 2024\n");
        mbox.push_str(&m.replace("\r\n", "\n"));
        mbox.push('\n');
    }
    let path = dir.path().join("inbox.mbox");
    fs::write(&path, &mbox).unwrap();
    let (code, lines, stderr) = scan(&[&path], &pw);
    assert_eq!(code, 1, "{stderr}");
    // The same mbox on standard input: every message is judged, not the first alone.
    let (stdin_code, stdin_lines, stdin_stderr) = run_json(
        rainv()
            .args(["scan-mail", "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg("-")
            .write_stdin(mbox.clone()),
    );
    assert_eq!(stdin_code, 1, "{stdin_stderr}");
    let verdicts = |lines: &[Value]| {
        let mut all: Vec<String> = lines
            .iter()
            .map(|l| {
                let file = l["file"].as_str().unwrap();
                let place = &file[file.rfind("(message").unwrap()..];
                format!("{place} {} {}", l["attachment"], l["verdict"])
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(verdicts(&stdin_lines), verdicts(&lines));
    // And through a FIFO named on the command line, opened and read once.
    #[cfg(unix)]
    {
        let fifo = dir.path().join("inbox.fifo");
        mkfifo(&fifo);
        let writer = {
            let (fifo, mbox) = (fifo.clone(), mbox.clone());
            std::thread::spawn(move || fs::write(fifo, mbox).unwrap())
        };
        let (fifo_code, fifo_lines, fifo_stderr) = scan(&[&fifo], &pw);
        writer.join().unwrap();
        assert_eq!(fifo_code, 1, "{fifo_stderr}");
        assert_eq!(verdicts(&fifo_lines), verdicts(&lines));
    }
    assert!(stdin_lines.iter().all(|l| {
        l["file"]
            .as_str()
            .unwrap()
            .starts_with("standard input (message ")
    }));
    let mut got: Vec<(String, String, String, String, Vec<String>)> = lines
        .iter()
        .map(|l| {
            let (file, verdict, errors) = parse_line(l);
            let tail = file.rsplit_once("inbox.mbox").unwrap().1.trim().to_string();
            (
                tail,
                l["message_id"].as_str().unwrap().to_string(),
                l["attachment"].as_str().unwrap().to_string(),
                verdict,
                errors,
            )
        })
        .collect();
    got.sort();
    let s = |v: &str| v.to_string();
    assert_eq!(
        got,
        vec![
            (
                s("(message 1)"),
                s("m1@example"),
                s("ok.msrcincident"),
                s("accept"),
                vec![]
            ),
            (
                s("(message 2)"),
                s("m2@example"),
                s("bad.msrcincident"),
                s("reject"),
                vec![s("xml.doctype")]
            ),
            (
                s("(message 4)"),
                s("m4@example"),
                s("a.msrcincident"),
                s("accept"),
                vec![]
            ),
            (
                s("(message 4)"),
                s("m4@example"),
                s("b.msrcincident"),
                s("reject"),
                vec![s("ticket.mismatch")]
            ),
        ]
    );
}

#[test]
fn scan_mail_reads_maildir_folders() {
    let (dir, pw) = workdir();
    let maildir = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    fs::write(
        maildir.join("cur/1704292200.M1P1.gateway:2,S"),
        message(
            "cur@example",
            &[base64_part(
                Some("ok.msrcincident"),
                &baseline("vista.valid"),
            )],
        ),
    )
    .unwrap();
    fs::write(
        maildir.join("new/1704292260.M2P2.gateway"),
        message(
            "new@example",
            &[base64_part(Some("bad.msrcincident"), &xxe())],
        ),
    )
    .unwrap();
    fs::write(
        maildir.join("new/1704292320.M3P3.gateway"),
        message("plain@example", &[]),
    )
    .unwrap();
    // Not messages to judge: a delivery still in tmp/ (judged once it reaches new/), and the
    // bookkeeping files mail servers keep beside the folders. Each holds a hostile invitation
    // that must not be reported.
    let skipped = message(
        "skipped@example",
        &[base64_part(Some("skipped.msrcincident"), &xxe())],
    );
    for name in [
        "tmp/1704292380.M4P4.gateway",
        ".hidden",
        "dovecot-uidlist",
        "dovecot.index.log",
        "maildirfolder",
    ] {
        fs::write(maildir.join(name), &skipped).unwrap();
    }
    let (code, lines, stderr) = scan(&[&maildir], &pw);
    assert_eq!(code, 1, "{stderr}");
    let found = attachments(&lines);
    let s = |v: &str| v.to_string();
    assert_eq!(
        found,
        vec![
            (
                s("bad.msrcincident"),
                s("new@example"),
                s("reject"),
                vec![s("xml.doctype")]
            ),
            (s("ok.msrcincident"), s("cur@example"), s("accept"), vec![]),
        ]
    );
    // Only the accepted one: 0.
    fs::remove_file(maildir.join("new/1704292260.M2P2.gateway")).unwrap();
    assert_eq!(scan(&[&maildir], &pw).0, 0);
    // A folder named tmp that is not a Maildir's (beside cur/ but no new/) is searched like
    // any other.
    let other = dir.path().join("other/tmp");
    fs::create_dir_all(&other).unwrap();
    fs::create_dir_all(dir.path().join("other/cur")).unwrap();
    fs::write(other.join("message"), &skipped).unwrap();
    let (code, lines, _) = scan(&[&dir.path().join("other")], &pw);
    assert_eq!(code, 1);
    assert_eq!(attachments(&lines)[0].0, "skipped.msrcincident");
}

#[test]
fn scan_mail_reads_standard_input() {
    let raw = message(
        "stdin@example",
        &[base64_part(Some("x.msrcincident"), &xxe())],
    );
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["scan-mail", "--json", "--now", NOW, "-"])
            .write_stdin(raw),
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], "standard input");
    assert_eq!(lines[0]["message_id"], "stdin@example");
    assert_eq!(parse_line(&lines[0]).2, ["xml.doctype"]);
}

// ---------------------------------------------------------------------------------------------
// docs/security.md
// ---------------------------------------------------------------------------------------------

/// The Rust example in docs/security.md is examples/gateway.rs (which `cargo test` compiles),
/// and the policy TOML in it is accepted.
#[test]
fn the_security_doc_shows_the_compiled_example() {
    let doc = fs::read_to_string(root().join("docs/security.md")).unwrap();
    let example = fs::read_to_string(root().join("examples/gateway.rs")).unwrap();
    let block = |lang: &str| -> Vec<String> {
        let fence = format!("```{lang}\n");
        doc.split(fence.as_str())
            .skip(1)
            .map(|rest| rest.split("\n```\n").next().unwrap().to_string() + "\n")
            .collect()
    };
    assert!(
        block("rust").contains(&example),
        "docs/security.md must show examples/gateway.rs verbatim"
    );
    let tomls = block("toml");
    assert!(!tomls.is_empty());
    for toml in tomls {
        rainv_gateway::Policy::from_toml(&toml)
            .unwrap_or_else(|e| panic!("docs/security.md policy: {e}\n{toml}"));
    }
    // Every code the corpus tests is in the codes table.
    for path in corpus_files(|_| true) {
        let code = code_of(path.to_str().unwrap());
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "docs/security.md does not list {code}"
        );
    }
}

/// `--jobs` outside 1..=256 is a usage error naming the option and its range, for both
/// commands; before, 0 and 1000 were taken silently (and clamped).
#[test]
fn jobs_out_of_range_is_a_usage_error() {
    for command in ["check", "scan-mail"] {
        for jobs in ["0", "257", "1000"] {
            let output = rainv()
                .args([command, "--jobs", jobs])
                .arg(root().join("testdata/example.msrcincident"))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} --jobs {jobs}: {stderr}"
            );
            assert!(
                output.stdout.is_empty(),
                "{command} --jobs {jobs} judged files"
            );
            assert!(
                stderr.contains(&format!("invalid value '{jobs}' for '--jobs <N>'"))
                    && stderr.contains("1..=256"),
                "{command} --jobs {jobs}: {stderr}"
            );
        }
    }
}

/// The bounds themselves are accepted: 1 and 256 workers judge the file.
#[test]
fn jobs_at_the_bounds_is_accepted() {
    for jobs in ["1", "256"] {
        let output = rainv()
            .args([
                "check",
                "--json",
                "--now",
                "2026-11-22T10:00:00Z",
                "--jobs",
                jobs,
            ])
            .arg(root().join("testdata/example.msrcincident"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "--jobs {jobs}: {stdout}");
        assert!(
            stdout.contains(r#""verdict":"accept""#),
            "--jobs {jobs}: {stdout}"
        );
    }
}

/// On a terminal, standard error ends with the summary line docs/cli.md describes (the running
/// count is replaced by it); crates/rainv-cli/tests/cli/docs.rs cannot show it, as its standard error is a pipe.
#[cfg(unix)]
#[test]
fn check_on_a_terminal_ends_with_the_summary_line() {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rainv"));
    cmd.args(["check", "--jobs", "1", "--now", "2026-11-22T10:00:00Z"])
        .arg(root().join("testdata/example.msrcincident"))
        .arg(root().join("testdata/docs/evil.msrcincident"))
        .env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    let out = session.exp_eof().unwrap();
    let code = match session.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("rainv did not exit normally: {other:?}\n{out}"),
    };
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("checked 1 (0 rejected, 0 unreadable)"),
        "{out:?}"
    );
    // The count is cleared before each result line and drawn again at most every 100 ms; the
    // summary line is last, with no count left after it.
    assert!(
        out.contains("checked 1 (0 rejected, 0 unreadable)\r\u{1b}[K"),
        "{out:?}"
    );
    assert!(
        out.ends_with("\n2 files: 2 invitations judged, 1 rejected, 0 not inspected\r\n"),
        "{out:?}"
    );
}

/// The policy options that bound a value, one step either side of the bound.
#[test]
fn check_policy_options_meet_their_bounds() {
    let (dir, _) = workdir();
    let vista = baseline("vista.valid"); // DtLength 360 minutes
    let path = dir.path().join("vista.msrcincident");
    fs::write(&path, &vista).unwrap();
    let judge = |options: &[&str]| -> (i32, Vec<String>) {
        let (code, lines, stderr) = run_json(
            rainv()
                .args(["check", "--json", "--now", NOW])
                .args(options)
                .arg(&path),
        );
        assert_eq!(lines.len(), 1, "{options:?}: {stderr}");
        (code, parse_line(&lines[0]).2)
    };
    let accepted = (0, vec![]);
    let too_long = (1, vec!["validity.too-long".to_string()]);
    let too_large = (1, vec!["size.too-large".to_string()]);
    assert_eq!(judge(&["--max-validity-minutes", "0"]), accepted);
    assert_eq!(judge(&["--max-validity-minutes", "1"]), too_long);
    assert_eq!(judge(&["--max-validity-minutes", "359"]), too_long);
    assert_eq!(judge(&["--max-validity-minutes", "360"]), accepted);
    let size = vista.len().to_string();
    let one_less = (vista.len() - 1).to_string();
    assert_eq!(judge(&["--max-size", &size]), accepted);
    assert_eq!(judge(&["--max-size", &one_less]), too_large);
}

/// A file whose size is not its length, such as a named pipe (size 0), is read whole, not
/// just as far as its size said.
#[cfg(unix)]
#[test]
fn check_reads_a_named_pipe_whole() {
    use std::time::{Duration, Instant};
    let (dir, _) = workdir();
    let fifo = dir.path().join("pipe.msrcincident");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        // Blocks until rainv opens the pipe for reading.
        std::thread::spawn(move || fs::write(&fifo, baseline("vista.valid")))
    };
    let (code, lines, stderr) =
        run_json(rainv().args(["check", "--json", "--now", NOW]).arg(&fifo));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !writer.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if !writer.is_finished() {
        // rainv never opened the pipe: open it here so that the writer ends.
        drop(fs::File::open(&fifo));
    }
    writer.join().unwrap().unwrap();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert_eq!(parse_line(&lines[0]).1, "accept", "{}", lines[0]);
    assert_eq!(code, 0);
}

/// Files above a mebibyte are read another way than small ones; a larger --max-size reads
/// them whole.
#[test]
fn check_reads_large_files_whole_under_a_larger_limit() {
    let (dir, _) = workdir();
    let mut big = baseline("vista.valid");
    big.resize(1_500_000, b' ');
    let path = dir.path().join("big.msrcincident");
    fs::write(&path, &big).unwrap();
    for (max, expected) in [
        ("2000000", vec![]),
        ("1500000", vec![]),
        ("1499999", vec!["size.too-large".to_string()]),
    ] {
        let (code, lines, stderr) = run_json(
            rainv()
                .args(["check", "--json", "--now", NOW, "--max-size", max])
                .arg(&path),
        );
        assert_eq!(lines.len(), 1, "{max}: {stderr}");
        let errors = parse_line(&lines[0]).2;
        assert_eq!(errors, expected, "{max}");
        assert_eq!(code, i32::from(!expected.is_empty()), "{max}");
    }
}

/// Paths and results travel between threads in batches (32 paths, 64 lines): whatever the
/// number of workers, every file gets exactly one line with its own verdict.
#[test]
fn check_gives_the_same_verdicts_whatever_the_number_of_workers() {
    let (dir, pw) = workdir();
    let good = baseline("vista.valid");
    let bad = fs::read(hostile("xml.doctype--billion-laughs.msrcincident")).unwrap();
    let mut expected = Vec::new();
    for i in 0..150 {
        let (bytes, verdict) = if i % 7 == 0 {
            (&bad, "reject")
        } else {
            (&good, "accept")
        };
        let path = dir.path().join(format!("f{i:03}.msrcincident"));
        fs::write(&path, bytes).unwrap();
        expected.push((path.display().to_string(), verdict.to_string()));
    }
    expected.sort();
    for jobs in ["1", "2", "5"] {
        let (code, lines, stderr) = run_json(
            rainv()
                .args([
                    "check",
                    "--json",
                    "--now",
                    NOW,
                    "--jobs",
                    jobs,
                    "--password-file",
                ])
                .arg(&pw)
                .arg(dir.path()),
        );
        assert_eq!(code, 1, "--jobs {jobs}: {stderr}");
        let mut got: Vec<(String, String)> = lines
            .iter()
            .map(|l| {
                let (file, verdict, _) = parse_line(l);
                (file, verdict)
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "--jobs {jobs}");
    }
}

/// A message larger than 64 MiB is reported unreadable (exit 2), alone or in an mbox; one of
/// exactly 64 MiB is read.
#[test]
fn scan_mail_reads_messages_up_to_64_mib() {
    const LIMIT: usize = 64 * 1024 * 1024;
    let (dir, pw) = workdir();
    let plain = |size: usize| -> Vec<u8> {
        let mut message = b"Message-ID: <big@example>\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
            Content-Type: text/plain\r\n\r\n"
            .to_vec();
        let line = [[b'x'; 78].as_slice(), b"\r\n"].concat();
        while message.len() < size {
            message.extend_from_slice(&line);
        }
        message.truncate(size);
        message
    };
    for (size, unreadable) in [(LIMIT, false), (LIMIT + 1, true)] {
        let eml = dir.path().join("big.eml");
        fs::write(&eml, plain(size)).unwrap();
        let (code, lines, stderr) = scan(&[&eml], &pw);
        assert_eq!(code, if unreadable { 2 } else { 0 }, "{size}: {stderr}");
        assert_eq!(lines.len(), usize::from(unreadable), "{size}");
        // In an mbox, after a message with an invitation.
        let mbox = dir.path().join("big.mbox");
        let mut text = b"From a@example Wed Jan  3 15:00:00 2024\n".to_vec();
        text.extend_from_slice(
            message(
                "small@example",
                &[base64_part(
                    Some("ok.msrcincident"),
                    &baseline("vista.valid"),
                )],
            )
            .as_bytes(),
        );
        text.extend_from_slice(b"\nFrom b@example Wed Jan  3 15:00:00 2024\n");
        // The line break before the next "From " line (here, the end) belongs to the message.
        text.extend_from_slice(&plain(size - 1));
        text.extend_from_slice(b"\n");
        fs::write(&mbox, text).unwrap();
        let (code, lines, stderr) = scan(&[&mbox], &pw);
        assert_eq!(
            code,
            if unreadable { 2 } else { 0 },
            "mbox {size}: {stderr}"
        );
        assert_eq!(lines[0]["verdict"], "accept", "{}", lines[0]);
        assert_eq!(lines.len(), 1 + usize::from(unreadable), "mbox {size}");
        if unreadable {
            assert_eq!(lines[1]["error"], "message larger than 64 MiB");
        }
    }
}

/// `scan-mail` given what is not e-mail (an invitation file itself, hostile or not, or plain
/// text) says so and exits 2: never silence and 0, which would read as "clean".
#[test]
fn scan_mail_on_what_is_not_mail_is_an_error() {
    for file in [
        root().join("testdata/example.msrcincident"),
        root().join("testdata/ms-rai-sample-xp.msrcincident"),
        hostile("xml.doctype--billion-laughs.msrcincident"),
    ] {
        let out = rainv().arg("scan-mail").arg(&file).assert().code(2);
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(
            stdout.contains("not an RFC 5322 e-mail message")
                && stdout.contains("judged with `rainv check`"),
            "{}: {stdout}",
            file.display()
        );
        assert!(stderr.contains("1 input(s) could not be read"), "{stderr}");
    }
    let out = rainv()
        .args(["scan-mail", "-"])
        .write_stdin("just some text\n")
        .assert()
        .code(2);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("not an RFC 5322 e-mail message"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------------
// Archives
// ---------------------------------------------------------------------------------------------

const XXE_CASE: &str = "xml.doctype--xxe-parameter-entity-cve-2018-0878.msrcincident";

#[test]
fn check_opens_archives_named_or_found_and_names_the_path_inside() {
    let (dir, pw) = workdir();
    let zip = fs::read(hostile("xml.doctype--zip-xxe-in-a-folder.zip")).unwrap();
    let tgz_in_zip = fs::read(hostile("xml.doctype--tgz-inside-a-zip.zip")).unwrap();
    fs::create_dir_all(dir.path().join("in/sub")).unwrap();
    fs::write(dir.path().join("in/invite.zip"), &zip).unwrap();
    fs::write(dir.path().join("in/sub/Bundle.ZIP"), &tgz_in_zip).unwrap();
    // A renamed archive is found when named explicitly (by content), not in a walk.
    fs::write(dir.path().join("in/renamed.dat"), &zip).unwrap();
    let (code, lines, stderr) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW, "--password-file"])
            .arg(&pw)
            .arg(dir.path().join("in")),
    );
    assert_eq!(code, 1, "{stderr}");
    let mut seen: Vec<(String, Vec<String>, Vec<String>)> = lines
        .iter()
        .map(|line| {
            let (file, _, errors) = parse_line(line);
            let inside = line["inside"]
                .as_array()
                .unwrap_or_else(|| panic!("inside is a list: {line}"))
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (file, inside, errors)
        })
        .collect();
    seen.sort();
    assert_eq!(seen.len(), 2, "{lines:#?}");
    assert!(seen[0].0.ends_with("invite.zip"), "{seen:?}");
    assert_eq!(seen[0].1, ["docs/RAInvitation.msrcincident"]);
    assert_eq!(seen[0].2, ["xml.doctype"]);
    assert!(seen[1].0.ends_with("Bundle.ZIP"), "{seen:?}");
    assert_eq!(seen[1].1, ["bundle.tgz", "docs/RAInvitation.msrcincident"]);
    assert!(
        stderr.contains("2 files: 2 invitations judged, 2 rejected"),
        "{stderr}"
    );

    // Human output: the path, each entry after a », escaped.
    let out = rainv()
        .args(["check", "--now", NOW])
        .arg(dir.path().join("in/renamed.dat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("renamed.dat \u{bb} docs/RAInvitation.msrcincident: REJECT"),
        "{stdout}"
    );
    // A JSON line for the file itself has no `inside`.
    let (_, lines, _) = run_json(
        rainv()
            .args(["check", "--json", "--now", NOW])
            .arg(hostile(XXE_CASE)),
    );
    assert_eq!(lines[0]["inside"], serde_json::json!([]), "{}", lines[0]);
}

#[test]
fn check_answers_for_an_archive_with_nothing_inside_and_for_one_it_cannot_open() {
    let (dir, _) = workdir();
    let plain = write_zip_of_text(&dir);
    let out = rainv()
        .args(["check", "--now", NOW])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("accept"), "{stdout}");
    assert!(stdout.contains("[archive.no-invitation]"), "{stdout}");

    let encrypted = hostile("archive.not-inspected--zip-encrypted-entry.zip");
    let out = rainv()
        .args(["check", "--now", NOW])
        .arg(&encrypted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("\u{bb} RAInvitation.msrcincident: REJECT"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[archive.not-inspected] an encrypted entry"),
        "{stdout}"
    );
    // The policy switch lowers it to a warning.
    let policy = dir.path().join("lenient.toml");
    fs::write(&policy, "[archives]\nallow_not_inspected = true\n").unwrap();
    let out = rainv()
        .args(["check", "--now", NOW, "--policy"])
        .arg(&policy)
        .arg(&encrypted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("warning [archive.not-inspected]")
    );
    // Unknown keys in the table are refused, naming them.
    fs::write(&policy, "[archives]\nmax_entrys = 5\n").unwrap();
    let out = rainv()
        .args(["check", "--now", NOW, "--policy"])
        .arg(&policy)
        .arg(&encrypted)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("max_entrys")
    );
}

/// A zip of one text file, written by hand (stored, so no compressor is needed here).
fn write_zip_of_text(dir: &TempDir) -> PathBuf {
    let name = b"notes.txt";
    let data = b"nothing to see";
    let crc = crc32(data);
    let mut zip = Vec::new();
    let mut local = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0".to_vec();
    local.extend_from_slice(&crc.to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&0u16.to_le_bytes());
    zip.extend_from_slice(&local);
    zip.extend_from_slice(name);
    zip.extend_from_slice(data);
    let directory_at = zip.len();
    let mut central = b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0".to_vec();
    central.extend_from_slice(&crc.to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(name.len() as u16).to_le_bytes());
    central.extend_from_slice(&[0; 12]);
    central.extend_from_slice(&0u32.to_le_bytes());
    zip.extend_from_slice(&central);
    zip.extend_from_slice(name);
    let directory_len = zip.len() - directory_at;
    zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    zip.extend_from_slice(&(directory_len as u32).to_le_bytes());
    zip.extend_from_slice(&(directory_at as u32).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    let path = dir.path().join("notes.zip");
    fs::write(&path, zip).unwrap();
    path
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn scan_mail_opens_zipped_attachments() {
    // The case that went through with exit 0 and no output before archives were opened.
    let (_dir, pw) = workdir();
    let (code, lines, stderr) = scan(&[&hostile("xml.doctype--mail-zip-attachment.eml")], &pw);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["attachment"], "invite.zip");
    assert_eq!(
        lines[0]["inside"],
        serde_json::json!(["docs/RAInvitation.msrcincident"])
    );
    assert_eq!(parse_line(&lines[0]).2, ["xml.doctype"]);
}

#[test]
fn check_says_when_it_finds_nothing_and_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("notes.txt"), "nothing here").unwrap();
    std::os::unix::fs::symlink(hostile(XXE_CASE), root.join("linked.msrcincident")).unwrap();
    let fifo = root.join("pipe.msrcincident");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = rainv().arg("check").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "0 files: 0 invitations judged, 0 rejected, 0 not inspected; no files found to judge; \
         1 symbolic link skipped (not followed); 1 special file skipped (FIFOs, sockets, devices)\n"
    );
}
