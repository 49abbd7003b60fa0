//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the project, where the Windows interop files and vectors live.
///
/// In CI (`CI=true`) it must exist and a missing one fails the test. On a fresh clone without
/// it, the test is skipped and says so.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("interop").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but {} is missing: the interop tests must run in CI",
            dir.display()
        );
    }
    // Written to the stderr handle directly, which the test harness does not capture, so the
    // skip is visible in a plain `cargo test` run.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {} not found; this interop test needs ../shared (CI has it)",
        dir.display()
    );
    None
}

pub fn read_shared(path: &str) -> Option<Vec<u8>> {
    let dir = shared_dir()?;
    Some(std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}")))
}

pub fn shared_password(name: &str) -> Option<rainv::Password> {
    let bytes = read_shared(&format!("interop/{name}.password"))?;
    let text = String::from_utf8(bytes).unwrap();
    Some(rainv::Password::new(text.trim_end_matches(['\r', '\n'])))
}

pub fn testdata(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
