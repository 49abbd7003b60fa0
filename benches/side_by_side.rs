//! rainv's half of the side-by-side comparison with FreeRDP (issue #12), driven by
//! `benches/side_by_side.sh`; see "Side by side with FreeRDP" in docs/performance.md.
//!
//! ```text
//! side_by_side [--floor | --read | --decrypt] PASSWORD ROUNDS FILE...
//! opened N failed M ns_per_file X
//! ```
//!
//! The interface and output are those of FreeRDP's peer program
//! (`../shared/bench/freerdp-peer`), and so is the work: the files are read into memory first,
//! then each call opens one file from its bytes as `freerdp_assistance_parse_file_buffer`
//! does (read it, decrypt the LHTICKET when there is one, compute the expert's PASS value) and
//! drops everything; nothing derived from the password or a file is kept between calls. The
//! password is wrapped once, as the peer takes it once as a C string; both encode it as
//! UTF-16 on every call.
//!
//! The other modes time a part of that work on the same files, to say where the time goes:
//! `--floor` the cipher work alone (the PASS value: MD5 and RC4's key schedule; and for files
//! with an LHTICKET, `TicketKey::derive`, since AES alone is not public API), `--read`
//! `Invitation::from_bytes` alone, `--decrypt` `Invitation::decrypt` alone (key derivation,
//! hex, AES, the Connection String 2). Their inputs (the PassStub, the parsed invitation) are
//! prepared outside the timed loop.
//!
//! Run with no arguments (as `cargo bench` runs every bench) it only prints how to use it.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use rainv::{Invitation, Password, TicketKey, pass_stub};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Open,
    Floor,
    Read,
    Decrypt,
}

const USAGE: &str = "usage: side_by_side [--floor | --read | --decrypt] PASSWORD ROUNDS FILE...";

/// One call's work in `Open` mode: what FreeRDP does per file. `true` when the file opened.
fn open(bytes: &[u8], password: &Password) -> bool {
    let Ok(invitation) = Invitation::from_bytes(black_box(bytes)) else {
        return false;
    };
    let Ok(ticket) = invitation.decrypt(password) else {
        return false;
    };
    // FreeRDP fails a file whose PASS value it cannot compute.
    let Some(stub) = invitation.pass_stub() else {
        return false;
    };
    black_box((ticket, pass_stub::encrypt(password, stub)));
    true
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`.
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.is_empty() {
        eprintln!("{USAGE}\n(run by benches/side_by_side.sh; see docs/performance.md)");
        return ExitCode::SUCCESS;
    }
    let mode = match args[0].as_str() {
        "--floor" => Mode::Floor,
        "--read" => Mode::Read,
        "--decrypt" => Mode::Decrypt,
        _ => Mode::Open,
    };
    if mode != Mode::Open {
        args.remove(0);
    }
    let (Some(password), Some(Ok(rounds)), true) = (
        args.first(),
        args.get(1).map(|r| r.parse::<u64>()),
        args.len() > 2,
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let password = Password::new(password.as_str());
    let mut files = Vec::new();
    for path in &args[2..] {
        match std::fs::read(path) {
            Ok(bytes) => files.push(bytes),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // The part modes' inputs, prepared untimed; `None` (a file that does not read) counts as
    // a failure on every call, as it would in `Open`.
    let parsed: Vec<Option<Invitation>> = files
        .iter()
        .map(|bytes| Invitation::from_bytes(bytes).ok())
        .collect();

    let (mut ok, mut bad) = (0u64, 0u64);
    let mut count = |opened: bool| {
        if opened {
            ok += 1;
        } else {
            bad += 1;
        }
    };
    let start = Instant::now();
    for _ in 0..rounds {
        for (bytes, invitation) in files.iter().zip(&parsed) {
            match (mode, invitation) {
                (Mode::Open, _) => count(open(bytes, &password)),
                (Mode::Read, _) => count(Invitation::from_bytes(black_box(bytes)).is_ok()),
                (_, None) => count(false),
                (Mode::Floor, Some(invitation)) => {
                    let Some(stub) = invitation.pass_stub() else {
                        count(false);
                        continue;
                    };
                    if invitation.lh_ticket.is_some() {
                        black_box(TicketKey::derive(black_box(&password)));
                    }
                    black_box(pass_stub::encrypt(black_box(&password), black_box(stub)));
                    count(true);
                }
                (Mode::Decrypt, Some(invitation)) => {
                    count(black_box(invitation).decrypt(&password).is_ok())
                }
            }
        }
    }
    let ns = start.elapsed().as_nanos() as f64;
    println!(
        "opened {ok} failed {bad} ns_per_file {:.0}",
        ns / (ok + bad).max(1) as f64
    );
    ExitCode::SUCCESS
}
