//! AWS VPC flow-log text (SPEC §5 `aws`): space-separated fields, a header line of field names
//! first, `-` for a missing value.
//!
//! The default is AWS's version 2 format:
//! `${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}
//! ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}`. A custom list may
//! name any field of versions 2–5 ([`AwsField::ALL`]), each once, in any order; `version` is then
//! the highest version among the chosen fields (AWS's rule), so the default list writes 2.
//!
//! Values:
//! - `account-id`, `interface-id`, `vpc-id`, `subnet-id`, `instance-id`, `region`, `az-id`,
//!   `sublocation-type`, `sublocation-id`, `pkt-src-aws-service`, `pkt-dst-aws-service`,
//!   `traffic-path`: `-` (the engine has no VPC metadata or route table yet).
//! - `srcaddr`/`dstaddr`: the flow key's addresses (dotted quad, or RFC 5952 IPv6);
//!   `pkt-srcaddr`/`pkt-dstaddr`: the same addresses (flowlog sees the packets themselves, with
//!   no NAT in between).
//! - `srcport`/`dstport`: the key's ports, 0 and 0 for ICMP as AWS writes them.
//! - `start`/`end`: floor Unix seconds of the first and last packet of the record.
//! - `tcp-flags`: as AWS reports them: the OR of FIN 1, SYN 2, RST 4, PSH 8, URG 32, and ACK 16
//!   only when one packet carried SYN and ACK together (`Record::tcp_syn_ack`), as AWS filters
//!   each packet: a client's SYN, ACKs, FIN-ACK report 3, a server's SYN-ACK, ACKs, FIN-ACK 19,
//!   an ACK-only flow 0; ECE, CWR and NS never. A non-TCP record writes `-` (not applicable,
//!   SPEC §5).
//! - `type`: `IPv4` / `IPv6`; `flow-direction`: `ingress` for direction `in`, `egress` for `out`,
//!   `-` when unknown.
//! - A NODATA/SKIPDATA row writes `-` for every flow field (addresses, ports, protocol, packets,
//!   bytes, action, tcp-flags, type, flow-direction) and keeps version, start, end and the status,
//!   like AWS's `2 123456789010 eni-… - - - - - - - 1431280876 1431280934 - NODATA`.

use core::fmt;

use super::has_tcp_flags;
use super::has_traffic;
use super::text::{Out, IPV6_TEXT, U16_DIGITS, U64_DIGITS, U8_DIGITS};
use super::SECS_DIGITS;
use crate::config::{ConfigError, ConfigField};
use crate::key::Direction;
use crate::record::Record;

/// An AWS flow-log field of versions 2–5, in the order of AWS's field table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)] // each variant is its field name, see `AwsField::name`
pub enum AwsField {
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
}

impl AwsField {
    /// Number of supported fields.
    pub const COUNT: usize = 29;

    /// Every supported field, in AWS's table order (by version).
    pub const ALL: [AwsField; AwsField::COUNT] = {
        use AwsField::*;
        [
            Version,
            AccountId,
            InterfaceId,
            SrcAddr,
            DstAddr,
            SrcPort,
            DstPort,
            Protocol,
            Packets,
            Bytes,
            Start,
            End,
            Action,
            LogStatus,
            VpcId,
            SubnetId,
            InstanceId,
            TcpFlags,
            Type,
            PktSrcAddr,
            PktDstAddr,
            Region,
            AzId,
            SublocationType,
            SublocationId,
            PktSrcAwsService,
            PktDstAwsService,
            FlowDirection,
            TrafficPath,
        ]
    };

    /// The field name as written in `${…}` and in the header line.
    pub const fn name(self) -> &'static str {
        use AwsField::*;
        match self {
            Version => "version",
            AccountId => "account-id",
            InterfaceId => "interface-id",
            SrcAddr => "srcaddr",
            DstAddr => "dstaddr",
            SrcPort => "srcport",
            DstPort => "dstport",
            Protocol => "protocol",
            Packets => "packets",
            Bytes => "bytes",
            Start => "start",
            End => "end",
            Action => "action",
            LogStatus => "log-status",
            VpcId => "vpc-id",
            SubnetId => "subnet-id",
            InstanceId => "instance-id",
            TcpFlags => "tcp-flags",
            Type => "type",
            PktSrcAddr => "pkt-srcaddr",
            PktDstAddr => "pkt-dstaddr",
            Region => "region",
            AzId => "az-id",
            SublocationType => "sublocation-type",
            SublocationId => "sublocation-id",
            PktSrcAwsService => "pkt-src-aws-service",
            PktDstAwsService => "pkt-dst-aws-service",
            FlowDirection => "flow-direction",
            TrafficPath => "traffic-path",
        }
    }

    /// The flow-log version that introduced the field (2–5).
    pub const fn version(self) -> u8 {
        use AwsField::*;
        match self {
            Version | AccountId | InterfaceId | SrcAddr | DstAddr | SrcPort | DstPort | Protocol
            | Packets | Bytes | Start | End | Action | LogStatus => 2,
            VpcId | SubnetId | InstanceId | TcpFlags | Type | PktSrcAddr | PktDstAddr => 3,
            Region | AzId | SublocationType | SublocationId => 4,
            PktSrcAwsService | PktDstAwsService | FlowDirection | TrafficPath => 5,
        }
    }

    /// The field named `name`, if supported.
    pub fn from_name(name: &str) -> Option<AwsField> {
        AwsField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The widest text this writer produces for the field.
    const fn max_width(self) -> usize {
        use AwsField::*;
        match self {
            Version | AccountId | InterfaceId | VpcId | SubnetId | InstanceId | Region | AzId
            | SublocationType | SublocationId | PktSrcAwsService | PktDstAwsService | TrafficPath => 1,
            SrcAddr | DstAddr | PktSrcAddr | PktDstAddr => IPV6_TEXT,
            SrcPort | DstPort => U16_DIGITS,
            Protocol => U8_DIGITS,
            Packets | Bytes => U64_DIGITS,
            Start | End => SECS_DIGITS,
            Action => 6,
            LogStatus => 8,
            TcpFlags => 2,
            Type => 4,
            FlowDirection => 7,
        }
    }
}

/// AWS fields of version 6 and later: transit-gateway (v6), ECS (v7) and `reject-reason` (v8).
/// Recognised only to say why they are refused.
const LATER_FIELDS: [&str; 29] = [
    "resource-type",
    "tgw-id",
    "tgw-attachment-id",
    "tgw-src-vpc-account-id",
    "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id",
    "tgw-dst-vpc-id",
    "tgw-src-subnet-id",
    "tgw-dst-subnet-id",
    "tgw-src-eni",
    "tgw-dst-eni",
    "tgw-src-az-id",
    "tgw-dst-az-id",
    "tgw-pair-attachment-id",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
    "ecs-cluster-arn",
    "ecs-cluster-name",
    "ecs-container-instance-arn",
    "ecs-container-instance-id",
    "ecs-container-id",
    "ecs-second-container-id",
    "ecs-service-name",
    "ecs-task-definition-arn",
    "ecs-task-arn",
    "ecs-task-id",
    "reject-reason",
];

/// An AWS field list: a fixed array of field ids, `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsFields {
    ids: [AwsField; AwsField::COUNT],
    len: u8,
    version: u8,
}

/// A rejected AWS field list: what is wrong and where (`Copy`, no heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsFieldsError {
    /// What is wrong, in a few words.
    pub problem: &'static str,
    /// Byte range of the offending token in the list (empty for an empty list).
    pub start: usize,
    /// End of that range.
    pub end: usize,
}

impl AwsFieldsError {
    const EMPTY: &'static str = "empty field list: give at least one ${field}";
    const BAD_TOKEN: &'static str = "bad token: write each field as ${name}, separated by spaces";
    const UNKNOWN: &'static str = "unknown AWS field name (fields of versions 2-5 are supported)";
    const LATER: &'static str =
        "AWS field of version 6 or later (transit gateway, ECS, reject-reason) is not supported";
    const TWICE: &'static str = "field listed twice";

    /// The offending token in `spec`, the list that was parsed.
    pub fn token<'a>(&self, spec: &'a str) -> &'a str {
        spec.get(self.start..self.end).unwrap_or_default()
    }

    /// A message naming the offending token: `config field 'fields': unknown AWS field name
    /// (...): ${foo}`. Writes without allocating.
    pub fn display<'a>(&'a self, spec: &'a str) -> impl fmt::Display + 'a {
        struct Show<'a>(&'a AwsFieldsError, &'a str);
        impl fmt::Display for Show<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", ConfigError::from(*self.0))?;
                let token = self.0.token(self.1);
                if token.is_empty() {
                    Ok(())
                } else {
                    write!(f, ": {token}")
                }
            }
        }
        Show(self, spec)
    }
}

impl From<AwsFieldsError> for ConfigError {
    fn from(e: AwsFieldsError) -> ConfigError {
        ConfigError::new(ConfigField::Fields, e.problem)
    }
}

impl AwsFields {
    /// AWS's default (version 2) format.
    pub const DEFAULT: AwsFields = {
        let mut ids = [AwsField::Version; AwsField::COUNT];
        let mut i = 0;
        // The version 2 fields, which come first in `AwsField::ALL`.
        const VERSION_2_FIELDS: usize = 14;
        while i < VERSION_2_FIELDS {
            ids[i] = AwsField::ALL[i];
            i += 1;
        }
        AwsFields { ids, len: VERSION_2_FIELDS as u8, version: 2 }
    };

    /// Parse a custom format: `${field}` tokens separated by spaces, e.g.
    /// `"${version} ${srcaddr} ${dstaddr} ${tcp-flags}"`.
    ///
    /// # Errors
    /// [`AwsFieldsError`] for an empty list, a token that is not `${name}`, an unknown name or a
    /// field of version 6 or later, or a field listed twice; it gives the token's position.
    pub fn parse(spec: &str) -> Result<AwsFields, AwsFieldsError> {
        let mut fields = AwsFields { ids: [AwsField::Version; AwsField::COUNT], len: 0, version: 2 };
        let base = spec.as_ptr() as usize;
        for token in spec.split(|c: char| c.is_ascii_whitespace()).filter(|t| !t.is_empty()) {
            let start = token.as_ptr() as usize - base;
            let err = |problem| AwsFieldsError { problem, start, end: start + token.len() };
            let name = token
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|n| !n.is_empty() && !n.contains(['$', '{', '}']))
                .ok_or(err(AwsFieldsError::BAD_TOKEN))?;
            let field = match AwsField::from_name(name) {
                Some(f) => f,
                None if LATER_FIELDS.contains(&name) => return Err(err(AwsFieldsError::LATER)),
                None => return Err(err(AwsFieldsError::UNKNOWN)),
            };
            if fields.as_slice().contains(&field) {
                return Err(err(AwsFieldsError::TWICE));
            }
            // Cannot overflow: COUNT distinct fields at most.
            if let Some(slot) = fields.ids.get_mut(usize::from(fields.len)) {
                *slot = field;
                fields.len += 1;
            }
            fields.version = fields.version.max(field.version());
        }
        if fields.len == 0 {
            let at = spec.len();
            return Err(AwsFieldsError { problem: AwsFieldsError::EMPTY, start: at, end: at });
        }
        Ok(fields)
    }

    /// The fields in output order.
    pub fn as_slice(&self) -> &[AwsField] {
        self.ids.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// The `version` this list writes: the highest version among its fields.
    pub fn version(&self) -> u8 {
        self.version
    }
}

impl Default for AwsFields {
    fn default() -> AwsFields {
        AwsFields::DEFAULT
    }
}

pub(crate) fn header(fields: &AwsFields, out: &mut Out<'_>) {
    for (i, f) in fields.as_slice().iter().enumerate() {
        if i > 0 {
            out.byte(b' ');
        }
        out.str(f.name());
    }
    out.byte(b'\n');
}

/// The flags AWS reports from a record's OR of flags: FIN, SYN, RST, PSH, URG, and ACK only when
/// one packet carried SYN and ACK together (`syn_ack`).
#[inline]
pub fn aws_tcp_flags(flags: u16, syn_ack: bool) -> u16 {
    use crate::protocol::tcp_flags::{ACK, FIN, PSH, RST, SYN, URG};
    let mut v = flags & (FIN | SYN | RST | PSH | URG);
    if syn_ack {
        v |= ACK;
    }
    v
}

pub(crate) fn record<const F: bool>(fields: &AwsFields, rec: &Record, out: &mut Out<'_, F>) {
    let k = &rec.key;
    let v6 = k.ip_version() == 6;
    let traffic = has_traffic(rec);
    for (i, f) in fields.as_slice().iter().enumerate() {
        if i > 0 {
            out.byte(b' ');
        }
        use AwsField::*;
        match *f {
            // 2 to 5: one digit.
            Version => out.u8(fields.version),
            AccountId | InterfaceId | VpcId | SubnetId | InstanceId | Region | AzId | SublocationType
            | SublocationId | PktSrcAwsService | PktDstAwsService | TrafficPath => out.byte(b'-'),
            Start => out.u64(rec.start_secs()),
            End => out.u64(rec.end_secs()),
            LogStatus => match rec.log_status {
                crate::record::LogStatus::Ok => out.str("OK"),
                crate::record::LogStatus::NoData => out.str("NODATA"),
                crate::record::LogStatus::SkipData => out.str("SKIPDATA"),
            },
            _ if !traffic => out.byte(b'-'),
            SrcAddr | PktSrcAddr => out.addr(&k.src, v6),
            DstAddr | PktDstAddr => out.addr(&k.dst, v6),
            SrcPort => out.u16(k.src_port),
            DstPort => out.u16(k.dst_port),
            Protocol => out.u8(k.protocol),
            Packets => out.u64(rec.packets),
            Bytes => out.u64(rec.bytes),
            Action => match k.action() {
                crate::key::Action::Accept => out.str("ACCEPT"),
                crate::key::Action::Reject => out.str("REJECT"),
            },
            // The six low flags at most: one byte.
            TcpFlags if has_tcp_flags(rec) => out.u8(aws_tcp_flags(rec.tcp_flags, rec.tcp_syn_ack) as u8),
            TcpFlags => out.byte(b'-'),
            Type if v6 => out.str("IPv6"),
            Type => out.str("IPv4"),
            FlowDirection => match k.direction() {
                Direction::In => out.str("ingress"),
                Direction::Out => out.str("egress"),
                Direction::Unknown => out.byte(b'-'),
            },
        }
    }
    out.byte(b'\n');
}

const fn sum_widths(names: bool) -> usize {
    let mut n = AwsField::COUNT; // COUNT − 1 spaces and `\n`
    let mut i = 0;
    while i < AwsField::COUNT {
        let f = AwsField::ALL[i];
        n += if names { f.name().len() } else { f.max_width() };
        i += 1;
    }
    n
}

/// The longest record: all supported fields, each at its widest, 28 spaces and `\n`.
pub(crate) const MAX_LEN: usize = sum_widths(false);
/// The longest header line: all supported field names, 28 spaces and `\n`.
pub(crate) const MAX_HEADER_LEN: usize = sum_widths(true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_list_is_the_version_2_format_in_order() {
        let names: Vec<&str> = AwsFields::DEFAULT.as_slice().iter().map(|f| f.name()).collect();
        assert_eq!(
            names.join(" "),
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end \
             action log-status"
        );
        assert_eq!(AwsFields::DEFAULT.version(), 2);
        assert!(AwsFields::DEFAULT.as_slice().iter().all(|f| f.version() == 2));
    }

    #[test]
    fn field_names_are_distinct_and_round_trip() {
        for f in AwsField::ALL {
            assert_eq!(AwsField::from_name(f.name()), Some(f));
            assert!(!LATER_FIELDS.contains(&f.name()));
        }
    }
}
