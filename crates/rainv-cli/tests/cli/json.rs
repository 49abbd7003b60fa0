//! The one JSON shape (docs/rainv.schema.json): every line `rainv open --json`, `check --json`
//! and `scan-mail --json` print over the bundled files, the hostile corpus and the Windows
//! files is valid against the schema, with its keys in the documented order.

use super::*;

fn schema() -> (jsonschema::Validator, Value) {
    let text = std::fs::read_to_string(common::root().join("docs/rainv.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    (validator, schema)
}

/// Every line of `stdout` is valid, with keys in the schema's order; how many lines.
fn check_lines(stdout: &[u8], what: &str) -> usize {
    let (validator, schema) = schema();
    let order: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let text = std::str::from_utf8(stdout).unwrap();
    let mut count = 0;
    for line in text.lines() {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:?}\n{line}");
        // Keys in the documented order: the schema lists them in it.
        let positions: Vec<usize> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| order.iter().position(|o| o == k).unwrap())
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{what}: key order\n{line}"
        );
        count += 1;
    }
    count
}

#[test]
fn the_schema_is_served_by_check_and_scan_mail_over_the_corpus() {
    let hostile = common::root().join("testdata/hostile");
    let out = rainv()
        .args(["check", "--json", "--password-env", PW_VAR])
        .env(PW_VAR, "HOSTILE12345")
        .arg(&hostile)
        .arg(common::root().join("testdata/no-such-file.msrcincident"))
        .output()
        .unwrap();
    assert!(check_lines(&out.stdout, "check") > 150);
    let mail: Vec<PathBuf> = std::fs::read_dir(&hostile)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .chain([testdata("docs/help.eml")])
        .collect();
    let out = rainv()
        .args(["scan-mail", "--json"])
        .args(&mail)
        .output()
        .unwrap();
    assert!(check_lines(&out.stdout, "scan-mail") >= mail.len());
}

#[test]
fn the_schema_is_served_by_open() {
    let dir = TempDir::new().unwrap();
    let wrong = password_file(&dir, "AAAAAAAAAAAA");
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::root().join("testdata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msrcincident"))
        .collect();
    files.sort();
    // Decrypted, with the right password.
    let out = rainv()
        .args(["open", "--json"])
        .arg(example())
        .arg("--password-file")
        .arg(example_password_file())
        .output()
        .unwrap();
    assert_eq!(check_lines(&out.stdout, "open, decrypted"), 1);
    // Encrypted: without a password, and with a wrong one (an `error` in the ticket).
    for extra in [
        vec!["--no-decrypt".to_string()],
        vec!["--password-file".into(), wrong.display().to_string()],
    ] {
        let out = rainv()
            .args(["open", "--json"])
            .args(&extra)
            .args(&files)
            .output()
            .unwrap();
        assert_eq!(check_lines(&out.stdout, "open"), files.len(), "{extra:?}");
    }
    // The hostile corpus: a line for every file, those that cannot be read included.
    let mut hostile: Vec<PathBuf> = std::fs::read_dir(common::root().join("testdata/hostile"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "msrcincident"))
        .collect();
    hostile.sort();
    let out = rainv()
        .args(["open", "--json", "--no-decrypt"])
        .args(&hostile)
        .output()
        .unwrap();
    assert!(hostile.len() > 100);
    assert_eq!(check_lines(&out.stdout, "open, hostile"), hostile.len());
}

#[cfg_attr(not(rainv_shared), ignore = "needs ../shared (the Windows-made files)")]
#[test]
fn the_schema_is_served_for_the_windows_files() {
    for name in ["windows-xp", "windows7", "windows10"] {
        let (file, password) = interop(name);
        let out = rainv()
            .args(["open", "--json", "--verbose"])
            .arg(&file)
            .arg("--password-file")
            .arg(&password)
            .output()
            .unwrap();
        assert_eq!(check_lines(&out.stdout, name), 1);
    }
}
