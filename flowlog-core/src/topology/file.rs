//! The serde schema of a topology file (SPEC §7.1): TOML and JSON share it.
//!
//! These are plain data, as written: names are strings and addresses are text, so that one pass
//! ([`super::validate`]) checks them all with errors that name the entry and the field. A
//! collector with its own inventory fills a [`TopologySpec`] and hands it to
//! [`Topology::from_parts`](super::Topology::from_parts). Every struct refuses unknown fields.

use serde::{Deserialize, Serialize};

/// A whole topology, as written. Every table is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopologySpec {
    /// Written as `account-id` on every record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Written as `region` on every record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `[[vpc]]` entries.
    pub vpc: Vec<VpcSpec>,
    /// `[[vswitch]]` entries.
    pub vswitch: Vec<VswitchSpec>,
    /// `[[eni]]` entries.
    pub eni: Vec<EniSpec>,
    /// `[[security_group]]` entries.
    pub security_group: Vec<SecurityGroupSpec>,
    /// `[[network_acl]]` entries.
    pub network_acl: Vec<NetworkAclSpec>,
    /// `[[route_table]]` entries.
    pub route_table: Vec<RouteTableSpec>,
    /// `[[flow_log]]` entries; none means the default instance.
    pub flow_log: Vec<FlowLogSpec>,
    /// `[conntrack]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conntrack: Option<ConntrackSpec>,
    /// `[enrichment]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrichment: Option<EnrichmentSpec>,
}

/// A `[[vpc]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcSpec {
    /// Unique among VPCs.
    pub id: String,
    /// The VPC's CIDRs (IPv4 and IPv6).
    pub cidrs: Vec<String>,
    /// The route table of every vSwitch that names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
}

/// A `[[vswitch]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VswitchSpec {
    /// Unique among vSwitches.
    pub id: String,
    /// The id of its VPC.
    pub vpc: String,
    /// Its CIDRs, each inside one of the VPC's.
    pub cidrs: Vec<String>,
    /// The availability zone (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The id of its network ACL; none means no ACL filtering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acl: Option<String>,
    /// The id of its route table, overriding the VPC's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
}

/// An `[[eni]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EniSpec {
    /// Unique among ENIs.
    pub id: String,
    /// The id of its vSwitch.
    pub vswitch: String,
    /// The VM it is attached to, written as `vm-id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// Its private addresses, primary first; at least one, each inside the vSwitch.
    pub ips: Vec<String>,
    /// Ids of its security groups (at most 10, all basic or all enterprise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// The capture interface bound to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Its public address, an address of the ENI too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
}

/// A `[[security_group]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupSpec {
    /// Unique among security groups.
    pub id: String,
    /// `basic` (default) or `enterprise`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// `accept` (default) or `drop`; basic groups only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_access: Option<String>,
    /// Its rules, both directions.
    #[serde(default)]
    pub rules: Vec<GroupRuleSpec>,
}

/// A security-group rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRuleSpec {
    /// `in` or `out`.
    pub direction: String,
    /// `accept` or `drop`.
    pub policy: String,
    /// 1–100, smaller first (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// A protocol name or number.
    pub protocol: ProtocolSpec,
    /// `"a/b"` (TCP and UDP only) or `"-1/-1"` (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
    /// A CIDR or a security-group id.
    pub peer: String,
}

/// A `[[network_acl]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclSpec {
    /// Unique among network ACLs.
    pub id: String,
    /// Rules for traffic entering the vSwitch, in order.
    #[serde(default)]
    pub ingress: Vec<AclRuleSpec>,
    /// Rules for traffic leaving the vSwitch, in order.
    #[serde(default)]
    pub egress: Vec<AclRuleSpec>,
}

/// A network-ACL rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclRuleSpec {
    /// `accept` or `drop`.
    pub policy: String,
    /// A protocol name or number.
    pub protocol: ProtocolSpec,
    /// `"a/b"` (TCP and UDP only) or `"-1/-1"` (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
    /// A CIDR.
    pub peer: String,
}

/// A rule's protocol: a name (`tcp`, `udp`, `icmp`, `icmpv6`, `gre`, `all`, any case) or an IP
/// protocol number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProtocolSpec {
    /// An IP protocol number, 0–255.
    Number(i64),
    /// A protocol name.
    Name(String),
}

impl Default for ProtocolSpec {
    fn default() -> Self {
        ProtocolSpec::Name("all".to_owned())
    }
}

/// A `[[route_table]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTableSpec {
    /// Unique among route tables.
    pub id: String,
    /// Its routes; equal lengths resolve in this order.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
}

/// A route.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// A CIDR.
    pub destination: String,
    /// The next hop's kind (`nat_gateway`, `vpn_gateway`, ...).
    pub next_hop: String,
}

/// A `[[flow_log]]` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowLogSpec {
    /// Unique among flow-log instances; written as `flow-log-id`.
    pub id: String,
    /// The id of the ENI, vSwitch or VPC it covers.
    pub resource: String,
    /// `all` (default), `allow` or `drop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_type: Option<String>,
    /// `ipv4` (default) or `dual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<String>,
    /// 60, 300 or 600 (default) seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<i64>,
    /// Sampling paths; default `["all"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
}

/// The `[conntrack]` table: idle timeouts in seconds and the table's capacity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConntrackSpec {
    /// The default of every class (910).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// TCP's timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<i64>,
    /// UDP's timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udp: Option<i64>,
    /// ICMP's and ICMPv6's timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp: Option<i64>,
    /// Every other protocol's timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<i64>,
    /// Entries, all ENIs together (1 000 000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
}

/// The `[enrichment]` table: paths of the files, relative to the topology's folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnrichmentSpec {
    /// A CSV of `cidr,label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr_blocks: Option<String>,
    /// Threat lists, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threat_intel: Vec<String>,
    /// A MaxMind DB or a CSV of countries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<String>,
}
