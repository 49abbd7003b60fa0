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
        Command::Man { command, dir } => man(command.as_deref(), dir.as_deref()),
    }
}

/// One page's roff: rainv's own, or a command's as `rainv-COMMAND`.
fn man_page(command: &clap::Command) -> Result<Vec<u8>, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .map_err(|e| Failure::usage(format!("cannot render the manual: {e}"), ""))?;
    Ok(page)
}

/// The commands with a page of their own, each named `rainv-COMMAND`.
fn command_pages() -> Vec<(String, clap::Command)> {
    Cli::command()
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
        .map(|sub| {
            let name = format!("rainv-{}", sub.get_name());
            (
                name.clone(),
                sub.clone()
                    .name(name.clone())
                    .bin_name(name.replacen('-', " ", 1)),
            )
        })
        .collect()
}

fn man(command: Option<&str>, dir: Option<&std::path::Path>) -> Outcome {
    let stdout = std::path::Path::new("-");
    if let Some(dir) = dir {
        let mut pages = vec![("rainv".to_string(), Cli::command())];
        pages.extend(command_pages());
        for (name, page) in pages {
            let path = dir.join(format!("{name}.1"));
            std::fs::write(&path, man_page(&page)?).map_err(|e| Failure::io("write", &path, &e))?;
            eprintln!("wrote {}", io::display_path(&path));
        }
        return Ok(());
    }
    let Some(command) = command else {
        return io::write_output(stdout, &man_page(&Cli::command())?, false);
    };
    let pages = command_pages();
    match pages
        .iter()
        .find(|(name, _)| name == &format!("rainv-{command}"))
    {
        Some((_, page)) => io::write_output(stdout, &man_page(page)?, false),
        None => Err(Failure::usage(
            format!(
                "rainv man: no command {}",
                rainv::display::escape_for_display(command)
            ),
            format!(
                "the commands are {}",
                pages
                    .iter()
                    .map(|(name, _)| name.trim_start_matches("rainv-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}
