//! The Rust side of `benches/bindings.sh`: the call the C ABI's `rainv_check` and Python's
//! `rainv.validate` make, timed in Rust on the same file, so the script can say what each
//! binding adds. See "The bindings" in docs/performance.md.
//!
//! ```text
//! bindings ROUNDS CALLS FILE
//! validate ns_per_call X
//! validate_json ns_per_call Y
//! ```
//!
//! `validate` is `rainv_gateway::validate` with the default policy; `validate_json` is what
//! `rainv_check` does in Rust: `inspect_file`, then each result as a JSON line. Each is the best
//! of ROUNDS rounds of CALLS calls. Run with no arguments (as `cargo bench` runs every bench) it
//! only prints how to use it.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use rainv_gateway::chrono::DateTime;
use rainv_gateway::{Policy, ResultLine, inspect_file, validate};

const USAGE: &str = "usage: bindings ROUNDS CALLS FILE";

fn best_of(rounds: u32, calls: u32, mut call: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..calls {
            call();
        }
        best = best.min(start.elapsed().as_nanos() as f64 / f64::from(calls));
    }
    best
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [rounds, calls, file] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    let (Ok(rounds), Ok(calls)) = (rounds.parse::<u32>(), calls.parse::<u32>()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let policy = Policy::default();
    let now = DateTime::from_timestamp(1_764_496_800, 0).unwrap_or_default();
    let validate_ns = best_of(rounds, calls, || {
        black_box(validate(black_box(&bytes), &policy, now));
    });
    let json_ns = best_of(rounds, calls, || {
        let mut text = String::new();
        for entry in inspect_file(Some(file.as_str()), black_box(&bytes), &policy, now) {
            let line = ResultLine::judged(file, &entry.report).inside(&entry.inside);
            text.push_str(&serde_json::to_string(&line).unwrap_or_default());
            text.push('\n');
        }
        black_box(text);
    });
    println!("validate ns_per_call {validate_ns:.0}");
    println!("validate_json ns_per_call {json_ns:.0}");
    ExitCode::SUCCESS
}
