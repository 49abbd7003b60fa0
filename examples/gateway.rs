//! Embedding rainv in a mail gateway: judge invitation files against a TOML policy and print
//! one JSON line per file. This is the code shown in docs/security.md.
//!
//! ```text
//! cargo run --example gateway -- policy.toml FILE...
//! RAINV_PASSWORD=ABCDEF123456 cargo run --example gateway -- policy.toml invitation.msrcincident
//! ```
//!
//! Exit status: 0 when every file is accepted, 1 when any is rejected, 2 on usage or I/O errors.

use std::fs::File;
use std::process::ExitCode;

use rainv::Password;
use rainv_gateway::{Policy, ReadOutcome, Report, Verdict, read_bounded, validate};
use serde_json::json;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(policy_path) = args.next() else {
        eprintln!("usage: gateway POLICY.toml FILE...");
        return ExitCode::from(2);
    };

    // The policy: every key optional, unknown keys refused (see docs/security.md).
    let mut policy = match std::fs::read_to_string(&policy_path)
        .map_err(|e| e.to_string())
        .and_then(|text| Policy::from_toml(&text).map_err(|e| e.to_string()))
    {
        Ok(policy) => policy,
        Err(e) => {
            eprintln!("policy {}: {e}", policy_path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    // The ticket password is a secret: it never goes in the policy file.
    if let Ok(password) = std::env::var("RAINV_PASSWORD") {
        policy.password = Some(Password::new(password));
    }

    let now = chrono::Utc::now();
    let mut status = 0;
    // One buffer for every file.
    let mut bytes = Vec::new();
    for path in args {
        let name = path.to_string_lossy();
        // Read at most one byte over the limit, so a huge attachment is refused (size.too-large)
        // without being loaded whole. A regular file's length lets a small one be read at once.
        let limit = policy.limits.max_input_bytes;
        let read = File::open(&path).and_then(|file| {
            let metadata = file.metadata()?;
            let size_hint = metadata.is_file().then_some(metadata.len());
            read_bounded(file, limit, size_hint, &mut bytes)
        });
        let report = match read {
            Err(e) => {
                eprintln!("{name}: {e}");
                status = 2;
                continue;
            }
            Ok(ReadOutcome::TooLarge { size }) => Report::too_large(size, limit),
            // No I/O, no panics, bounded time and memory: safe to call on any bytes.
            Ok(ReadOutcome::Complete) => validate(&bytes, &policy, now),
        };
        if report.verdict == Verdict::Reject && status == 0 {
            status = 1;
        }
        // Finding messages are already escaped for display; JSON escapes the rest.
        println!("{}", json!({ "file": name, "report": report }));
    }
    ExitCode::from(status)
}
