//! `flowlog read`: capture files through one meter into one output.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;

use flowlog_core::capture::{CaptureReader, MeteredCapture};
use flowlog_core::format::aws::AwsFields;
use flowlog_core::format::{FormatKind, Formatter};
use flowlog_core::{Accounting, Config, Decap, Meter};

use crate::args::ReadArgs;
use crate::error::CliError;
use crate::output::{Output, Target};
use crate::pager::BackgroundPager;
use crate::progress::Progress;

/// Batches between two progress updates.
const PROGRESS_EVERY: u64 = 32;

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
    let stream = match &args.output {
        Some(p) => Target::File(std::fs::File::create(p).map_err(|e| CliError::output(&target, e))?),
        None => Target::Stdout,
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
    let (records_written, written) = out.finish();
    if args.stats {
        let _ = writeln!(std::io::stderr().lock(), "{}", stats_json(&meter, &stats, records_written));
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
    stats.files += 1;
    let input_error =
        |e: &dyn std::fmt::Display| CliError::Input { file: name.clone(), problem: e.to_string() };
    let result = if is_stdin(path) {
        let reader = CaptureReader::new(std::io::stdin().lock()).map_err(|e| input_error(&e))?;
        meter_all(reader, meter, out, first_interface, progress, stats)
    } else {
        // A regular file is mapped: frames come straight from the page cache, many at a time.
        // The command owns its process, so it may take the risk mapping carries (SIGBUS when
        // another process truncates the file while it is read).
        let mut reader = CaptureReader::open_mapped(path).map_err(|e| input_error(&e))?;
        let _pager = BackgroundPager::start(&mut reader);
        meter_all(reader, meter, out, first_interface, progress, stats)
    };
    result.map_err(|e| input_error(&e))
}

/// Meter every frame of one input, a batch at a time; the number of interfaces it described. On
/// damage, every frame before it has been metered.
fn meter_all<R: Read>(
    reader: CaptureReader<R>,
    meter: &mut Meter,
    out: &mut Output,
    first_interface: u32,
    progress: &Progress,
    stats: &mut RunStats,
) -> Result<u32, flowlog_core::capture::CaptureError> {
    let before = stats.capture_bytes;
    // Each file's interfaces are observation points of their own, numbered after the previous
    // files' interfaces.
    let mut capture = MeteredCapture::new(reader).with_first_interface(first_interface);
    let mut batches = 0u64;
    let result = loop {
        match capture.meter(meter, out, Meter::BATCH) {
            Ok(0) => break Ok(capture.reader().interfaces()),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
        if out.failed() {
            break Ok(capture.reader().interfaces());
        }
        batches += 1;
        if batches.is_multiple_of(PROGRESS_EVERY) {
            progress.set(before + capture.reader().offset());
        }
    };
    stats.capture_bytes = before + capture.reader().offset();
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
