//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
pub mod reference;

/// The workspace root (the folder holding Cargo.lock), whichever crate's tests call this.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .expect("the workspace root holds Cargo.lock")
        .to_path_buf()
}

/// `../shared` beside the project, where the Windows interop files and vectors live.
///
/// Only tests marked `#[cfg_attr(not(rainv_shared), ignore = ...)]` call this: `build.rs` sets
/// `rainv_shared` when the folder exists, so on a clone without it those tests are reported as
/// ignored (with the reason) rather than passed. CI checks the folder is there (`.ci/run`).
#[cfg(rainv_shared)]
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("RAINV_SHARED_DIR"))
}

#[cfg(not(rainv_shared))]
pub fn shared_dir() -> PathBuf {
    panic!("../shared is missing; this test should have been ignored (see build.rs)")
}

/// A file under `../shared`.
pub fn read_shared(path: &str) -> Vec<u8> {
    let path = shared_dir().join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The password of a Windows file in `../shared/interop`.
pub fn shared_password(name: &str) -> rainv::Password {
    let text = String::from_utf8(read_shared(&format!("interop/{name}.password"))).unwrap();
    rainv::Password::new(text.trim_end_matches(['\r', '\n']))
}

pub fn testdata(name: &str) -> Vec<u8> {
    let path = root().join("testdata").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The hostile corpus (testdata/hostile): every case as (file name, expected finding code),
/// sorted.
///
/// Three lists must name the same cases, and this checks it both ways: the files in the folder,
/// the table of cases in its README, and `hostile-cases.txt` beside this file (the tests' own
/// expectation, so a case deleted from the folder and the README together is still missed).
pub fn hostile_corpus() -> Vec<(String, String)> {
    use std::collections::BTreeSet;
    let dir = root().join("testdata/hostile");
    // Every case is named `<code>--<what it attacks>.<ext>`, whatever its kind of file.
    let is_case = |name: &str| name.contains("--");
    let in_folder: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| is_case(name))
        .collect();
    let expected: BTreeSet<String> = include_str!("hostile-cases.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let in_readme: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(name, _)| name.to_string())
        .filter(|name| is_case(name))
        .collect();
    let diff = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> Vec<String> {
        a.difference(b).cloned().collect()
    };
    assert_eq!(
        diff(&expected, &in_folder),
        Vec::<String>::new(),
        "cases in tests/common/hostile-cases.txt but not in testdata/hostile"
    );
    assert_eq!(
        diff(&in_folder, &expected),
        Vec::<String>::new(),
        "files in testdata/hostile that tests/common/hostile-cases.txt does not expect"
    );
    assert_eq!(
        diff(&expected, &in_readme),
        Vec::<String>::new(),
        "cases the README's table does not list"
    );
    assert_eq!(
        diff(&in_readme, &expected),
        Vec::<String>::new(),
        "cases the README's table lists that are not expected"
    );
    expected
        .into_iter()
        .map(|name| {
            let (code, _) = name
                .split_once("--")
                .unwrap_or_else(|| panic!("{name}: a case is named CODE--DESCRIPTION.EXT"));
            let code = code.to_string();
            (name, code)
        })
        .collect()
}
