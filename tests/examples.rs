//! The examples in `examples/` run and do what they say: `cargo test` builds them, this runs
//! them.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// An example's binary, built by `cargo test` beside this test's.
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let dir = deps.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(name);
    assert!(path.is_file(), "{} is built by cargo test", path.display());
    path
}

#[test]
fn the_helpdesk_example_creates_and_opens_an_invitation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alice.msrcincident");
    let out = Command::new(example("helpdesk"))
        .args(["alice", "192.0.2.10:3389"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("alice asks for help; the invitation is valid"),
        "{text}"
    );
    assert!(
        text.contains("connect to 192.0.2.10 port Some(3389)"),
        "{text}"
    );
    assert!(
        text.contains("the expert's PASS value checks: true"),
        "{text}"
    );
    // What it wrote is an invitation rainv reads.
    let bytes = std::fs::read(&file).unwrap();
    let invitation = rainv::Invitation::from_bytes(&bytes).unwrap();
    assert_eq!(invitation.username(), "alice");
}

#[test]
fn the_gateway_example_judges_files_archives_and_mail() {
    let root = common::root();
    let out = Command::new(example("gateway"))
        .arg(root.join("testdata/example-policy.toml"))
        .arg(root.join("testdata/hostile/xml.doctype--zip-xxe-in-a-folder.zip"))
        .arg(root.join("testdata/hostile/xml.doctype--mail-zip-attachment.eml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        assert_eq!(line["inside"][0], "docs/RAInvitation.msrcincident");
        assert_eq!(line["report"]["verdict"], "reject");
        assert_eq!(line["report"]["findings"][0]["code"], "xml.doctype");
    }
    assert_eq!(lines[1]["attachment"], "invite.zip");
}
