//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
pub mod reference;

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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
