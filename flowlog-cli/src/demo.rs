//! `flowlog demo`: the main job on a sample the project makes itself.
//!
//! The project's traffic generator writes a deterministic VPC-like capture to a file (a temporary
//! one unless `--write-pcap` names where to keep it), and `flowlog read` reads it: the demo's
//! records are exactly what `read` writes for that capture, and the demo shows whatever the
//! generator models.

use std::io::{BufWriter, Write};
use std::path::Path;

use flowlog_testkit::{write_pcap, TrafficSpec};

use crate::args::{DemoArgs, ReadArgs};
use crate::error::CliError;
use crate::read;

/// Run `flowlog demo`.
///
/// # Errors
/// The capture cannot be written (an output error), or any error of `flowlog read`.
pub fn run(args: &DemoArgs) -> Result<(), CliError> {
    let spec =
        TrafficSpec { packets: args.packets, flows: args.flows, seed: args.seed, ..TrafficSpec::default() };
    // Dropped (and so removed) at the end of the run, after `read` is done with it.
    let temporary;
    let capture = match &args.write_pcap {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| pcap_error(path, e))?;
            write_capture(&spec, file).map_err(|e| pcap_error(path, e))?;
            path.as_path()
        }
        None => {
            let error = |e| CliError::output("temporary capture", e);
            temporary =
                tempfile::Builder::new().prefix("flowlog-demo-").suffix(".pcap").tempfile().map_err(error)?;
            write_capture(&spec, temporary.as_file()).map_err(error)?;
            temporary.path()
        }
    };
    read::run(&ReadArgs {
        window: args.window,
        format: Some(args.format.clone()),
        output: args.output.clone(),
        stats: args.stats,
        ..ReadArgs::with_defaults(capture.to_path_buf())
    })
}

/// Write the capture of `spec` to `file` and flush it.
fn write_capture<W: Write>(spec: &TrafficSpec, file: W) -> std::io::Result<()> {
    let mut out = BufWriter::new(file);
    write_pcap(spec, &mut out)?;
    out.flush()
}

fn pcap_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::output(&path.display().to_string(), e)
}
