//! What a topology means for metering, derived from the validated model: the flow-log instances
//! in force (SPEC §7.4), which ENIs each covers and at what window each ENI is metered, and the
//! rules a packet meets on an ENI in the order they are evaluated (SPEC §7.3).
//!
//! Computed at load time, not per packet: the meter builds its lookups from these, and
//! `flowlog topology FILE` prints them.

use super::model::{
    AclRule, FlowLog, GroupRule, IpVersion, NetworkAcl, Policy, Resource, RuleDirection, SamplingPaths,
    Topology, TrafficType,
};

/// A flow-log instance in force: one of the file's, or `default` when the file has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Its `flow-log-id`.
    pub id: String,
    /// What it covers: `None` for `default`, which covers every ENI.
    pub resource: Option<Resource>,
    /// Its capture window in seconds.
    pub window_secs: u64,
    /// Which actions it receives.
    pub traffic_type: TrafficType,
    /// Which IP versions it receives.
    pub ip_version: IpVersion,
    /// Which traffic paths it receives.
    pub paths: SamplingPaths,
}

/// The id of the instance a topology without `[[flow_log]]` gets (SPEC §7.4).
pub const DEFAULT_INSTANCE: &str = "default";

impl Instance {
    fn of(flow_log: &FlowLog) -> Instance {
        Instance {
            id: flow_log.id.clone(),
            resource: Some(flow_log.resource),
            window_secs: u64::from(flow_log.window),
            traffic_type: flow_log.traffic_type,
            ip_version: flow_log.ip_version,
            paths: flow_log.paths.clone(),
        }
    }
}

/// A security-group rule in evaluation order, with the group it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderedRule<'t> {
    /// Index into [`Topology::security_groups`].
    pub group: usize,
    /// The rule.
    pub rule: &'t GroupRule,
}

impl Topology {
    /// The instances in force: the file's `[[flow_log]]` entries in file order or, when it has
    /// none, one instance `default` over every ENI, dual stack, all traffic and paths, at
    /// `default_window_secs` (the CLI's `--window`).
    pub fn instances(&self, default_window_secs: u64) -> Vec<Instance> {
        if self.flow_logs.is_empty() {
            return vec![Instance {
                id: DEFAULT_INSTANCE.to_owned(),
                resource: None,
                window_secs: default_window_secs,
                traffic_type: TrafficType::All,
                ip_version: IpVersion::Dual,
                paths: SamplingPaths::All,
            }];
        }
        self.flow_logs.iter().map(Instance::of).collect()
    }

    /// Whether `instance` covers ENI `eni` (index into [`Topology::enis`]): the ENI itself, its
    /// vSwitch, or its vSwitch's VPC; `default` covers every ENI.
    pub fn covers(&self, instance: &Instance, eni: usize) -> bool {
        let Some(e) = self.enis.get(eni) else { return false };
        match instance.resource {
            None => true,
            Some(Resource::Eni(i)) => i == eni,
            Some(Resource::Vswitch(v)) => v == e.vswitch,
            Some(Resource::Vpc(v)) => self.vswitches.get(e.vswitch).is_some_and(|s| s.vpc == v),
        }
    }

    /// The window ENI `eni` is metered at: the smallest among the instances covering it, or
    /// `None` when none does (its packets are counted as not covered).
    pub fn eni_window_secs(&self, instances: &[Instance], eni: usize) -> Option<u64> {
        instances.iter().filter(|i| self.covers(i, eni)).map(|i| i.window_secs).min()
    }

    /// The rules of ENI `eni`'s security groups for `direction`, in the order they are evaluated
    /// (SPEC §7.3): by priority, `drop` before `accept` at equal priority, then file order (the
    /// groups' order in the file, then each group's rules in its order).
    pub fn group_rules_in_order(&self, eni: usize, direction: RuleDirection) -> Vec<OrderedRule<'_>> {
        let Some(e) = self.enis.get(eni) else { return Vec::new() };
        let mut groups = e.security_groups.clone();
        groups.sort_unstable();
        let mut rules: Vec<OrderedRule<'_>> = groups
            .iter()
            .flat_map(|&group| {
                let rules = self.security_groups.get(group).map(|g| g.rules.as_slice()).unwrap_or(&[]);
                rules.iter().map(move |rule| OrderedRule { group, rule })
            })
            .filter(|r| r.rule.direction == direction)
            .collect();
        // A stable sort keeps file order among equals.
        rules.sort_by_key(|r| (r.rule.priority, r.rule.policy != Policy::Drop));
        rules
    }

    /// The network ACL of ENI `eni`'s vSwitch, if it has one.
    pub fn acl_of(&self, eni: usize) -> Option<&NetworkAcl> {
        let e = self.enis.get(eni)?;
        let acl = self.vswitches.get(e.vswitch)?.network_acl?;
        self.network_acls.get(acl)
    }

    /// The rules of ENI `eni`'s network ACL for `direction` (`ingress` for `in`, `egress` for
    /// `out`), in file order, the order they are evaluated; empty when there is no ACL.
    pub fn acl_rules(&self, eni: usize, direction: RuleDirection) -> &[AclRule] {
        match (self.acl_of(eni), direction) {
            (Some(acl), RuleDirection::In) => &acl.ingress,
            (Some(acl), RuleDirection::Out) => &acl.egress,
            (None, _) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPOLOGY: &str = r#"
[[vpc]]
id = "vpc-1"
cidrs = ["10.0.0.0/16"]
[[vpc]]
id = "vpc-2"
cidrs = ["10.1.0.0/16"]
[[vswitch]]
id = "vsw-a"
vpc = "vpc-1"
cidrs = ["10.0.1.0/24"]
network_acl = "acl-a"
[[vswitch]]
id = "vsw-b"
vpc = "vpc-1"
cidrs = ["10.0.2.0/24"]
[[vswitch]]
id = "vsw-c"
vpc = "vpc-2"
cidrs = ["10.1.1.0/24"]
[[eni]]
id = "eni-1"
vswitch = "vsw-a"
ips = ["10.0.1.10"]
security_groups = ["sg-b", "sg-a"]
[[eni]]
id = "eni-2"
vswitch = "vsw-b"
ips = ["10.0.2.10"]
[[eni]]
id = "eni-3"
vswitch = "vsw-c"
ips = ["10.1.1.10"]
[[security_group]]
id = "sg-a"
rules = [ { direction = "in", policy = "accept", priority = 5, protocol = "tcp", ports = "22/22", peer = "10.0.0.0/8" },
          { direction = "in", policy = "accept", priority = 1, protocol = "tcp", ports = "80/80", peer = "0.0.0.0/0" },
          { direction = "out", policy = "accept", priority = 1, protocol = "all", peer = "0.0.0.0/0" } ]
[[security_group]]
id = "sg-b"
rules = [ { direction = "in", policy = "accept", priority = 1, protocol = "udp", ports = "53/53", peer = "0.0.0.0/0" },
          { direction = "in", policy = "drop", priority = 5, protocol = "tcp", ports = "22/22", peer = "192.0.2.0/24" },
          { direction = "in", policy = "drop", priority = 1, protocol = "tcp", ports = "80/80", peer = "198.51.100.0/24" } ]
[[network_acl]]
id = "acl-a"
ingress = [ { policy = "accept", protocol = "tcp", ports = "80/80", peer = "0.0.0.0/0" },
            { policy = "drop", protocol = "all", peer = "0.0.0.0/0" } ]
egress = [ { policy = "accept", protocol = "all", peer = "0.0.0.0/0" } ]
[[flow_log]]
id = "fl-vpc"
resource = "vpc-1"
window = 600
[[flow_log]]
id = "fl-vsw"
resource = "vsw-a"
window = 60
"#;

    fn topology() -> Topology {
        Topology::from_toml_str(TOPOLOGY).unwrap()
    }

    #[test]
    fn a_topology_without_flow_logs_gets_one_default_instance_over_every_eni_at_the_cli_window() {
        let without_flow_logs = TOPOLOGY.split("[[flow_log]]").next().unwrap();
        let t = Topology::from_toml_str(without_flow_logs).unwrap();
        let instances = t.instances(300);
        assert_eq!(instances.len(), 1);
        assert_eq!((instances[0].id.as_str(), instances[0].window_secs), (DEFAULT_INSTANCE, 300));
        assert_eq!(instances[0].ip_version, IpVersion::Dual);
        assert!((0..3).all(|eni| t.eni_window_secs(&instances, eni) == Some(300)));
    }

    #[test]
    fn an_instance_covers_an_eni_a_vswitch_or_a_vpc_and_an_eni_takes_its_smallest_window() {
        let t = topology();
        let instances = t.instances(600);
        let covered = |i: usize| (0..3).filter(|&e| t.covers(&instances[i], e)).collect::<Vec<_>>();
        assert_eq!(covered(0), [0, 1], "fl-vpc: the ENIs of vpc-1's vSwitches");
        assert_eq!(covered(1), [0], "fl-vsw: the ENIs of vsw-a");
        assert_eq!(t.eni_window_secs(&instances, 0), Some(60), "eni-1: covered by both, the smaller window");
        assert_eq!(t.eni_window_secs(&instances, 1), Some(600));
        assert_eq!(t.eni_window_secs(&instances, 2), None, "eni-3 is in no instance");
    }

    #[test]
    fn group_rules_go_by_priority_drop_before_accept_at_equal_priority_then_file_order() {
        let t = topology();
        let order: Vec<(usize, Policy, u8)> = t
            .group_rules_in_order(0, RuleDirection::In)
            .iter()
            .map(|r| (r.group, r.rule.policy, r.rule.priority))
            .collect();
        // Priority 1: sg-b's drop 80, then the accepts in file order (sg-a's 80 comes before sg-b's 53,
        // as sg-a is first in the file though the ENI lists sg-b first); priority 5: sg-b's drop 22,
        // then sg-a's accept 22.
        assert_eq!(
            order,
            [
                (1, Policy::Drop, 1),
                (0, Policy::Accept, 1),
                (1, Policy::Accept, 1),
                (1, Policy::Drop, 5),
                (0, Policy::Accept, 5)
            ]
        );
        assert_eq!(t.group_rules_in_order(0, RuleDirection::Out).len(), 1);
        assert!(t.group_rules_in_order(1, RuleDirection::In).is_empty(), "eni-2 has no group");
    }

    #[test]
    fn acl_rules_are_those_of_the_vswitch_in_file_order_for_the_direction() {
        let t = topology();
        assert_eq!(t.acl_rules(0, RuleDirection::In).len(), 2);
        assert_eq!(t.acl_rules(0, RuleDirection::In)[0].policy, Policy::Accept);
        assert_eq!(t.acl_rules(0, RuleDirection::Out).len(), 1);
        assert!(t.acl_of(1).is_none() && t.acl_rules(1, RuleDirection::In).is_empty());
    }
}
