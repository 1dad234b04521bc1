//! The validated topology: plain data with every reference resolved to an index into its list.
//!
//! Lists keep the file's order (ACL rules, routes and security-group rules depend on it). The
//! meter builds its lookups (address → ENI, longest-prefix routes, sorted rules) from these.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::protocol;

pub use ipnet::IpNet;

/// A validated topology (SPEC §7.1). Build it with [`Topology::from_toml_str`],
/// [`Topology::from_json_str`], [`Topology::load`] or [`Topology::from_parts`].
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// Written as `account-id` on every record.
    pub account: Option<String>,
    /// Written as `region` on every record.
    pub region: Option<String>,
    /// VPCs in file order.
    pub vpcs: Vec<Vpc>,
    /// vSwitches in file order.
    pub vswitches: Vec<Vswitch>,
    /// ENIs in file order.
    pub enis: Vec<Eni>,
    /// Security groups in file order.
    pub security_groups: Vec<SecurityGroup>,
    /// Network ACLs in file order.
    pub network_acls: Vec<NetworkAcl>,
    /// Route tables in file order.
    pub route_tables: Vec<RouteTable>,
    /// Flow-log instances in file order. Empty when the file has none: the meter then adds one
    /// instance `default` over every ENI, dual stack, at the CLI's window (SPEC §7.4), which this
    /// model cannot hold since its window is not a topology value.
    pub flow_logs: Vec<FlowLog>,
    /// Connection tracking of the security groups.
    pub conntrack: Conntrack,
    /// Enrichment files (named, not read).
    pub enrichment: Enrichment,
}

/// A VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    /// Its id.
    pub id: String,
    /// Its CIDRs, normalised to their networks.
    pub cidrs: Vec<IpNet>,
    /// Index into [`Topology::route_tables`]: the table of its vSwitches that name none.
    pub route_table: Option<usize>,
}

/// A vSwitch.
#[derive(Debug, Clone, PartialEq)]
pub struct Vswitch {
    /// Its id.
    pub id: String,
    /// Index into [`Topology::vpcs`].
    pub vpc: usize,
    /// Its CIDRs, normalised, each inside one of its VPC's.
    pub cidrs: Vec<IpNet>,
    /// Its availability zone.
    pub zone: Option<String>,
    /// Index into [`Topology::network_acls`]; none means no ACL filtering.
    pub network_acl: Option<usize>,
    /// Index into [`Topology::route_tables`] of its own table (see [`Topology::route_table_of`]
    /// for the one that applies).
    pub route_table: Option<usize>,
}

/// An elastic network interface: what records are attributed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Eni {
    /// Its id.
    pub id: String,
    /// Index into [`Topology::vswitches`].
    pub vswitch: usize,
    /// Its VM, written as `vm-id`.
    pub vm: Option<String>,
    /// Its private addresses, primary first (never empty), each inside its vSwitch.
    pub ips: Vec<IpAddr>,
    /// Indices into [`Topology::security_groups`] (at most 10, all of one [`GroupType`] kind).
    pub security_groups: Vec<usize>,
    /// The capture interface bound to it: packets seen there belong to this ENI only.
    pub interface: Option<String>,
    /// Its public address, an address of this ENI too (traffic path 15).
    pub public_ip: Option<IpAddr>,
}

/// A stateful security group.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    /// Its id.
    pub id: String,
    /// Basic (with its inner access) or enterprise.
    pub group_type: GroupType,
    /// Its rules in file order (the meter sorts them by priority, drop first).
    pub rules: Vec<GroupRule>,
}

/// The kind of a security group, which sets what happens when no rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    /// No rule matched: accept `out`, drop `in`. `inner_access` accept lets members reach each
    /// other whatever the rules say.
    Basic {
        /// Whether members of the group always reach each other (default accept).
        inner_access: Policy,
    },
    /// No rule matched: drop both ways; no access between members.
    Enterprise,
}

/// A security-group rule.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRule {
    /// The direction it applies to.
    pub direction: RuleDirection,
    /// Accept or drop.
    pub policy: Policy,
    /// 1–100, smaller first.
    pub priority: u8,
    /// The protocol it matches.
    pub protocol: Protocol,
    /// The destination ports it matches.
    pub ports: Ports,
    /// The remote end it matches.
    pub peer: Peer,
}

/// A rule's remote end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// Addresses inside this network (same family only).
    Cidr(IpNet),
    /// Addresses of the ENIs of this group: index into [`Topology::security_groups`].
    Group(usize),
}

/// A stateless network ACL.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcl {
    /// Its id.
    pub id: String,
    /// Rules for traffic entering the vSwitch; the first match decides.
    pub ingress: Vec<AclRule>,
    /// Rules for traffic leaving the vSwitch; the first match decides.
    pub egress: Vec<AclRule>,
}

/// A network-ACL rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AclRule {
    /// Accept or drop.
    pub policy: Policy,
    /// The protocol it matches.
    pub protocol: Protocol,
    /// The destination ports it matches (in both directions).
    pub ports: Ports,
    /// The remote addresses it matches.
    pub peer: IpNet,
}

/// A rule's direction, from the ENI's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleDirection {
    /// Traffic arriving at the ENI.
    In,
    /// Traffic leaving the ENI.
    Out,
}

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Let the packet through.
    Accept,
    /// Reject the packet.
    Drop,
}

/// The protocol a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Every protocol.
    All,
    /// One IP protocol number (`tcp` is 6, `udp` 17, `icmp` 1, `icmpv6` 58, `gre` 47).
    Number(u8),
}

impl Protocol {
    /// TCP.
    pub const TCP: Protocol = Protocol::Number(protocol::TCP);
    /// UDP.
    pub const UDP: Protocol = Protocol::Number(protocol::UDP);
    /// ICMP.
    pub const ICMP: Protocol = Protocol::Number(protocol::ICMP);
    /// ICMPv6.
    pub const ICMPV6: Protocol = Protocol::Number(protocol::ICMPV6);
    /// GRE.
    pub const GRE: Protocol = Protocol::Number(crate::parse::l4::GRE);
}

/// The destination ports a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// Any port, and packets without ports (`"-1/-1"`, the default).
    Any,
    /// Ports `first..=last` (TCP and UDP rules only).
    Range {
        /// The lowest port matched.
        first: u16,
        /// The highest port matched.
        last: u16,
    },
}

/// A route table.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTable {
    /// Its id.
    pub id: String,
    /// Its routes in file order (the first wins among equal lengths).
    pub routes: Vec<Route>,
}

/// A route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The destination network, normalised.
    pub destination: IpNet,
    /// Where it leads.
    pub next_hop: NextHop,
}

/// A route's next hop, which names the traffic path (SPEC §7.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextHop {
    /// `eni`, path 3.
    Eni,
    /// `havip`, path 4.
    Havip,
    /// `gateway_endpoint`, path 6.
    GatewayEndpoint,
    /// `nat_gateway`, path 7.
    NatGateway,
    /// `transit_router`, path 8.
    TransitRouter,
    /// `vpn_gateway`, path 9.
    VpnGateway,
    /// `vbr`, path 10.
    Vbr,
    /// `ipv4_gateway`, path 13.
    Ipv4Gateway,
    /// `ipv6_gateway`, path 14.
    Ipv6Gateway,
    /// `vpc_peer`, path 17.
    VpcPeer,
    /// `ecr`, path 21.
    Ecr,
    /// `gwlb_endpoint`, path 22.
    GwlbEndpoint,
}

impl NextHop {
    /// Every next hop, in the order of their traffic-path numbers.
    pub const ALL: [NextHop; 12] = [
        NextHop::Eni,
        NextHop::Havip,
        NextHop::GatewayEndpoint,
        NextHop::NatGateway,
        NextHop::TransitRouter,
        NextHop::VpnGateway,
        NextHop::Vbr,
        NextHop::Ipv4Gateway,
        NextHop::Ipv6Gateway,
        NextHop::VpcPeer,
        NextHop::Ecr,
        NextHop::GwlbEndpoint,
    ];

    /// The name a topology file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            NextHop::Eni => "eni",
            NextHop::Havip => "havip",
            NextHop::GatewayEndpoint => "gateway_endpoint",
            NextHop::NatGateway => "nat_gateway",
            NextHop::TransitRouter => "transit_router",
            NextHop::VpnGateway => "vpn_gateway",
            NextHop::Vbr => "vbr",
            NextHop::Ipv4Gateway => "ipv4_gateway",
            NextHop::Ipv6Gateway => "ipv6_gateway",
            NextHop::VpcPeer => "vpc_peer",
            NextHop::Ecr => "ecr",
            NextHop::GwlbEndpoint => "gwlb_endpoint",
        }
    }

    /// The next hop a topology file names `name`.
    pub fn from_name(name: &str) -> Option<NextHop> {
        NextHop::ALL.into_iter().find(|hop| hop.as_str() == name)
    }

    /// The Alibaba traffic-path number of a route through this hop.
    pub fn traffic_path(self) -> u8 {
        match self {
            NextHop::Eni => 3,
            NextHop::Havip => 4,
            NextHop::GatewayEndpoint => 6,
            NextHop::NatGateway => 7,
            NextHop::TransitRouter => 8,
            NextHop::VpnGateway => 9,
            NextHop::Vbr => 10,
            NextHop::Ipv4Gateway => 13,
            NextHop::Ipv6Gateway => 14,
            NextHop::VpcPeer => 17,
            NextHop::Ecr => 21,
            NextHop::GwlbEndpoint => 22,
        }
    }
}

/// A flow-log instance.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowLog {
    /// Its id, written as `flow-log-id`.
    pub id: String,
    /// What it covers.
    pub resource: Resource,
    /// Which actions it receives.
    pub traffic_type: TrafficType,
    /// Which address families it receives.
    pub ip_version: IpVersion,
    /// Its window in seconds: 60, 300 or 600.
    pub window: u32,
    /// Which traffic paths it receives.
    pub paths: SamplingPaths,
}

/// What a flow-log instance covers (ENIs added later included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// One ENI: index into [`Topology::enis`].
    Eni(usize),
    /// Every ENI of a vSwitch: index into [`Topology::vswitches`].
    Vswitch(usize),
    /// Every ENI of a VPC: index into [`Topology::vpcs`].
    Vpc(usize),
}

/// Which records a flow-log instance receives by action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrafficType {
    /// Every record (default).
    #[default]
    All,
    /// ACCEPT records only.
    Allow,
    /// REJECT records only.
    Drop,
}

/// Which records a flow-log instance receives by address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpVersion {
    /// IPv4 records only (default).
    #[default]
    Ipv4,
    /// IPv4 and IPv6 records.
    Dual,
}

/// Which records a flow-log instance receives by traffic path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SamplingPaths {
    /// Every path (`all`, the default).
    #[default]
    All,
    /// Only these paths (never empty).
    Only(Vec<SamplingPath>),
}

/// A sampling path: a traffic path by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingPath {
    /// A route through this next hop.
    NextHop(NextHop),
    /// `public_ip`: path 15.
    PublicIp,
    /// `vpc`: paths 1 and 2.
    Vpc,
    /// `other`: path 0.
    Other,
}

/// Connection tracking of the security groups: idle timeouts in seconds per class and the
/// table's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conntrack {
    /// TCP's idle timeout.
    pub tcp: u32,
    /// UDP's idle timeout.
    pub udp: u32,
    /// ICMP's and ICMPv6's idle timeout.
    pub icmp: u32,
    /// Every other protocol's idle timeout.
    pub other: u32,
    /// Entries, all ENIs together; the least recently used goes when it is full.
    pub capacity: usize,
}

impl Conntrack {
    /// The idle timeout of every class unless the topology says otherwise.
    pub const DEFAULT_TIMEOUT: u32 = 910;
    /// The table's capacity unless the topology says otherwise.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;
}

impl Default for Conntrack {
    fn default() -> Self {
        Conntrack {
            tcp: Self::DEFAULT_TIMEOUT,
            udp: Self::DEFAULT_TIMEOUT,
            icmp: Self::DEFAULT_TIMEOUT,
            other: Self::DEFAULT_TIMEOUT,
            capacity: Self::DEFAULT_CAPACITY,
        }
    }
}

/// Enrichment files, as paths (resolved against the topology's folder when it was loaded from a
/// file); they are read by whoever builds the enrichment tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Enrichment {
    /// A CSV of `cidr,label` (`srctype`/`dsttype`).
    pub cidr_blocks: Option<PathBuf>,
    /// Threat lists in order (`src-threat`/`dst-threat`).
    pub threat_intel: Vec<PathBuf>,
    /// A MaxMind DB or a CSV of countries (`src-country`/`dst-country`).
    pub geo: Option<PathBuf>,
}

impl Topology {
    /// Index into [`Topology::route_tables`] of the table that applies to ENIs of vSwitch `vswitch`:
    /// its own, else its VPC's.
    pub fn route_table_of(&self, vswitch: usize) -> Option<usize> {
        let vsw = self.vswitches.get(vswitch)?;
        vsw.route_table.or_else(|| self.vpcs.get(vsw.vpc).and_then(|vpc| vpc.route_table))
    }
}
