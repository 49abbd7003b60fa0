//! `rainv completions` and `rainv man`.

use super::*;

#[test]
fn completions_bash() {
    let out = rainv().args(["completions", "bash"]).assert().success();
    let text = stdout_of(&out);
    assert!(text.contains("_rainv()"), "{text}");
    assert!(text.contains("complete -F _rainv"), "{text}");
    for word in [
        "open",
        "create",
        "decrypt",
        "encrypt",
        "passstub",
        "--password-file",
    ] {
        assert!(text.contains(word), "{word}");
    }
}

#[test]
fn man_page() {
    let out = rainv().arg("man").assert().success();
    let text = stdout_of(&out);
    assert!(text.contains(".TH rainv"), "{text}");
    assert!(text.contains("Exit codes"), "{text}");
}

#[test]
fn a_man_page_for_each_command() {
    let out = rainv().args(["man", "open"]).assert().success();
    let text = stdout_of(&out);
    assert!(text.contains(".TH rainv-open 1"), "{text}");
    assert!(text.contains("\\-\\-verbose"), "every option: {text}");
    let dir = tempfile::tempdir().unwrap();
    rainv()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    for command in [
        "open",
        "create",
        "decrypt",
        "encrypt",
        "passstub",
        "check",
        "scan-mail",
        "milter",
    ] {
        let page = std::fs::read_to_string(dir.path().join(format!("rainv-{command}.1"))).unwrap();
        assert!(
            page.contains(&format!(".TH rainv-{command} 1")),
            "{command}"
        );
    }
    assert!(dir.path().join("rainv.1").is_file());
    let out = rainv().args(["man", "nope"]).assert().code(2);
    assert!(stderr_of(&out).contains("no command nope"));
}
