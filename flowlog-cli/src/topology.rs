//! `flowlog topology FILE`: validate a topology and print what it means for metering: each
//! flow-log instance and the ENIs it covers, each ENI's window, and the rules a packet meets on
//! each ENI in the order they are evaluated (SPEC §7.3, §7.4). The meaning is the core's
//! (`flowlog_core::topology::plan`); this module only writes it out.

use std::fmt::Write as _;
use std::io::Write;

use flowlog_core::topology::{
    GroupType, IpVersion, Peer, Policy, Ports, Protocol, Resource, RuleDirection, SamplingPath,
    SamplingPaths, Topology, TrafficType,
};

use crate::args::TopologyArgs;
use crate::error::CliError;

/// Run `flowlog topology`.
pub fn run(args: &TopologyArgs) -> Result<(), CliError> {
    let shown = args.file.display().to_string();
    let topology = Topology::load(&args.file)
        .map_err(|e| CliError::Input { file: shown.clone(), problem: e.to_string() })?;
    let text = describe(&topology, &shown, args.window);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| CliError::output("stdout", e))
}

/// The report `run` prints, for the topology loaded from `shown`, `--window` `default_window`.
pub fn describe(t: &Topology, shown: &str, default_window: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{shown}: valid: {} VPCs, {} vSwitches, {} ENIs, {} security groups, {} network ACLs, {} route tables",
        t.vpcs.len(),
        t.vswitches.len(),
        t.enis.len(),
        t.security_groups.len(),
        t.network_acls.len(),
        t.route_tables.len()
    );
    let instances = t.instances(default_window);
    for instance in &instances {
        let covers = match instance.resource {
            None => "every ENI".to_owned(),
            Some(Resource::Eni(i)) => format!("eni {}", t.enis[i].id),
            Some(Resource::Vswitch(i)) => format!("vswitch {}", t.vswitches[i].id),
            Some(Resource::Vpc(i)) => format!("vpc {}", t.vpcs[i].id),
        };
        let enis: Vec<&str> =
            (0..t.enis.len()).filter(|&e| t.covers(instance, e)).map(|e| t.enis[e].id.as_str()).collect();
        let _ = writeln!(
            s,
            "instance {}: {covers}, window {} s, traffic {}, {}, paths {}; covers {}",
            instance.id,
            instance.window_secs,
            traffic_type(instance.traffic_type),
            ip_version(instance.ip_version),
            paths(&instance.paths),
            if enis.is_empty() { "no ENI".to_owned() } else { enis.join(" ") }
        );
    }
    for (e, eni) in t.enis.iter().enumerate() {
        let vswitch = &t.vswitches[eni.vswitch];
        let ips: Vec<String> = eni.ips.iter().map(|ip| ip.to_string()).collect();
        let _ = write!(
            s,
            "eni {} (vswitch {}, vpc {}, {})",
            eni.id,
            vswitch.id,
            t.vpcs[vswitch.vpc].id,
            ips.join(" ")
        );
        match t.eni_window_secs(&instances, e) {
            Some(w) => {
                let ids: Vec<&str> =
                    instances.iter().filter(|i| t.covers(i, e)).map(|i| i.id.as_str()).collect();
                let _ = writeln!(s, ": window {w} s, instances {}", ids.join(" "));
            }
            None => {
                let _ = writeln!(s, ": covered by no instance (its packets count as not covered)");
            }
        }
        // The order a packet meets them (SPEC §7.3): out through the groups, then the ACL; in
        // through the ACL, then the groups.
        write_groups(&mut s, t, e, RuleDirection::Out, "out 1");
        write_acl(&mut s, t, e, RuleDirection::Out, "out 2");
        write_acl(&mut s, t, e, RuleDirection::In, "in 1");
        write_groups(&mut s, t, e, RuleDirection::In, "in 2");
    }
    s
}

fn write_groups(s: &mut String, t: &Topology, eni: usize, direction: RuleDirection, step: &str) {
    let groups = &t.enis[eni].security_groups;
    let Some(&first) = groups.first() else {
        let _ = writeln!(s, "  {step}. security groups: none, accept");
        return;
    };
    let ids: Vec<&str> = groups.iter().map(|&g| t.security_groups[g].id.as_str()).collect();
    let group_type = t.security_groups[first].group_type;
    let kind = if group_type == GroupType::Enterprise { "enterprise" } else { "basic" };
    let _ =
        writeln!(s, "  {step}. security groups {} ({kind}), {}:", ids.join(" "), direction_name(direction));
    let _ = writeln!(s, "     accept: the connection's live connection-tracking entry");
    let inner: Vec<&str> = groups
        .iter()
        .map(|&g| &t.security_groups[g])
        .filter(|g| g.group_type == GroupType::Basic { inner_access: Policy::Accept })
        .map(|g| g.id.as_str())
        .collect();
    if !inner.is_empty() {
        let _ = writeln!(s, "     accept: the remote end is another ENI of {}", inner.join(" "));
    }
    for r in t.group_rules_in_order(eni, direction) {
        let peer = match r.rule.peer {
            Peer::Cidr(net) => net.to_string(),
            Peer::Group(g) => format!("group {}", t.security_groups[g].id),
        };
        let _ = writeln!(
            s,
            "     priority {} {} {} {} {} ({})",
            r.rule.priority,
            policy(r.rule.policy),
            protocol(r.rule.protocol),
            ports(r.rule.ports),
            peer,
            t.security_groups[r.group].id
        );
    }
    let otherwise = match (group_type, direction) {
        (GroupType::Basic { .. }, RuleDirection::Out) => "accept",
        _ => "drop",
    };
    let _ = writeln!(s, "     otherwise {otherwise}");
}

fn write_acl(s: &mut String, t: &Topology, eni: usize, direction: RuleDirection, step: &str) {
    let Some(acl) = t.acl_of(eni) else {
        let _ = writeln!(s, "  {step}. network ACL: none, accept");
        return;
    };
    let side = if direction == RuleDirection::In { "ingress" } else { "egress" };
    let _ = writeln!(s, "  {step}. network ACL {} {side}:", acl.id);
    let _ =
        writeln!(s, "     accept: the remote end is in the vSwitch or one of the cloud's service addresses");
    for rule in t.acl_rules(eni, direction) {
        let _ = writeln!(
            s,
            "     {} {} {} {}",
            policy(rule.policy),
            protocol(rule.protocol),
            ports(rule.ports),
            rule.peer
        );
    }
    let _ = writeln!(s, "     otherwise drop");
}

fn direction_name(d: RuleDirection) -> &'static str {
    match d {
        RuleDirection::In => "in",
        RuleDirection::Out => "out",
    }
}

fn policy(p: Policy) -> &'static str {
    match p {
        Policy::Accept => "accept",
        Policy::Drop => "drop",
    }
}

fn protocol(p: Protocol) -> String {
    match p {
        Protocol::All => "all".to_owned(),
        Protocol::TCP => "tcp".to_owned(),
        Protocol::UDP => "udp".to_owned(),
        Protocol::ICMP => "icmp".to_owned(),
        Protocol::ICMPV6 => "icmpv6".to_owned(),
        Protocol::GRE => "gre".to_owned(),
        Protocol::Number(n) => n.to_string(),
    }
}

fn ports(p: Ports) -> String {
    match p {
        Ports::Any => "-1/-1".to_owned(),
        Ports::Range { first, last } => format!("{first}/{last}"),
    }
}

fn traffic_type(t: TrafficType) -> &'static str {
    match t {
        TrafficType::All => "all",
        TrafficType::Allow => "allow",
        TrafficType::Drop => "drop",
    }
}

fn ip_version(v: IpVersion) -> &'static str {
    match v {
        IpVersion::Ipv4 => "ipv4",
        IpVersion::Dual => "dual",
    }
}

fn paths(p: &SamplingPaths) -> String {
    match p {
        SamplingPaths::All => "all".to_owned(),
        SamplingPaths::Only(list) => list
            .iter()
            .map(|path| match path {
                SamplingPath::NextHop(hop) => hop.as_str(),
                SamplingPath::PublicIp => "public_ip",
                SamplingPath::Vpc => "vpc",
                SamplingPath::Other => "other",
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}
