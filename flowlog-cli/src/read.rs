//! `flowlog read`: capture files through one meter into one output.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;

use flowlog_core::capture::CaptureReader;
use flowlog_core::format::aws::AwsFields;
use flowlog_core::format::{FormatKind, Formatter};
use flowlog_core::{Accounting, Config, Decap, Meter};

use crate::args::ReadArgs;
use crate::error::CliError;
use crate::output::Output;
use crate::progress::Progress;

/// Frames between two progress updates.
const PROGRESS_EVERY: u64 = 8_192;

/// What a run did besides the meter's counters, for `--stats`.
#[derive(Debug, Default)]
struct RunStats {
    /// Inputs opened (a damaged one included).
    files: u64,
    /// Capture bytes read over all inputs.
    capture_bytes: u64,
}

/// Run `flowlog read`.
///
/// # Errors
/// A usage error before any input is read; an input error after every record before the damage is
/// written; an output error.
pub fn run(args: &ReadArgs) -> Result<(), CliError> {
    let formatter = formatter(args)?;
    let config = config(args)?;
    let mut meter = Meter::new(config).map_err(|e| CliError::Usage(e.to_string()))?;

    let target = match &args.output {
        Some(p) => p.display().to_string(),
        None => "standard output".to_owned(),
    };
    let stream: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| CliError::output(&target, e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = Output::new(formatter, stream).map_err(|e| CliError::output(&target, e))?;

    let paths: Vec<&Path> = args.files.iter().map(|p| p.as_path()).filter(|p| !is_stdin(p)).collect();
    let progress = Progress::new(&paths);
    let mut stats = RunStats::default();
    let mut first_interface = 0u32;
    let mut input_error = None;
    for path in &args.files {
        match read_file(path, &mut meter, &mut out, first_interface, &progress, &mut stats) {
            Ok(interfaces) => first_interface = first_interface.saturating_add(interfaces),
            Err(e) => {
                // SPEC §6: the records of every packet before the damage, then the error.
                input_error = Some(e);
                break;
            }
        }
        if out.failed() {
            break;
        }
    }
    if !out.failed() {
        meter.flush(&mut out);
    }
    progress.finish();
    let written = out.finish();
    if args.stats {
        let _ = writeln!(std::io::stderr().lock(), "{}", stats_json(&meter, &stats, out.records()));
    }
    written.map_err(|e| CliError::output(&target, e))?;
    match input_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Read one input into the meter; the number of interfaces it described.
fn read_file(
    path: &Path,
    meter: &mut Meter,
    out: &mut Output,
    first_interface: u32,
    progress: &Progress,
    stats: &mut RunStats,
) -> Result<u32, CliError> {
    let name = if is_stdin(path) { "<stdin>".to_owned() } else { path.display().to_string() };
    let input: Box<dyn Read> = if is_stdin(path) {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| CliError::Input { file: name.clone(), problem: e.to_string() })?,
        )
    };
    stats.files += 1;
    let before = stats.capture_bytes;
    let mut reader = CaptureReader::new(input)
        .map_err(|e| CliError::Input { file: name.clone(), problem: e.to_string() })?;
    let mut frames = 0u64;
    let result = loop {
        let frame = match reader.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break Ok(reader.interfaces()),
            Err(e) => break Err(CliError::Input { file: name.clone(), problem: e.to_string() }),
        };
        let mut f = frame.to_frame();
        // Each file's interfaces are observation points of their own, numbered after the
        // previous files' interfaces.
        f.observation_point = first_interface.saturating_add(frame.interface);
        // A skipped packet is counted by the meter; it is not an error.
        let _ = meter.process(&f, out);
        if out.failed() {
            break Ok(reader.interfaces());
        }
        frames += 1;
        if frames.is_multiple_of(PROGRESS_EVERY) {
            progress.set(before + reader.offset());
        }
    };
    stats.capture_bytes = before + reader.offset();
    result
}

fn formatter(args: &ReadArgs) -> Result<Formatter, CliError> {
    if let Some(spec) = &args.aws_fields {
        if let Some(f) = args.format.as_deref().filter(|&f| f != "aws") {
            return Err(CliError::Usage(format!("--aws-fields needs --format aws, not --format {f}")));
        }
        let fields = AwsFields::parse(spec).map_err(|e| CliError::Usage(e.display(spec).to_string()))?;
        return Ok(Formatter::aws(fields));
    }
    let name = args.format.as_deref().unwrap_or("jsonl");
    match FormatKind::from_name(name) {
        Some(kind) => Ok(Formatter::new(kind)),
        None => Err(CliError::Usage(format!("unknown format '{name}': use jsonl, sls, aws or csv"))),
    }
}

fn config(args: &ReadArgs) -> Result<Config, CliError> {
    let decap = Decap::from_name(&args.decap)
        .ok_or_else(|| CliError::Usage(format!("unknown --decap '{}': use all or none", args.decap)))?;
    let accounting = Accounting::from_name(&args.accounting).ok_or_else(|| {
        CliError::Usage(format!("unknown --accounting '{}': use ip or l2", args.accounting))
    })?;
    Ok(Config {
        window_secs: args.window,
        max_flows: args.max_flows,
        decap,
        accounting,
        icmp_in_ports: args.icmp_in_ports,
        key_vlan: args.key_vlan,
        key_tunnel: args.key_tunnel,
        ..Config::default()
    })
}

/// One JSON object: the run's figures, then every meter counter under its stable name.
fn stats_json(meter: &Meter, stats: &RunStats, records_written: u64) -> String {
    let mut s = String::with_capacity(512);
    let _ = write!(s, "{{\"files\":{},\"capture_bytes\":{}", stats.files, stats.capture_bytes);
    for (name, value) in meter.counters().fields() {
        let _ = write!(s, ",\"{name}\":{value}");
    }
    let _ = write!(s, ",\"records_written\":{records_written}}}");
    s
}
