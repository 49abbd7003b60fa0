//! The `scan_mail` fuzz target's findings (fuzz/regressions/scan_mail-*), replayed; the other
//! targets' are in the library's tests/fuzz_regressions.rs, which also checks that every file
//! there has a replay.

#[path = "../../../tests/common/mod.rs"]
mod common;

use rainv_gateway::Policy;

fn regression(name: &str) -> Vec<u8> {
    let path = common::root().join("fuzz/regressions").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Nested `message/rfc822` parts with nothing inside once tripped the mail parser: the message
/// is read, and holds no invitation.
#[test]
fn nested_empty_forwarded_messages_hold_nothing() {
    let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let reports = rainv_gateway::scan_message(
        &regression("scan_mail-mail-parser-nested-rfc822-panic"),
        &Policy::default(),
        now,
    );
    assert_eq!(reports, Ok(vec![]));
}
