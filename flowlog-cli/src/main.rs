//! `flowlog`: VPC flow-log records from capture files, a demo on a generated one, and a check of
//! a VPC topology.
//!
//! A thin binding: option parsing, files and output streams here; every decision about packets,
//! flows and records is `flowlog_core`'s.

mod args;
mod demo;
mod error;
mod output;
mod pager;
mod progress;
mod read;
mod topology;

use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

use crate::args::{Cli, Command};
use crate::error::{clap_message, CliError};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // Help and version go to stdout; a closed pipe there is not an error worth a message.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return fail(&CliError::Usage(
                "no command given: try 'flowlog read FILE...', 'flowlog demo', 'flowlog topology FILE' or 'flowlog --help'".into(),
            ));
        }
        // clap exits 2 on usage errors; flowlog keeps 2 for damaged input and uses 64 (EX_USAGE).
        Err(e) => return fail(&CliError::Usage(clap_message(&e))),
    };
    let result = match cli.command {
        Command::Read(args) => read::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Topology(args) => topology::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Print the one-line message (unless quiet) and give the exit status.
fn fail(e: &CliError) -> ExitCode {
    if !e.is_quiet() {
        let _ = writeln!(std::io::stderr().lock(), "{e}");
    }
    e.exit_code()
}
