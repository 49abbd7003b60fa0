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
use std::io::Read;
use std::process::ExitCode;

use rainv::Password;
use rainv_gateway::{Policy, Verdict, validate};
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
    for path in args {
        let name = path.to_string_lossy();
        // Read at most one byte over the limit, so a huge attachment is refused (size.too-large)
        // without being loaded whole.
        let cap = policy.limits.max_input_bytes as u64 + 1;
        let mut bytes = Vec::new();
        if let Err(e) = File::open(&path).and_then(|f| f.take(cap).read_to_end(&mut bytes)) {
            eprintln!("{name}: {e}");
            status = 2;
            continue;
        }
        // No I/O, no panics, bounded time and memory: safe to call on any bytes.
        let report = validate(&bytes, &policy, now);
        if report.verdict == Verdict::Reject && status == 0 {
            status = 1;
        }
        // Finding messages are already escaped for display; JSON escapes the rest.
        println!("{}", json!({ "file": name, "report": report }));
    }
    ExitCode::from(status)
}
