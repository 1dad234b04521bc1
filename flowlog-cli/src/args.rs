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

    /// Generate a VPC-like capture and write its records, as `read` would write them.
    ///
    /// The capture comes from the project's deterministic traffic generator: IPv4 and IPv6 flows
    /// of TCP, UDP and ICMP between VPC-like local and remote addresses, some in a VLAN or in
    /// VXLAN, some fragmented, over 60 seconds. The same options give the same records.
    Demo(DemoArgs),

    /// Validate a VPC topology file and print what it means for metering.
    ///
    /// Each flow-log instance and the ENIs it covers, each ENI's window, and the security-group
    /// and network-ACL rules a packet meets on each ENI, in the order they are evaluated. A bad
    /// topology exits with status 2 and one line naming the entry and the field.
    Topology(TopologyArgs),
}

/// `--window`'s default for `read`: the largest cloud window.
pub const DEFAULT_WINDOW_SECS: u64 = 600;
/// `--decap`'s default.
pub const DEFAULT_DECAP: &str = "all";
/// `--accounting`'s default.
pub const DEFAULT_ACCOUNTING: &str = "ip";
/// `--max-flows`' default.
pub const DEFAULT_MAX_FLOWS: u32 = 1_000_000;

/// `flowlog read` options.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Capture files, pcap or pcapng (recognised by content, not by name); `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Capture window in seconds, aligned to the Unix epoch in packet time (cloud values: 60, 300, 600).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WINDOW_SECS,
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
    #[arg(long, value_name = "MODE", default_value = DEFAULT_DECAP, value_parser = ["all", "none"])]
    pub decap: String,

    /// Bytes: `ip` counts the keyed IP packet's length field, `l2` the frame's length on the wire.
    #[arg(long, value_name = "MODE", default_value = DEFAULT_ACCOUNTING, value_parser = ["ip", "l2"])]
    pub accounting: String,

    /// Session-table capacity in flows, reserved at start (about 100 bytes each); when full, the
    /// least recently updated flow is written early (end_reason evicted).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_FLOWS,
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

impl ReadArgs {
    /// `read FILE` with every other option at its default.
    pub fn with_defaults(file: PathBuf) -> ReadArgs {
        ReadArgs {
            files: vec![file],
            window: DEFAULT_WINDOW_SECS,
            format: None,
            aws_fields: None,
            output: None,
            decap: DEFAULT_DECAP.to_owned(),
            accounting: DEFAULT_ACCOUNTING.to_owned(),
            max_flows: DEFAULT_MAX_FLOWS,
            icmp_in_ports: false,
            key_vlan: false,
            key_tunnel: false,
            stats: false,
        }
    }
}

/// `flowlog topology` options.
#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// The topology, TOML or JSON (by its extension).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The window of the instance `default`, which a topology without `[[flow_log]]` gets.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WINDOW_SECS,
          value_parser = clap::value_parser!(u64).range(1..=MAX_WINDOW_SECS))]
    pub window: u64,
}

/// `flowlog demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Frames to generate.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub packets: u64,

    /// Distinct flows among the frames (each gets at least one).
    #[arg(long, value_name = "F", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub flows: u32,

    /// The generator's seed: the same seed gives the same capture.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Capture window in seconds, aligned to the Unix epoch in packet time.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=MAX_WINDOW_SECS))]
    pub window: u64,

    /// Output format: jsonl, sls, aws or csv, as for `read`.
    #[arg(long, value_name = "FORMAT", default_value = "aws", value_parser = ["jsonl", "sls", "aws", "csv"])]
    pub format: String,

    /// Write records to PATH instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Keep the generated capture at PATH (classic pcap, Ethernet), to read it again with `read`.
    #[arg(long, value_name = "PATH")]
    pub write_pcap: Option<PathBuf>,

    /// At the end, write the meter's counters as one JSON object on one line to standard error.
    #[arg(long)]
    pub stats: bool,
}
