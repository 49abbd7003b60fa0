//! The performance budgets of `docs/performance.md`, measured and checked on this machine.
//!
//! Run with `cargo bench --bench budgets` (pin it to a core for steadier numbers:
//! `taskset -c 1 cargo bench --bench budgets`). Each operation runs in 400 rounds of 1,000
//! iterations after a warm-up; the table gives the mean time per iteration of the fastest
//! round (what the code costs when nothing else gets in the way) and of the median round (what
//! a run on a shared machine sees), and calls a budget met when the median round is within it.
//! The inputs are those of `benches/rainv.rs` (`common/mod.rs`).
//!
//! Batch throughput and memory (`rainv check`) are measured by `benches/check_throughput.sh`.

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{Sample, samples};
use rainv::{Invitation, Limits, pass_stub, read};

/// An operation: its name, its budget in µs (if it has one), and one run of it.
type Row<'a> = (&'a str, Option<f64>, &'a dyn Fn());

const ROUNDS: usize = 400;
const ITERATIONS: usize = 1_000;

/// Microseconds per iteration: (fastest round, median round).
fn measure(mut operation: impl FnMut()) -> (f64, f64) {
    for _ in 0..ITERATIONS * 20 {
        operation();
    }
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..ITERATIONS {
                operation();
            }
            start.elapsed().as_secs_f64() * 1e6 / ITERATIONS as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    (rounds[0], rounds[ROUNDS / 2])
}

/// Read, decrypt with the password, and compute the expert's PASS blob: opening a file.
fn open(sample: &Sample) {
    let invitation = Invitation::from_bytes(black_box(&sample.bytes)).expect("the sample reads");
    let ticket = invitation
        .decrypt(&sample.password)
        .expect("the sample decrypts");
    let stub = invitation.pass_stub().expect("the sample has a PassStub");
    black_box((ticket, pass_stub::encrypt(&sample.password, stub)));
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not supported, so ignore the arguments.
    let samples = samples();
    let limits = Limits::default();
    let [_xp, win7, win10] = samples.as_slice() else {
        panic!("three samples");
    };
    let rows: [Row<'_>; 4] = [
        ("open a Windows 10 file", Some(5.0), &|| open(win10)),
        ("read a Windows 10 file", Some(2.0), &|| {
            black_box(read(black_box(&win10.bytes), &limits).expect("the sample reads"));
        }),
        ("open a Windows 7 file", None, &|| open(win7)),
        ("read a Windows 7 file", None, &|| {
            black_box(read(black_box(&win7.bytes), &limits).expect("the sample reads"));
        }),
    ];
    println!(
        "{:<24} {:>10} {:>14} {:>14}  verdict",
        "operation", "budget µs", "fastest µs", "median µs"
    );
    let mut over = 0;
    for (name, budget, operation) in rows {
        let (fastest, median) = measure(operation);
        let (budget_text, verdict) = match budget {
            Some(limit) if median <= limit => (format!("{limit:.1}"), "met"),
            Some(limit) => {
                over += 1;
                (format!("{limit:.1}"), "OVER BUDGET")
            }
            None => ("-".into(), ""),
        };
        println!("{name:<24} {budget_text:>10} {fastest:>14.2} {median:>14.2}  {verdict}");
    }
    if over > 0 {
        println!("{over} budget(s) not met on this run (see docs/performance.md on noise)");
    }
}
