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
