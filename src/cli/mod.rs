//! The `rainv` command line: argument parsing and terminal I/O over the library.

pub mod args;
pub mod check;
pub mod commands;
pub mod io;
pub mod open;

use clap::CommandFactory;

use args::{Cli, Command};
use io::{Failure, Outcome};

pub fn run(cli: Cli) -> Outcome {
    match &cli.command {
        Command::Open(args) => open::run(args),
        Command::Create(args) => commands::create(args),
        Command::Decrypt(args) => commands::decrypt(args),
        Command::Encrypt(args) => commands::encrypt(args),
        Command::PassStub(command) => commands::pass_stub(command),
        Command::Check(args) => check::check(args),
        Command::ScanMail(args) => check::scan_mail(args),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "rainv", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map_err(|e| {
                Failure::usage(
                    format!("cannot write the manual: {e}"),
                    "check standard output",
                )
            }),
    }
}
