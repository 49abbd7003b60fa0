//! Embedding rainv in a mail gateway: judge files (invitations, and archives, opened) and
//! e-mail messages (`.eml`: every attachment, forwarded messages, archives in them) against a
//! TOML policy, and print one JSON line per invitation found. This is the code shown in
//! docs/security.md.
//!
//! ```text
//! cargo run --example gateway -- policy.toml FILE...
//! RAINV_PASSWORD=ABCDEF123456 cargo run --example gateway -- policy.toml invite.zip mail.eml
//! ```
//!
//! Exit status: 0 when every invitation is accepted, 1 when any is rejected, 2 on usage or I/O
//! errors and on input that is not what it claims (an `.eml` that is not mail).

use std::fs::File;
use std::process::ExitCode;

use rainv::Password;
use rainv_gateway::chrono::Utc;
use rainv_gateway::{Candidate, Policy, ReadOutcome, Verdict, inspect, read_bounded, scan_message};
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

    let now = Utc::now();
    let mut status = 0;
    // One buffer for every file.
    let mut bytes = Vec::new();
    for path in args {
        let name = path.to_string_lossy().into_owned();
        let is_mail = name.to_ascii_lowercase().ends_with(".eml");
        // Read no more than the largest thing judged (a message, an archive), and one byte over,
        // so a huge file is refused without being loaded whole.
        let limit = if is_mail {
            64 * 1024 * 1024
        } else {
            policy
                .archives
                .max_archive_bytes
                .max(policy.limits.max_input_bytes)
        };
        let read = File::open(&path).and_then(|file| {
            let metadata = file.metadata()?;
            let size_hint = metadata.is_file().then_some(metadata.len());
            read_bounded(file, limit, size_hint, &mut bytes)
        });
        match read {
            Err(e) => {
                eprintln!("{name}: {e}");
                status = 2;
                continue;
            }
            Ok(ReadOutcome::TooLarge { size }) => {
                eprintln!("{name}: {size} bytes or more, larger than {limit}: not inspected");
                status = 2;
                continue;
            }
            Ok(ReadOutcome::Complete) => {}
        }
        // No I/O, no panics, bounded time and memory: safe to call on any bytes.
        let found: Vec<serde_json::Value> = if is_mail {
            match scan_message(&bytes, &policy, now) {
                Ok(reports) => reports
                    .into_iter()
                    .map(|r| json!({"file": name, "attachment": r.attachment, "inside": r.inside, "report": r.report}))
                    .collect(),
                Err(e) => {
                    eprintln!("{name}: {e}");
                    status = 2;
                    continue;
                }
            }
        } else {
            // A file given by name is judged whatever it holds; an archive is opened.
            let file_name = std::path::Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            inspect(&[&file_name], &bytes, Candidate::Always, &policy, now)
                .into_iter()
                .map(|r| json!({"file": name, "inside": r.inside, "report": r.report}))
                .collect()
        };
        for line in found {
            if line["report"]["verdict"] == json!(Verdict::Reject) && status == 0 {
                status = 1;
            }
            // Finding messages are already escaped for display; JSON escapes the rest.
            println!("{line}");
        }
    }
    ExitCode::from(status)
}
