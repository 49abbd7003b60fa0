//! Every input the fuzzers found (fuzz/regressions/<target>-<name>), replayed in `cargo test`:
//! each must give exactly the outcome recorded here, and the property its target checks must
//! hold. A new file without an expectation fails the test.

use rainv::{ConnectionString2, ErrorCode, Limits};

fn regression(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file in fuzz/regressions, so that none goes without a replay: here, for the
/// `scan_mail` target in crates/rainv-gateway/tests/fuzz_regressions.rs, and for the
/// `token_sources` target in the unit tests of src/xml.rs (which compare crate-private token
/// sources).
const REPLAYED: [&str; 6] = [
    "connection_string2-quote-in-attribute-name",
    "read-quote-in-attribute-name",
    "scan_mail-mail-parser-nested-rfc822-panic",
    "token_sources-handover-with-open-elements",
    "token_sources-space-then-text-after-the-root",
    "token_sources-unmatched-end-tag-after-handover",
];

#[test]
fn every_regression_has_a_replay() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    found.sort();
    assert_eq!(found, REPLAYED);
}

/// A quote is not an XML name character: the attribute named `"` is malformed, in an
/// invitation and in a bare ticket alike.
#[test]
fn attribute_names_with_quotes_are_malformed() {
    let limits = Limits::default();
    let error = rainv::read(&regression("read-quote-in-attribute-name"), &limits).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Malformed, "{error}");
    let text = String::from_utf8(regression("connection_string2-quote-in-attribute-name")).unwrap();
    let error = ConnectionString2::parse(&text, &limits).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Malformed, "{error}");
}
