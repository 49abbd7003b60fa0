//! Sets `cfg(rainv_shared)` when `../shared/interop` (the Windows-made files the interop tests
//! read) is beside the project, and `cfg(rainv_jq)` when `jq` is on `PATH` (some examples of
//! docs/cli.md pipe into it), and `cfg(rainv_postfix)` when Postfix is installed and the build
//! runs as root (the milter's tests run a private Postfix), so that the tests needing them run
//! there and are reported as ignored, with the reason, everywhere else. CI has all three.
//!
//! Every crate of the workspace uses this one script (`build = "../../build.rs"`), and
//! `../shared` is looked for beside the workspace root. `RAINV_SHARED_DIR` points at another
//! copy of `shared/`. After adding `../shared` to a
//! checkout that was built without it, run `cargo clean` (or touch this file) so the
//! tests are built again with it.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rainv_shared)");
    println!("cargo::rustc-check-cfg=cfg(rainv_jq)");
    println!("cargo::rustc-check-cfg=cfg(rainv_postfix)");
    // cargo-fuzz builds with `--cfg fuzzing`; the library has hooks for its targets there.
    println!("cargo::rustc-check-cfg=cfg(fuzzing)");
    println!("cargo::rerun-if-env-changed=PATH");
    let on_path = |tool: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
    };
    if on_path("jq") {
        println!("cargo::rustc-cfg=rainv_jq");
    }
    // The milter's end-to-end tests run a private Postfix instance, which needs Postfix's
    // programs and root (its master process starts as root).
    println!("cargo::rerun-if-changed=/usr/sbin");
    if std::path::Path::new("/usr/sbin/postfix").is_file() && is_root() {
        println!("cargo::rustc-cfg=rainv_postfix");
    }
    println!(
        "cargo::rerun-if-changed={}",
        workspace_root().join("build.rs").display()
    );
    println!("cargo::rerun-if-env-changed=RAINV_SHARED_DIR");
    let shared = match std::env::var_os("RAINV_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("../shared"),
    };
    let interop = shared.join("interop");
    if interop.is_dir() {
        println!("cargo::rustc-cfg=rainv_shared");
        println!("cargo::rustc-env=RAINV_SHARED_DIR={}", shared.display());
        println!("cargo::rerun-if-changed={}", interop.display());
    }
}

/// The folder holding Cargo.lock, at or above this crate's manifest.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(&manifest)
        .to_path_buf()
}

/// Whether the build runs as root (the real user ID in /proc/self/status is 0).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}
