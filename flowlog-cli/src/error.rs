//! The one place the CLI maps errors to exit statuses and messages.

use std::fmt;
use std::process::ExitCode;

/// An input is damaged or unreadable (sysexits would say 65/66; 2 is what `cmp`/`diff` users expect
/// for "trouble").
pub const EXIT_INPUT: u8 = 2;
/// A usage error: bad option value, unknown format (sysexits `EX_USAGE`).
pub const EXIT_USAGE: u8 = 64;
/// The output cannot be created or written (sysexits `EX_IOERR`).
pub const EXIT_OUTPUT: u8 = 74;
/// The output pipe was closed by its reader: what a shell reports for SIGPIPE (128 + 13).
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Why `flowlog` stops early.
#[derive(Debug)]
pub enum CliError {
    /// A bad option or option value: the one-line message.
    Usage(String),
    /// An input file could not be opened or read to its end.
    Input { file: String, problem: String },
    /// The output could not be written.
    Output { target: String, error: std::io::Error },
    /// The reader of standard output went away: exit quietly.
    BrokenPipe,
}

impl CliError {
    /// The exit status for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Input { .. } => EXIT_INPUT,
            CliError::Output { .. } => EXIT_OUTPUT,
            CliError::BrokenPipe => EXIT_BROKEN_PIPE,
        })
    }

    /// An output error, or `BrokenPipe` when that is what it is.
    pub fn output(target: &str, error: std::io::Error) -> CliError {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Output { target: target.to_owned(), error }
        }
    }

    /// Whether a message is printed (a closed pipe is quiet).
    pub fn is_quiet(&self) -> bool {
        matches!(self, CliError::BrokenPipe)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) => write!(f, "flowlog: {m}"),
            CliError::Input { file, problem } => write!(f, "flowlog: {file}: {problem}"),
            CliError::Output { target, error } => write!(f, "flowlog: {target}: write error: {error}"),
            CliError::BrokenPipe => write!(f, "flowlog: broken pipe"),
        }
    }
}

/// The one-line message of a clap error: its first line, without clap's `error: ` prefix.
pub fn clap_message(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid command line");
    first.strip_prefix("error: ").unwrap_or(first).trim_end().to_owned()
}
