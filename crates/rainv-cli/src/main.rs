//! `rainv`: the command-line tool. All the work is in the library (`rainv`) and the gateway
//! (`rainv-gateway`); this is argument parsing, terminal and file I/O, and output rendering.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod args;
mod check;
mod commands;
mod io;
mod milter;
mod open;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Command};
use io::{Failure, Outcome};

fn main() -> ExitCode {
    let parsed = Cli::parse();
    match run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(io::report(failure)),
    }
}

/// Run the command the user gave.
fn run(cli: Cli) -> Outcome {
    match &cli.command {
        Command::Open(args) => open::run(args),
        Command::Create(args) => commands::create(args),
        Command::Decrypt(args) => commands::decrypt(args),
        Command::Encrypt(args) => commands::encrypt(args),
        Command::PassStub(command) => commands::pass_stub(command),
        Command::Check(args) => check::check(args),
        Command::ScanMail(args) => check::scan_mail(args),
        Command::Milter(args) => milter::run(args),
        Command::Completions { shell } => {
            // Render to memory first: a closed pipe is then an I/O error, not a panic.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "rainv", &mut script);
            io::write_output(std::path::Path::new("-"), &script, false)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Failure::usage(format!("cannot render the manual: {e}"), ""))?;
            io::write_output(std::path::Path::new("-"), &page, false)
        }
    }
}
