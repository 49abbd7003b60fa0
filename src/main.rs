//! `rainv`: the command-line tool. All the work is in the library; this is I/O and policy.
#![forbid(unsafe_code)]

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use cli::io::{Failure, colour_enabled, paint};

fn main() -> ExitCode {
    let parsed = cli::args::Cli::parse();
    match cli::run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let colour = colour_enabled(std::io::stderr().is_terminal());
            let (code, message, hint) = match failure {
                Failure::Silent => return ExitCode::from(1),
                Failure::Invalid { message, hint } => (1, message, hint),
                Failure::Usage { message, hint } => (2, message, hint),
            };
            eprintln!("{} {message}", paint(colour, "1;31", "error:"));
            if !hint.is_empty() {
                eprintln!("  {} {hint}", paint(colour, "1;36", "hint:"));
            }
            ExitCode::from(code)
        }
    }
}
