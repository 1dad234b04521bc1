//! From a [`TopologySpec`] (as written) to a [`Topology`] (validated, ids resolved): every load
//! error of SPEC §7.1, each naming its entry and field.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::error::{EntryKind, TopologyError};
use super::file::{
    AclRuleSpec, ConntrackSpec, EnrichmentSpec, FlowLogSpec, GroupRuleSpec, NetworkAclSpec, ProtocolSpec,
    RouteTableSpec, SecurityGroupSpec, TopologySpec, VpcSpec, VswitchSpec,
};
use super::model::*;

/// The most security groups one ENI may have.
pub const MAX_GROUPS_PER_ENI: usize = 10;

/// The windows a `[[flow_log]]` may have, in seconds.
pub const FLOW_LOG_WINDOWS: [u32; 3] = [60, 300, 600];

/// The entry being checked, to name it in errors.
#[derive(Clone, Copy)]
struct At<'a> {
    kind: EntryKind,
    id: &'a str,
}

impl At<'_> {
    fn err(self, field: impl Into<String>, message: impl Into<String>) -> TopologyError {
        TopologyError {
            kind: self.kind,
            id: Some(self.id.to_owned()),
            index: None,
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

/// A table without ids (`[conntrack]`, `[enrichment]`).
fn table_err(kind: EntryKind, field: &str, message: impl Into<String>) -> TopologyError {
    TopologyError { kind, id: None, index: None, field: Some(field.to_owned()), message: message.into() }
}

/// The ids of one kind, to index, after checking they are non-empty and unique.
fn index_ids<'a>(
    kind: EntryKind,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<&'a str, usize>, TopologyError> {
    let mut map = HashMap::new();
    for (index, id) in ids.enumerate() {
        if id.is_empty() {
            return Err(TopologyError {
                kind,
                id: None,
                index: Some(index),
                field: Some("id".to_owned()),
                message: "is empty".to_owned(),
            });
        }
        if map.insert(id, index).is_some() {
            return Err(At { kind, id }.err("id", format!("{id:?} is defined twice")));
        }
    }
    Ok(map)
}

/// Resolve a reference to an entry of `kind`.
fn resolve(
    at: At<'_>,
    field: &str,
    ids: &HashMap<&str, usize>,
    kind: EntryKind,
    name: &str,
) -> Result<usize, TopologyError> {
    ids.get(name)
        .copied()
        .ok_or_else(|| at.err(field, format!("{name:?} is not defined (no {kind} has this id)")))
}

/// A CIDR; host bits set mean its network.
fn parse_cidr(at: At<'_>, field: &str, text: &str) -> Result<IpNet, TopologyError> {
    text.parse::<IpNet>()
        .map(|net| net.trunc())
        .map_err(|_| at.err(field, format!("{text:?} is not a CIDR (address/prefix length)")))
}

fn parse_addr(at: At<'_>, field: &str, text: &str) -> Result<IpAddr, TopologyError> {
    text.parse::<IpAddr>().map_err(|_| at.err(field, format!("{text:?} is not an IP address")))
}

fn parse_policy(at: At<'_>, field: &str, text: &str) -> Result<Policy, TopologyError> {
    match text {
        "accept" => Ok(Policy::Accept),
        "drop" => Ok(Policy::Drop),
        _ => Err(at.err(field, format!("{text:?} is not accept or drop"))),
    }
}

/// A protocol name (any case) or number.
fn parse_protocol(at: At<'_>, field: &str, spec: &ProtocolSpec) -> Result<Protocol, TopologyError> {
    match spec {
        ProtocolSpec::Number(n) => u8::try_from(*n)
            .map(Protocol::Number)
            .map_err(|_| at.err(field, format!("{n} is not a protocol number (0-255)"))),
        ProtocolSpec::Name(name) => {
            let named = match name.to_ascii_lowercase().as_str() {
                "all" => Some(Protocol::All),
                "tcp" => Some(Protocol::TCP),
                "udp" => Some(Protocol::UDP),
                "icmp" => Some(Protocol::ICMP),
                "icmpv6" => Some(Protocol::ICMPV6),
                "gre" => Some(Protocol::GRE),
                // A number written as text, as some JSON writers do.
                other => other.parse::<u8>().ok().map(Protocol::Number),
            };
            named.ok_or_else(|| {
                at.err(field, format!("{name:?} is not tcp, udp, icmp, icmpv6, gre, all or a number 0-255"))
            })
        }
    }
}

/// `"a/b"` with 0 ≤ a ≤ b ≤ 65535 (TCP and UDP only), or `"-1/-1"` (any).
fn parse_ports(
    at: At<'_>,
    field: &str,
    text: Option<&str>,
    protocol: Protocol,
) -> Result<Ports, TopologyError> {
    let Some(text) = text else {
        return Ok(Ports::Any);
    };
    if text == "-1/-1" {
        return Ok(Ports::Any);
    }
    let bad = |why: &str| at.err(field, format!("{text:?} {why}"));
    let (first, last) = text.split_once('/').ok_or_else(|| bad("is not \"first/last\" or \"-1/-1\""))?;
    let port = |s: &str| s.parse::<u16>().map_err(|_| bad("has a port that is not a number in 0-65535"));
    let (first, last) = (port(first)?, port(last)?);
    if first > last {
        return Err(bad("has its first port above its last"));
    }
    if protocol != Protocol::TCP && protocol != Protocol::UDP {
        return Err(bad("needs protocol tcp or udp (other protocols take \"-1/-1\")"));
    }
    Ok(Ports::Range { first, last })
}

fn parse_group_rule(
    at: At<'_>,
    i: usize,
    rule: &GroupRuleSpec,
    group_ids: &HashMap<&str, usize>,
) -> Result<GroupRule, TopologyError> {
    let f = |name: &str| format!("rules[{i}].{name}");
    let direction = match rule.direction.as_str() {
        "in" => RuleDirection::In,
        "out" => RuleDirection::Out,
        other => return Err(at.err(f("direction"), format!("{other:?} is not in or out"))),
    };
    let policy = parse_policy(at, &f("policy"), &rule.policy)?;
    let priority = match rule.priority {
        None => 1,
        Some(p @ 1..=100) => p as u8,
        Some(p) => return Err(at.err(f("priority"), format!("{p} is not within 1-100"))),
    };
    let protocol = parse_protocol(at, &f("protocol"), &rule.protocol)?;
    let ports = parse_ports(at, &f("ports"), rule.ports.as_deref(), protocol)?;
    let peer = if let Some(&group) = group_ids.get(rule.peer.as_str()) {
        Peer::Group(group)
    } else if rule.peer.contains('/') {
        Peer::Cidr(parse_cidr(at, &f("peer"), &rule.peer)?)
    } else {
        return Err(at.err(f("peer"), format!("{:?} is not a CIDR nor a defined security group", rule.peer)));
    };
    Ok(GroupRule { direction, policy, priority, protocol, ports, peer })
}

fn parse_acl_rules(at: At<'_>, list: &str, rules: &[AclRuleSpec]) -> Result<Vec<AclRule>, TopologyError> {
    let mut out = Vec::with_capacity(rules.len());
    for (i, rule) in rules.iter().enumerate() {
        let f = |name: &str| format!("{list}[{i}].{name}");
        let policy = parse_policy(at, &f("policy"), &rule.policy)?;
        let protocol = parse_protocol(at, &f("protocol"), &rule.protocol)?;
        let ports = parse_ports(at, &f("ports"), rule.ports.as_deref(), protocol)?;
        let peer = parse_cidr(at, &f("peer"), &rule.peer)?;
        out.push(AclRule { policy, protocol, ports, peer });
    }
    Ok(out)
}

fn parse_cidrs(at: At<'_>, texts: &[String]) -> Result<Vec<IpNet>, TopologyError> {
    if texts.is_empty() {
        return Err(at.err("cidrs", "is empty"));
    }
    texts.iter().map(|t| parse_cidr(at, "cidrs", t)).collect()
}

fn conntrack_value(field: &str, value: Option<i64>, default: u32) -> Result<u32, TopologyError> {
    match value {
        None => Ok(default),
        Some(v) => u32::try_from(v).ok().filter(|&v| v >= 1).ok_or_else(|| {
            table_err(
                EntryKind::Conntrack,
                field,
                format!("{v} is not a number of seconds in 1-{}", u32::MAX),
            )
        }),
    }
}

fn enrichment_path(field: &str, text: &str, base: Option<&Path>) -> Result<PathBuf, TopologyError> {
    if text.is_empty() {
        return Err(table_err(EntryKind::Enrichment, field, "is empty"));
    }
    let path = Path::new(text);
    Ok(match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    })
}

/// The ids of every kind, for resolving references.
struct Ids<'a> {
    vpc: HashMap<&'a str, usize>,
    vswitch: HashMap<&'a str, usize>,
    eni: HashMap<&'a str, usize>,
    group: HashMap<&'a str, usize>,
    acl: HashMap<&'a str, usize>,
    table: HashMap<&'a str, usize>,
}

impl<'a> Ids<'a> {
    fn of(spec: &'a TopologySpec) -> Result<Self, TopologyError> {
        let ids = Ids {
            vpc: index_ids(EntryKind::Vpc, spec.vpc.iter().map(|e| e.id.as_str()))?,
            vswitch: index_ids(EntryKind::Vswitch, spec.vswitch.iter().map(|e| e.id.as_str()))?,
            eni: index_ids(EntryKind::Eni, spec.eni.iter().map(|e| e.id.as_str()))?,
            group: index_ids(EntryKind::SecurityGroup, spec.security_group.iter().map(|e| e.id.as_str()))?,
            acl: index_ids(EntryKind::NetworkAcl, spec.network_acl.iter().map(|e| e.id.as_str()))?,
            table: index_ids(EntryKind::RouteTable, spec.route_table.iter().map(|e| e.id.as_str()))?,
        };
        index_ids(EntryKind::FlowLog, spec.flow_log.iter().map(|e| e.id.as_str()))?;
        Ok(ids)
    }

    fn route_table(&self, at: At<'_>, name: Option<&String>) -> Result<Option<usize>, TopologyError> {
        name.map(|name| resolve(at, "route_table", &self.table, EntryKind::RouteTable, name)).transpose()
    }
}

/// Validate `spec` whole; relative enrichment paths are joined to `base` when given.
pub(crate) fn validate(spec: &TopologySpec, base: Option<&Path>) -> Result<Topology, TopologyError> {
    let ids = Ids::of(spec)?;
    let route_tables = spec.route_table.iter().map(route_table).collect::<Result<_, _>>()?;
    let network_acls = spec.network_acl.iter().map(network_acl).collect::<Result<_, _>>()?;
    let security_groups: Vec<SecurityGroup> =
        spec.security_group.iter().map(|e| security_group(e, &ids)).collect::<Result<_, _>>()?;
    let vpcs: Vec<Vpc> = spec.vpc.iter().map(|e| vpc(e, &ids)).collect::<Result<_, _>>()?;
    let vswitches: Vec<Vswitch> =
        spec.vswitch.iter().map(|e| vswitch(e, &ids, &vpcs)).collect::<Result<_, _>>()?;
    let enis = enis(spec, &ids, &vswitches, &security_groups)?;
    let flow_logs = spec.flow_log.iter().map(|e| flow_log(e, &ids)).collect::<Result<_, _>>()?;
    Ok(Topology {
        account: spec.account.clone(),
        region: spec.region.clone(),
        vpcs,
        vswitches,
        enis,
        security_groups,
        network_acls,
        route_tables,
        flow_logs,
        conntrack: spec.conntrack.as_ref().map_or(Ok(Conntrack::default()), conntrack)?,
        enrichment: spec.enrichment.as_ref().map_or(Ok(Enrichment::default()), |e| enrichment(e, base))?,
    })
}

fn route_table(entry: &RouteTableSpec) -> Result<RouteTable, TopologyError> {
    let at = At { kind: EntryKind::RouteTable, id: &entry.id };
    let mut routes = Vec::with_capacity(entry.routes.len());
    for (i, route) in entry.routes.iter().enumerate() {
        let destination = parse_cidr(at, &format!("routes[{i}].destination"), &route.destination)?;
        let next_hop = NextHop::from_name(&route.next_hop).ok_or_else(|| {
            at.err(format!("routes[{i}].next_hop"), format!("{:?} is not a known next hop", route.next_hop))
        })?;
        routes.push(Route { destination, next_hop });
    }
    Ok(RouteTable { id: entry.id.clone(), routes })
}

fn network_acl(entry: &NetworkAclSpec) -> Result<NetworkAcl, TopologyError> {
    let at = At { kind: EntryKind::NetworkAcl, id: &entry.id };
    Ok(NetworkAcl {
        id: entry.id.clone(),
        ingress: parse_acl_rules(at, "ingress", &entry.ingress)?,
        egress: parse_acl_rules(at, "egress", &entry.egress)?,
    })
}

fn security_group(entry: &SecurityGroupSpec, ids: &Ids<'_>) -> Result<SecurityGroup, TopologyError> {
    let at = At { kind: EntryKind::SecurityGroup, id: &entry.id };
    let group_type = match entry.group_type.as_deref() {
        None | Some("basic") => GroupType::Basic {
            inner_access: match entry.inner_access.as_deref() {
                None => Policy::Accept,
                Some(text) => parse_policy(at, "inner_access", text)?,
            },
        },
        Some("enterprise") => {
            if entry.inner_access.is_some() {
                return Err(at.err("inner_access", "is for basic groups only, not enterprise"));
            }
            GroupType::Enterprise
        }
        Some(other) => return Err(at.err("type", format!("{other:?} is not basic or enterprise"))),
    };
    let rules = entry
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| parse_group_rule(at, i, rule, &ids.group))
        .collect::<Result<_, _>>()?;
    Ok(SecurityGroup { id: entry.id.clone(), group_type, rules })
}

fn vpc(entry: &VpcSpec, ids: &Ids<'_>) -> Result<Vpc, TopologyError> {
    let at = At { kind: EntryKind::Vpc, id: &entry.id };
    Ok(Vpc {
        id: entry.id.clone(),
        cidrs: parse_cidrs(at, &entry.cidrs)?,
        route_table: ids.route_table(at, entry.route_table.as_ref())?,
    })
}

fn vswitch(entry: &VswitchSpec, ids: &Ids<'_>, vpcs: &[Vpc]) -> Result<Vswitch, TopologyError> {
    let at = At { kind: EntryKind::Vswitch, id: &entry.id };
    let vpc = resolve(at, "vpc", &ids.vpc, EntryKind::Vpc, &entry.vpc)?;
    let cidrs = parse_cidrs(at, &entry.cidrs)?;
    for (cidr, text) in cidrs.iter().zip(&entry.cidrs) {
        if !vpcs[vpc].cidrs.iter().any(|outer| outer.contains(cidr)) {
            return Err(at.err("cidrs", format!("{text:?} is outside the CIDRs of vpc {:?}", entry.vpc)));
        }
    }
    let network_acl = entry
        .network_acl
        .as_ref()
        .map(|name| resolve(at, "network_acl", &ids.acl, EntryKind::NetworkAcl, name))
        .transpose()?;
    Ok(Vswitch {
        id: entry.id.clone(),
        vpc,
        cidrs,
        zone: entry.zone.clone(),
        network_acl,
        route_table: ids.route_table(at, entry.route_table.as_ref())?,
    })
}

/// The ENIs, checked together: an address or an interface belongs to one ENI only.
fn enis(
    spec: &TopologySpec,
    ids: &Ids<'_>,
    vswitches: &[Vswitch],
    security_groups: &[SecurityGroup],
) -> Result<Vec<Eni>, TopologyError> {
    let mut enis = Vec::with_capacity(spec.eni.len());
    let mut owners: HashMap<IpAddr, usize> = HashMap::new();
    let mut interfaces: HashMap<&str, usize> = HashMap::new();
    for (index, entry) in spec.eni.iter().enumerate() {
        let at = At { kind: EntryKind::Eni, id: &entry.id };
        let vswitch = resolve(at, "vswitch", &ids.vswitch, EntryKind::Vswitch, &entry.vswitch)?;
        if entry.ips.is_empty() {
            return Err(at.err("ips", "is empty (an ENI has at least one address)"));
        }
        let mut claim = |field: &str, addr: IpAddr| match owners.insert(addr, index) {
            Some(other) if other == index => {
                Err(at.err(field, format!("\"{addr}\" is an address of this ENI twice")))
            }
            Some(other) => {
                Err(at.err(field, format!("\"{addr}\" is also an address of eni {:?}", spec.eni[other].id)))
            }
            None => Ok(()),
        };
        let mut ips = Vec::with_capacity(entry.ips.len());
        for text in &entry.ips {
            let addr = parse_addr(at, "ips", text)?;
            if !vswitches[vswitch].cidrs.iter().any(|net| net.contains(&addr)) {
                return Err(
                    at.err("ips", format!("{text:?} is outside the CIDRs of vswitch {:?}", entry.vswitch))
                );
            }
            claim("ips", addr)?;
            ips.push(addr);
        }
        let public_ip = match &entry.public_ip {
            None => None,
            Some(text) => {
                let addr = parse_addr(at, "public_ip", text)?;
                claim("public_ip", addr)?;
                Some(addr)
            }
        };
        if let Some(interface) = &entry.interface {
            if interface.is_empty() {
                return Err(at.err("interface", "is empty"));
            }
            if let Some(other) = interfaces.insert(interface, index) {
                return Err(at.err(
                    "interface",
                    format!("{interface:?} is also bound to eni {:?}", spec.eni[other].id),
                ));
            }
        }
        enis.push(Eni {
            id: entry.id.clone(),
            vswitch,
            vm: entry.vm.clone(),
            ips,
            security_groups: eni_groups(at, &entry.security_groups, ids, security_groups)?,
            interface: entry.interface.clone(),
            public_ip,
        });
    }
    Ok(enis)
}

/// An ENI's groups: at most [`MAX_GROUPS_PER_ENI`], each once, all basic or all enterprise.
fn eni_groups(
    at: At<'_>,
    names: &[String],
    ids: &Ids<'_>,
    security_groups: &[SecurityGroup],
) -> Result<Vec<usize>, TopologyError> {
    if names.len() > MAX_GROUPS_PER_ENI {
        return Err(
            at.err("security_groups", format!("has {} groups, more than {MAX_GROUPS_PER_ENI}", names.len()))
        );
    }
    let enterprise = |g: usize| security_groups[g].group_type == GroupType::Enterprise;
    let mut groups: Vec<usize> = Vec::with_capacity(names.len());
    for name in names {
        let group = resolve(at, "security_groups", &ids.group, EntryKind::SecurityGroup, name)?;
        if groups.contains(&group) {
            return Err(at.err("security_groups", format!("{name:?} is listed twice")));
        }
        if let Some(&first) = groups.first() {
            if enterprise(first) != enterprise(group) {
                return Err(at.err(
                    "security_groups",
                    format!(
                        "mixes basic and enterprise groups ({:?} and {name:?})",
                        security_groups[first].id
                    ),
                ));
            }
        }
        groups.push(group);
    }
    Ok(groups)
}

fn flow_log(entry: &FlowLogSpec, ids: &Ids<'_>) -> Result<FlowLog, TopologyError> {
    let at = At { kind: EntryKind::FlowLog, id: &entry.id };
    let name = entry.resource.as_str();
    let mut found = [
        ids.eni.get(name).map(|&i| (EntryKind::Eni, Resource::Eni(i))),
        ids.vswitch.get(name).map(|&i| (EntryKind::Vswitch, Resource::Vswitch(i))),
        ids.vpc.get(name).map(|&i| (EntryKind::Vpc, Resource::Vpc(i))),
    ]
    .into_iter()
    .flatten();
    let resource = match (found.next(), found.next()) {
        (Some((_, resource)), None) => resource,
        (None, _) => {
            return Err(
                at.err("resource", format!("{name:?} is not defined (no eni, vswitch or vpc has this id)"))
            )
        }
        (Some((a, _)), Some((b, _))) => {
            return Err(at.err("resource", format!("{name:?} names both {a} {name:?} and {b} {name:?}")))
        }
    };
    let traffic_type = match entry.traffic_type.as_deref() {
        None | Some("all") => TrafficType::All,
        Some("allow") => TrafficType::Allow,
        Some("drop") => TrafficType::Drop,
        Some(other) => return Err(at.err("traffic_type", format!("{other:?} is not all, allow or drop"))),
    };
    let ip_version = match entry.ip_version.as_deref() {
        None | Some("ipv4") => IpVersion::Ipv4,
        Some("dual") => IpVersion::Dual,
        Some(other) => return Err(at.err("ip_version", format!("{other:?} is not ipv4 or dual"))),
    };
    let window = match entry.window {
        None => 600,
        Some(w) => u32::try_from(w)
            .ok()
            .filter(|w| FLOW_LOG_WINDOWS.contains(w))
            .ok_or_else(|| at.err("window", format!("{w} is not 60, 300 or 600")))?,
    };
    let paths = match &entry.paths {
        None => SamplingPaths::All,
        Some(names) => sampling_paths(at, names)?,
    };
    Ok(FlowLog { id: entry.id.clone(), resource, traffic_type, ip_version, window, paths })
}

/// `all` anywhere in the list means every path; every name must be known either way.
fn sampling_paths(at: At<'_>, names: &[String]) -> Result<SamplingPaths, TopologyError> {
    if names.is_empty() {
        return Err(at.err("paths", "is empty (use [\"all\"] for every path)"));
    }
    let mut only = Vec::with_capacity(names.len());
    let mut all = false;
    for name in names {
        match name.as_str() {
            "all" => all = true,
            "public_ip" => only.push(SamplingPath::PublicIp),
            "vpc" => only.push(SamplingPath::Vpc),
            "other" => only.push(SamplingPath::Other),
            hop => only.push(SamplingPath::NextHop(NextHop::from_name(hop).ok_or_else(|| {
                at.err("paths", format!("{hop:?} is not all, a next hop, public_ip, vpc or other"))
            })?)),
        }
    }
    Ok(if all { SamplingPaths::All } else { SamplingPaths::Only(only) })
}

fn conntrack(spec: &ConntrackSpec) -> Result<Conntrack, TopologyError> {
    let timeout = conntrack_value("timeout", spec.timeout, Conntrack::DEFAULT_TIMEOUT)?;
    Ok(Conntrack {
        tcp: conntrack_value("tcp", spec.tcp, timeout)?,
        udp: conntrack_value("udp", spec.udp, timeout)?,
        icmp: conntrack_value("icmp", spec.icmp, timeout)?,
        other: conntrack_value("other", spec.other, timeout)?,
        capacity: match spec.capacity {
            None => Conntrack::DEFAULT_CAPACITY,
            Some(n) => usize::try_from(n).ok().filter(|&n| n >= 1).ok_or_else(|| {
                table_err(EntryKind::Conntrack, "capacity", format!("{n} is not at least 1"))
            })?,
        },
    })
}

fn enrichment(spec: &EnrichmentSpec, base: Option<&Path>) -> Result<Enrichment, TopologyError> {
    let path = |field: &str, text: &String| enrichment_path(field, text, base);
    Ok(Enrichment {
        cidr_blocks: spec.cidr_blocks.as_ref().map(|p| path("cidr_blocks", p)).transpose()?,
        threat_intel: spec.threat_intel.iter().map(|p| path("threat_intel", p)).collect::<Result<_, _>>()?,
        geo: spec.geo.as_ref().map(|p| path("geo", p)).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: At<'static> = At { kind: EntryKind::NetworkAcl, id: "acl-1" };

    fn ports(text: &str, protocol: Protocol) -> Result<Ports, String> {
        parse_ports(AT, "ports", Some(text), protocol).map_err(|e| e.to_string())
    }

    #[test]
    fn ports_are_a_range_or_any() {
        assert_eq!(ports("-1/-1", Protocol::All), Ok(Ports::Any));
        assert_eq!(ports("0/65535", Protocol::UDP), Ok(Ports::Range { first: 0, last: 65535 }));
        assert_eq!(ports("7/7", Protocol::TCP), Ok(Ports::Range { first: 7, last: 7 }));
        assert_eq!(parse_ports(AT, "ports", None, Protocol::ICMP), Ok(Ports::Any));
        for bad in ["-1/5", "5/-1", "1/65536", "2/1", " 1/2", "1-2", "1/2/3", "/"] {
            let err = ports(bad, Protocol::TCP).unwrap_err();
            assert!(err.starts_with("network_acl \"acl-1\": ports "), "{err}");
        }
        assert!(ports("1/2", Protocol::GRE).unwrap_err().contains("tcp or udp"));
    }

    #[test]
    fn protocols_are_names_in_any_case_or_numbers() {
        let p = |spec: ProtocolSpec| parse_protocol(AT, "protocol", &spec);
        let name = |n: &str| ProtocolSpec::Name(n.to_owned());
        assert_eq!(p(name("ALL")), Ok(Protocol::All));
        assert_eq!(p(name("IcmpV6")), Ok(Protocol::ICMPV6));
        assert_eq!(p(name("gre")), Ok(Protocol::GRE));
        assert_eq!(p(name("47")), Ok(Protocol::GRE));
        assert_eq!(p(ProtocolSpec::Number(0)), Ok(Protocol::Number(0)));
        assert_eq!(p(ProtocolSpec::Number(255)), Ok(Protocol::Number(255)));
        assert!(p(ProtocolSpec::Number(256)).is_err());
        assert!(p(name("256")).is_err());
        assert!(p(name("ip")).is_err());
    }

    #[test]
    fn cidrs_drop_their_host_bits_and_addresses_are_not_cidrs() {
        let cidr = |t: &str| parse_cidr(AT, "peer", t);
        assert_eq!(cidr("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(cidr("2001:db8::1/32").unwrap().to_string(), "2001:db8::/32");
        assert_eq!(cidr("0.0.0.0/0").unwrap().to_string(), "0.0.0.0/0");
        assert!(cidr("10.1.2.3").is_err());
        assert!(cidr("10.1.2.3/33").is_err());
    }
}
