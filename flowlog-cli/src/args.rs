//! The command line (clap derive). Every option's help is its doc comment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use flowlog_core::config::{MAX_FLOWS_LIMIT, MAX_WINDOW_SECS};

/// VPC flow-log records from capture files.
///
/// flowlog reads pcap and pcapng captures and writes one record per unidirectional 5-tuple per
/// observation point (capture interface) per capture window, the way cloud VPC flow logs do.
///
/// Exit status: 0 success; 2 an input is damaged or unreadable (every record of the packets before
/// the damage is written first); 64 usage error; 74 the output cannot be written; 141 the output
/// pipe was closed (e.g. `| head`).
#[derive(Debug, Parser)]
#[command(name = "flowlog", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read capture files and write flow-log records.
    ///
    /// Files are read in the order given, as one capture concatenated in time, through one meter.
    /// Records stream out as capture windows close; the rest are written at the end. The
    /// interfaces of each file are distinct observation points: the second file's interfaces are
    /// numbered after the first file's.
    Read(ReadArgs),
}

/// `flowlog read` options.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture files, pcap or pcapng (recognised by content, not by name); `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Capture window in seconds, aligned to the Unix epoch in packet time (cloud values: 60, 300, 600).
    #[arg(long, value_name = "SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=MAX_WINDOW_SECS))]
    pub window: u64,

    /// Output format: jsonl (JSON lines, lossless), sls (Alibaba Simple Log Service), aws (AWS VPC
    /// flow log text with a header line) or csv (with a header) [default: jsonl, or aws with --aws-fields].
    #[arg(long, value_name = "FORMAT", value_parser = ["jsonl", "sls", "aws", "csv"])]
    pub format: Option<String>,

    /// AWS custom format: a `${field}` list, e.g. '${version} ${srcaddr} ${dstaddr} ${packets}'.
    /// Implies --format aws.
    #[arg(long, value_name = "SPEC")]
    pub aws_fields: Option<String>,

    /// Write records to PATH instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Tunnels: `all` keys a tunnelled packet on its innermost IP header, `none` on the outermost.
    #[arg(long, value_name = "MODE", default_value = "all", value_parser = ["all", "none"])]
    pub decap: String,

    /// Bytes: `ip` counts the keyed IP packet's length field, `l2` the frame's length on the wire.
    #[arg(long, value_name = "MODE", default_value = "ip", value_parser = ["ip", "l2"])]
    pub accounting: String,

    /// Session-table capacity in flows, reserved at start (about 100 bytes each); when full, the
    /// least recently updated flow is written early (end_reason evicted).
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u32).range(1..=MAX_FLOWS_LIMIT as i64))]
    pub max_flows: u32,

    /// Write ICMP type × 256 + code into the destination port, as NetFlow does.
    #[arg(long)]
    pub icmp_in_ports: bool,

    /// Add the innermost VLAN id to the flow key.
    #[arg(long)]
    pub key_vlan: bool,

    /// Add the innermost tunnel id (VXLAN/Geneve VNI, GRE key, GTP TEID) to the flow key.
    #[arg(long)]
    pub key_tunnel: bool,

    /// At the end, write the meter's counters as one JSON object on one line to standard error.
    #[arg(long)]
    pub stats: bool,
}
