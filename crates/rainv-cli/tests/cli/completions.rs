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
