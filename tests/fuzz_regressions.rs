//! Every input the fuzzers found (fuzz/regressions/<target>-<name>), replayed in `cargo test`
//! with the property its target checks.

use rainv::{ConnectionString2, Document, Layout, Limits};

fn regressions() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions exists")
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    assert!(!found.is_empty());
    found
}

#[test]
fn fuzz_findings_stay_fixed() {
    let limits = Limits::default();
    for (name, bytes) in regressions() {
        let target = name.split('-').next().unwrap();
        match target {
            "read" => {
                if let Ok(Document::Invitation(inv)) = rainv::read(&bytes, &limits) {
                    for layout in [Layout::Xp, Layout::Windows7, Layout::Windows10] {
                        if let Ok(written) = inv.to_bytes(layout) {
                            let again = rainv::Invitation::from_bytes(&written);
                            assert_eq!(again.as_ref(), Ok(&inv), "{name}: {layout:?}");
                        }
                    }
                }
            }
            "connection_string2" => {
                let text = String::from_utf8_lossy(&bytes);
                if let Ok(cs) = ConnectionString2::parse(&text, &limits) {
                    let again = ConnectionString2::parse(&cs.to_text(), &limits);
                    assert_eq!(again.as_ref(), Ok(&cs), "{name}");
                }
            }
            "scan_mail" => {
                let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
                let policy = rainv::validate::Policy::default();
                // Must return (Ok or Err), not panic.
                let _ = rainv::mail::scan_message(&bytes, &policy, now);
            }
            other => panic!("{name}: no replay for target {other}"),
        }
    }
}
