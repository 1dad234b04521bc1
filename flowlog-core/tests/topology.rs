//! SPEC §7.1: loading a topology (TOML, JSON or built in code), its defaults and its load errors.
//!
//! Each load-error test is named after the SPEC sentence it checks and asserts that the error
//! names the entry and the field.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use flowlog_core::topology::file::{EniSpec, VpcSpec, VswitchSpec};
use flowlog_core::topology::*;
use flowlog_testkit::corpus_dir;
use proptest::prelude::*;

/// A small valid topology that each load-error test breaks in one place.
const BASE: &str = r#"
[[vpc]]
id = "vpc-1"
cidrs = ["10.0.0.0/16", "2001:db8::/56"]

[[vswitch]]
id = "vsw-a"
vpc = "vpc-1"
cidrs = ["10.0.1.0/24", "2001:db8:0:1::/64"]

[[eni]]
id = "eni-1"
vswitch = "vsw-a"
ips = ["10.0.1.10"]
security_groups = ["sg-basic"]

[[eni]]
id = "eni-2"
vswitch = "vsw-a"
ips = ["10.0.1.20"]

[[security_group]]
id = "sg-basic"
rules = [ { direction = "in", policy = "accept", protocol = "tcp", ports = "80/80", peer = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-ent"
type = "enterprise"

[[network_acl]]
id = "acl-1"
ingress = [ { policy = "accept", protocol = "tcp", ports = "80/80", peer = "0.0.0.0/0" } ]

[[route_table]]
id = "rtb-1"
routes = [ { destination = "0.0.0.0/0", next_hop = "nat_gateway" } ]

[[flow_log]]
id = "fl-1"
resource = "vpc-1"
"#;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/topology")
}

/// `BASE` with `from` replaced by `to` (which must occur).
fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE lacks {from:?}");
    BASE.replacen(from, to, 1)
}

/// The error of loading `text`, checked to name `kind` `id` and `field`.
fn load_error(text: &str, kind: EntryKind, id: &str, field: &str) -> TopologyError {
    let err = Topology::from_toml_str(text).expect_err("the topology must not load");
    assert_eq!(err.kind, kind, "{err}");
    assert_eq!(err.id.as_deref(), Some(id), "{err}");
    assert_eq!(err.field.as_deref(), Some(field), "{err}");
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{kind} {id:?}: {field} ")), "{shown}");
    err
}

fn net(text: &str) -> IpNet {
    text.parse().unwrap()
}

fn addr(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn the_base_topology_loads() {
    let topology = Topology::from_toml_str(BASE).unwrap();
    assert_eq!(topology.enis.len(), 2);
}

#[test]
fn every_corpus_topology_loads() {
    let Some(root) = corpus_dir() else { return };
    let mut loaded = 0;
    for entry in std::fs::read_dir(root.join("vpc")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !(name.ends_with(".toml") || name.ends_with(".json")) || name.ends_with(".expected.json") {
            continue;
        }
        let topology = Topology::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!topology.enis.is_empty(), "{name}");
        loaded += 1;
    }
    assert!(loaded >= 38, "only {loaded} topologies in the corpus");
}

#[test]
fn the_corpus_example_loads_with_every_field() {
    let Some(root) = corpus_dir() else { return };
    let path = root.join("vpc/example.toml");
    let t = Topology::load(&path).unwrap();
    assert_eq!(t.account.as_deref(), Some("1234567890123456"));
    assert_eq!(t.region.as_deref(), Some("cn-hangzhou"));
    assert_eq!((t.vpcs.len(), t.vswitches.len(), t.enis.len()), (1, 2, 4));
    let web = &t.enis[0];
    assert_eq!(web.ips.len(), 3);
    assert_eq!(web.security_groups, vec![0, 1]);
    assert_eq!(web.interface.as_deref(), Some("tap-web-1"));
    assert_eq!(web.public_ip, Some(addr("203.0.113.10")));
    assert_eq!(t.security_groups[2].group_type, GroupType::Enterprise);
    assert_eq!(t.security_groups[2].rules[3].protocol, Protocol::Number(47));
    assert_eq!(t.security_groups[1].rules[0].peer, Peer::Group(2));
    assert_eq!(t.route_tables[0].routes.len(), 10);
    assert_eq!(t.route_table_of(0), Some(1));
    assert_eq!(t.route_table_of(1), Some(0));
    assert_eq!(t.flow_logs[1].resource, Resource::Vswitch(0));
    assert_eq!(t.flow_logs[2].resource, Resource::Eni(3));
    let conntrack = Conntrack { tcp: 910, udp: 120, icmp: 30, other: 600, capacity: 1_000_000 };
    assert_eq!(t.conntrack, conntrack);
    let folder = path.parent().unwrap();
    assert_eq!(t.enrichment.cidr_blocks, Some(folder.join("example.blocks.csv")));
    assert_eq!(t.enrichment.threat_intel, vec![folder.join("example.threats.txt")]);
}

#[test]
fn the_project_example_loads_as_toml_and_json_to_the_same_model() {
    let toml = Topology::load(examples_dir().join("example.toml")).unwrap();
    let json = Topology::load(examples_dir().join("example.json")).unwrap();
    assert_eq!(toml, json);
    assert_eq!(toml.enis.len(), 3);
    assert_eq!(toml.flow_logs.len(), 3);
    // The enrichment files it names exist beside it.
    let e = &toml.enrichment;
    for path in e.cidr_blocks.iter().chain(&e.threat_intel).chain(&e.geo) {
        assert!(path.is_file(), "{}", path.display());
    }
}

#[test]
fn the_same_topology_as_json_loads_to_the_same_model() {
    // Every corpus topology, converted to the other format, gives the same model.
    let Some(root) = corpus_dir() else { return };
    let mut compared = 0;
    for entry in std::fs::read_dir(root.join("vpc")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = || std::fs::read_to_string(&path).unwrap();
        if name.ends_with(".toml") {
            let text = text();
            let value: serde_json::Value = toml::from_str(&text).unwrap();
            let as_json = serde_json::to_string(&value).unwrap();
            assert_eq!(
                Topology::from_toml_str(&text).unwrap(),
                Topology::from_json_str(&as_json).unwrap(),
                "{name}"
            );
            compared += 1;
        } else if name.ends_with(".json") && !name.ends_with(".expected.json") {
            let text = text();
            let value: toml::Value = serde_json::from_str(&text).unwrap();
            let as_toml = toml::to_string(&value).unwrap();
            assert_eq!(
                Topology::from_json_str(&text).unwrap(),
                Topology::from_toml_str(&as_toml).unwrap(),
                "{name}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 38);
}

#[test]
fn a_topology_built_in_code_is_validated_like_a_file() {
    let mut spec = TopologySpec {
        vpc: vec![VpcSpec { id: "vpc-1".into(), cidrs: vec!["10.0.0.0/16".into()], route_table: None }],
        vswitch: vec![VswitchSpec {
            id: "vsw-a".into(),
            vpc: "vpc-1".into(),
            cidrs: vec!["10.0.1.0/24".into()],
            ..Default::default()
        }],
        eni: vec![EniSpec {
            id: "eni-1".into(),
            vswitch: "vsw-a".into(),
            ips: vec!["10.0.1.10".into()],
            ..Default::default()
        }],
        ..Default::default()
    };
    let built = Topology::from_parts(spec.clone()).unwrap();
    let text = "[[vpc]]\nid = \"vpc-1\"\ncidrs = [\"10.0.0.0/16\"]\n\
                [[vswitch]]\nid = \"vsw-a\"\nvpc = \"vpc-1\"\ncidrs = [\"10.0.1.0/24\"]\n\
                [[eni]]\nid = \"eni-1\"\nvswitch = \"vsw-a\"\nips = [\"10.0.1.10\"]\n";
    assert_eq!(built, Topology::from_toml_str(text).unwrap());

    spec.eni[0].vswitch = "vsw-x".into();
    let err = Topology::from_parts(spec).unwrap_err();
    assert_eq!(err.to_string(), "eni \"eni-1\": vswitch \"vsw-x\" is not defined (no vswitch has this id)");
}

#[test]
fn defaults_are_those_of_the_spec() {
    let t = Topology::from_toml_str(BASE).unwrap();
    assert_eq!((t.account.as_ref(), t.region.as_ref()), (None, None));
    assert_eq!(t.vpcs[0].route_table, None);
    let vsw = &t.vswitches[0];
    assert_eq!((vsw.zone.as_ref(), vsw.network_acl, vsw.route_table), (None, None, None));
    let eni = &t.enis[1];
    assert_eq!((eni.vm.as_ref(), eni.interface.as_ref(), eni.public_ip), (None, None, None));
    assert!(eni.security_groups.is_empty());
    assert_eq!(t.security_groups[0].group_type, GroupType::Basic { inner_access: Policy::Accept });
    assert!(t.security_groups[1].rules.is_empty());
    let rule = &t.security_groups[0].rules[0];
    assert_eq!(rule.priority, 1);
    let acl = &t.network_acls[0];
    assert!(acl.egress.is_empty());
    let fl = &t.flow_logs[0];
    assert_eq!(fl.traffic_type, TrafficType::All);
    assert_eq!(fl.ip_version, IpVersion::Ipv4);
    assert_eq!(fl.window, 600);
    assert_eq!(fl.paths, SamplingPaths::All);
    assert_eq!(t.conntrack, Conntrack::default());
    assert_eq!(t.conntrack.tcp, 910);
    assert_eq!(t.conntrack.capacity, 1_000_000);
    assert_eq!(t.enrichment, Enrichment::default());

    // Ports default to any; a conntrack timeout is the default of every class it does not set.
    let t = Topology::from_toml_str(
        &(base_with("ports = \"80/80\", ", "") + "[conntrack]\ntimeout = 100\nicmp = 5\n"),
    )
    .unwrap();
    assert_eq!(t.security_groups[0].rules[0].ports, Ports::Any);
    let c = t.conntrack;
    assert_eq!((c.tcp, c.udp, c.icmp, c.other, c.capacity), (100, 100, 5, 100, 1_000_000));
}

#[test]
fn no_flow_log_leaves_the_default_instance_to_the_meter() {
    let text = BASE.split("[[flow_log]]").next().unwrap();
    assert!(Topology::from_toml_str(text).unwrap().flow_logs.is_empty());
}

#[test]
fn a_cidr_with_host_bits_set_means_its_network() {
    let t = Topology::from_toml_str(
        &base_with("\"10.0.0.0/16\", \"2001:db8::/56\"", "\"10.0.77.1/16\", \"2001:db8::1/56\"")
            .replace(
                "peer = \"0.0.0.0/0\" } ]\n\n[[security_group]]",
                "peer = \"192.0.2.9/24\" } ]\n\n[[security_group]]",
            )
            .replace("destination = \"0.0.0.0/0\"", "destination = \"10.99.1.1/16\""),
    )
    .unwrap();
    assert_eq!(t.vpcs[0].cidrs, vec![net("10.0.0.0/16"), net("2001:db8::/56")]);
    assert_eq!(t.security_groups[0].rules[0].peer, Peer::Cidr(net("192.0.2.0/24")));
    assert_eq!(t.route_tables[0].routes[0].destination, net("10.99.0.0/16"));
    let example = Topology::load(examples_dir().join("example.toml")).unwrap();
    assert_eq!(example.vswitches[1].cidrs, vec![net("172.20.9.0/24")]);
}

#[test]
fn protocol_names_are_case_insensitive() {
    for name in ["TCP", "Tcp", "tcp"] {
        let t = Topology::from_toml_str(&base_with("protocol = \"tcp\"", &format!("protocol = \"{name}\"")))
            .unwrap();
        assert_eq!(t.security_groups[0].rules[0].protocol, Protocol::TCP);
    }
    let t =
        Topology::from_toml_str(&base_with("protocol = \"tcp\", ports = \"80/80\"", "protocol = \"ICMPv6\""))
            .unwrap();
    assert_eq!(t.security_groups[0].rules[0].protocol, Protocol::Number(58));
}

#[test]
fn ipv6_addresses_load_like_ipv4() {
    let t = Topology::from_toml_str(&base_with(
        "ips = [\"10.0.1.20\"]",
        "ips = [\"2001:db8:0:1::20\", \"10.0.1.20\"]\npublic_ip = \"2001:db8:ffff::1\"",
    ))
    .unwrap();
    assert_eq!(t.enis[1].ips[0], addr("2001:db8:0:1::20"));
    assert_eq!(t.enis[1].public_ip, Some(addr("2001:db8:ffff::1")));
}

#[test]
fn relative_paths_are_relative_to_the_topology() {
    let text = format!("{BASE}[enrichment]\ncidr_blocks = \"b.csv\"\ngeo = \"/abs/geo.csv\"\n");
    let t = Topology::from_toml_str(&text).unwrap();
    assert_eq!(t.enrichment.cidr_blocks, Some(PathBuf::from("b.csv")));
    let loaded = Topology::load(examples_dir().join("example.toml")).unwrap();
    assert_eq!(loaded.enrichment.geo, Some(examples_dir().join("geo.csv")));
    assert_eq!(t.enrichment.geo, Some(PathBuf::from("/abs/geo.csv")));
}

#[test]
fn load_picks_the_format_by_extension() {
    let err = Topology::load(examples_dir().join("blocks.csv")).unwrap_err();
    assert_eq!(err.kind, EntryKind::File);
    assert!(err.to_string().contains(".toml or .json"), "{err}");
    let err = Topology::load(examples_dir().join("missing.toml")).unwrap_err();
    assert!(err.to_string().contains("cannot be read"), "{err}");
}

// ---- load errors, in the order of SPEC §7.1 ----

#[test]
fn an_unknown_field_is_an_error() {
    let err = load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.20\"]\ncolour = \"red\""),
        EntryKind::Eni,
        "eni-2",
        "colour",
    );
    assert!(err.message.contains("not a known field"), "{err}");
    load_error(
        &base_with("ports = \"80/80\",", "port = \"80/80\","),
        EntryKind::SecurityGroup,
        "sg-basic",
        "rules[0].port",
    );
    let err = Topology::from_toml_str(&format!("owner = \"me\"\n{BASE}")).unwrap_err();
    assert_eq!((err.kind, err.field.as_deref()), (EntryKind::File, Some("owner")));
    let err = Topology::from_toml_str(&format!("{BASE}[conntrack]\ntimeouts = 5\n")).unwrap_err();
    assert_eq!((err.kind, err.field.as_deref()), (EntryKind::Conntrack, Some("timeouts")));
}

#[test]
fn a_missing_required_field_is_an_error() {
    load_error(&base_with("ips = [\"10.0.1.20\"]", ""), EntryKind::Eni, "eni-2", "ips");
    load_error(
        &base_with("policy = \"accept\", protocol = \"tcp\"", "protocol = \"tcp\""),
        EntryKind::SecurityGroup,
        "sg-basic",
        "rules[0].policy",
    );
    let err = Topology::from_toml_str(&base_with("id = \"eni-2\"\n", "")).unwrap_err();
    assert_eq!((err.kind, err.index, err.field.as_deref()), (EntryKind::Eni, Some(1), Some("id")));
}

#[test]
fn a_wrong_type_is_an_error() {
    load_error(
        &base_with("resource = \"vpc-1\"", "resource = \"vpc-1\"\nwindow = \"60\""),
        EntryKind::FlowLog,
        "fl-1",
        "window",
    );
}

#[test]
fn a_duplicate_id_within_its_kind_is_an_error() {
    let err = load_error(&base_with("id = \"eni-2\"", "id = \"eni-1\""), EntryKind::Eni, "eni-1", "id");
    assert!(err.message.contains("defined twice"), "{err}");
    // The same id in two kinds is no duplicate.
    Topology::from_toml_str(&base_with("id = \"acl-1\"", "id = \"vsw-a\"")).unwrap();
}

#[test]
fn a_resource_that_names_ids_of_two_kinds_is_an_error() {
    let text = base_with("id = \"eni-2\"", "id = \"vpc-1\"");
    let err = load_error(&text, EntryKind::FlowLog, "fl-1", "resource");
    assert!(err.message.contains("eni") && err.message.contains("vpc"), "{err}");
}

#[test]
fn an_undefined_reference_is_an_error() {
    // The SPEC's own example.
    let err = load_error(
        &base_with(
            "vswitch = \"vsw-a\"\nips = [\"10.0.1.20\"]",
            "vswitch = \"vsw-x\"\nips = [\"10.0.1.20\"]",
        ),
        EntryKind::Eni,
        "eni-2",
        "vswitch",
    );
    assert!(err.to_string().starts_with("eni \"eni-2\": vswitch \"vsw-x\" is not defined"), "{err}");
    load_error(&base_with("vpc = \"vpc-1\"", "vpc = \"vpc-9\""), EntryKind::Vswitch, "vsw-a", "vpc");
    load_error(
        &base_with("security_groups = [\"sg-basic\"]", "security_groups = [\"sg-nope\"]"),
        EntryKind::Eni,
        "eni-1",
        "security_groups",
    );
    load_error(
        &base_with(
            "peer = \"0.0.0.0/0\" } ]\n\n[[security_group]]",
            "peer = \"sg-nope\" } ]\n\n[[security_group]]",
        ),
        EntryKind::SecurityGroup,
        "sg-basic",
        "rules[0].peer",
    );
    load_error(
        &base_with(
            "cidrs = [\"10.0.1.0/24\", \"2001:db8:0:1::/64\"]",
            "cidrs = [\"10.0.1.0/24\"]\nnetwork_acl = \"acl-9\"",
        ),
        EntryKind::Vswitch,
        "vsw-a",
        "network_acl",
    );
    load_error(
        &base_with(
            "cidrs = [\"10.0.1.0/24\", \"2001:db8:0:1::/64\"]",
            "cidrs = [\"10.0.1.0/24\"]\nroute_table = \"rtb-9\"",
        ),
        EntryKind::Vswitch,
        "vsw-a",
        "route_table",
    );
    load_error(
        &base_with(
            "cidrs = [\"10.0.0.0/16\", \"2001:db8::/56\"]",
            "cidrs = [\"10.0.0.0/16\"]\nroute_table = \"rtb-9\"",
        ),
        EntryKind::Vpc,
        "vpc-1",
        "route_table",
    );
    load_error(
        &base_with("resource = \"vpc-1\"", "resource = \"vpc-9\""),
        EntryKind::FlowLog,
        "fl-1",
        "resource",
    );
}

#[test]
fn an_eni_address_used_twice_is_an_error() {
    let err = load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.10\"]"),
        EntryKind::Eni,
        "eni-2",
        "ips",
    );
    assert!(err.message.contains("eni-1"), "{err}");
    load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.20\", \"10.0.1.20\"]"),
        EntryKind::Eni,
        "eni-2",
        "ips",
    );
    // A public_ip is an ENI address too.
    load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.20\"]\npublic_ip = \"10.0.1.10\""),
        EntryKind::Eni,
        "eni-2",
        "public_ip",
    );
}

#[test]
fn an_ips_address_outside_its_vswitch_is_an_error() {
    let err = load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.2.20\"]"),
        EntryKind::Eni,
        "eni-2",
        "ips",
    );
    assert!(err.message.contains("outside") && err.message.contains("vsw-a"), "{err}");
    load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"2001:db8:0:2::1\"]"),
        EntryKind::Eni,
        "eni-2",
        "ips",
    );
}

#[test]
fn an_eni_without_an_address_is_an_error() {
    load_error(&base_with("ips = [\"10.0.1.20\"]", "ips = []"), EntryKind::Eni, "eni-2", "ips");
}

#[test]
fn one_interface_bound_to_two_enis_is_an_error() {
    let text = base_with("ips = [\"10.0.1.10\"]", "ips = [\"10.0.1.10\"]\ninterface = \"tap0\"")
        .replace("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.20\"]\ninterface = \"tap0\"");
    let err = load_error(&text, EntryKind::Eni, "eni-2", "interface");
    assert!(err.message.contains("eni-1"), "{err}");
}

#[test]
fn a_vswitch_cidr_outside_its_vpc_is_an_error() {
    let err = load_error(
        &base_with("\"10.0.1.0/24\", \"2001:db8:0:1::/64\"", "\"10.0.1.0/24\", \"10.1.0.0/24\""),
        EntryKind::Vswitch,
        "vsw-a",
        "cidrs",
    );
    assert!(err.message.contains("outside") && err.message.contains("vpc-1"), "{err}");
    // A vSwitch CIDR wider than the VPC's is outside it too.
    load_error(
        &base_with("\"10.0.1.0/24\", \"2001:db8:0:1::/64\"", "\"10.0.0.0/8\""),
        EntryKind::Vswitch,
        "vsw-a",
        "cidrs",
    );
}

#[test]
fn basic_and_enterprise_groups_on_one_eni_is_an_error() {
    let err = load_error(
        &base_with("security_groups = [\"sg-basic\"]", "security_groups = [\"sg-basic\", \"sg-ent\"]"),
        EntryKind::Eni,
        "eni-1",
        "security_groups",
    );
    assert!(err.message.contains("basic and enterprise"), "{err}");
}

#[test]
fn more_than_10_groups_on_an_eni_is_an_error() {
    let mut groups = String::new();
    let mut list = Vec::new();
    for i in 0..11 {
        groups.push_str(&format!("[[security_group]]\nid = \"sg-{i}\"\n"));
        list.push(format!("\"sg-{i}\""));
    }
    let ten = format!("security_groups = [{}]", list[..10].join(", "));
    Topology::from_toml_str(&(base_with("security_groups = [\"sg-basic\"]", &ten) + &groups)).unwrap();
    let eleven = format!("security_groups = [{}]", list.join(", "));
    let err = load_error(
        &(base_with("security_groups = [\"sg-basic\"]", &eleven) + &groups),
        EntryKind::Eni,
        "eni-1",
        "security_groups",
    );
    assert!(err.message.contains("more than 10"), "{err}");
}

#[test]
fn inner_access_on_an_enterprise_group_is_an_error() {
    load_error(
        &base_with("type = \"enterprise\"", "type = \"enterprise\"\ninner_access = \"drop\""),
        EntryKind::SecurityGroup,
        "sg-ent",
        "inner_access",
    );
}

#[test]
fn ports_with_a_protocol_other_than_tcp_or_udp_is_an_error() {
    load_error(
        &base_with("protocol = \"tcp\", ports = \"80/80\"", "protocol = \"icmp\", ports = \"80/80\""),
        EntryKind::SecurityGroup,
        "sg-basic",
        "rules[0].ports",
    );
    load_error(
        &base_with(
            "policy = \"accept\", protocol = \"tcp\", ports = \"80/80\", peer = \"0.0.0.0/0\" } ]\n\n[[route_table]]",
            "policy = \"accept\", protocol = \"all\", ports = \"1/2\", peer = \"0.0.0.0/0\" } ]\n\n[[route_table]]",
        ),
        EntryKind::NetworkAcl,
        "acl-1",
        "ingress[0].ports",
    );
    // "-1/-1" is any port, for every protocol; UDP and protocol numbers 6 and 17 take ranges.
    for (protocol, ports) in [("\"icmp\"", "-1/-1"), ("\"udp\"", "53/53"), ("17", "1/2"), ("6", "1/2")] {
        Topology::from_toml_str(&base_with(
            "protocol = \"tcp\", ports = \"80/80\"",
            &format!("protocol = {protocol}, ports = \"{ports}\""),
        ))
        .unwrap();
    }
}

#[test]
fn a_priority_outside_1_to_100_is_an_error() {
    for bad in ["0", "101", "-1"] {
        load_error(
            &base_with(
                "policy = \"accept\", protocol",
                &format!("policy = \"accept\", priority = {bad}, protocol"),
            ),
            EntryKind::SecurityGroup,
            "sg-basic",
            "rules[0].priority",
        );
    }
    for good in ["1", "100"] {
        Topology::from_toml_str(&base_with(
            "policy = \"accept\", protocol",
            &format!("policy = \"accept\", priority = {good}, protocol"),
        ))
        .unwrap();
    }
}

#[test]
fn a_flow_log_window_other_than_60_300_or_600_is_an_error() {
    for bad in ["1", "120", "0", "-60", "3600"] {
        load_error(
            &base_with("resource = \"vpc-1\"", &format!("resource = \"vpc-1\"\nwindow = {bad}")),
            EntryKind::FlowLog,
            "fl-1",
            "window",
        );
    }
    for good in [60, 300, 600] {
        let t = Topology::from_toml_str(&base_with(
            "resource = \"vpc-1\"",
            &format!("resource = \"vpc-1\"\nwindow = {good}"),
        ))
        .unwrap();
        assert_eq!(t.flow_logs[0].window, good);
    }
}

#[test]
fn a_bad_cidr_or_address_is_an_error() {
    for bad in ["\"10.0.0.0\"", "\"10.0.0.0/33\"", "\"vpc\"", "\"2001:db8::/129\""] {
        load_error(
            &base_with("cidrs = [\"10.0.0.0/16\", \"2001:db8::/56\"]", &format!("cidrs = [{bad}]")),
            EntryKind::Vpc,
            "vpc-1",
            "cidrs",
        );
    }
    load_error(&base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.256\"]"), EntryKind::Eni, "eni-2", "ips");
    load_error(
        &base_with("ips = [\"10.0.1.20\"]", "ips = [\"10.0.1.20\"]\npublic_ip = \"203.0.113.0/24\""),
        EntryKind::Eni,
        "eni-2",
        "public_ip",
    );
    load_error(
        &base_with("destination = \"0.0.0.0/0\"", "destination = \"default\""),
        EntryKind::RouteTable,
        "rtb-1",
        "routes[0].destination",
    );
    load_error(
        &base_with("cidrs = [\"10.0.0.0/16\", \"2001:db8::/56\"]", "cidrs = []"),
        EntryKind::Vpc,
        "vpc-1",
        "cidrs",
    );
}

#[test]
fn bad_ports_are_an_error() {
    for bad in ["81/80", "0/65536", "-1/80", "80", "a/b", "80/80/80", ""] {
        load_error(
            &base_with("ports = \"80/80\"", &format!("ports = \"{bad}\"")),
            EntryKind::SecurityGroup,
            "sg-basic",
            "rules[0].ports",
        );
    }
    let t = Topology::from_toml_str(&base_with("ports = \"80/80\"", "ports = \"1024/65535\"")).unwrap();
    assert_eq!(t.security_groups[0].rules[0].ports, Ports::Range { first: 1024, last: 65535 });
}

#[test]
fn an_unknown_protocol_is_an_error() {
    for bad in ["\"sctp\"", "256", "-1", "\"\""] {
        load_error(
            &base_with("protocol = \"tcp\", ports = \"80/80\"", &format!("protocol = {bad}")),
            EntryKind::SecurityGroup,
            "sg-basic",
            "rules[0].protocol",
        );
    }
}

#[test]
fn any_other_bad_value_is_an_error() {
    let cases: [(&str, &str, EntryKind, &str, &str); 10] = [
        ("direction = \"in\"", "direction = \"ingress\"", EntryKind::SecurityGroup, "sg-basic", "rules[0].direction"),
        ("policy = \"accept\", protocol = \"tcp\", ports = \"80/80\", peer = \"0.0.0.0/0\" } ]\n\n[[security_group]]", "policy = \"allow\", protocol = \"tcp\", ports = \"80/80\", peer = \"0.0.0.0/0\" } ]\n\n[[security_group]]", EntryKind::SecurityGroup, "sg-basic", "rules[0].policy"),
        ("type = \"enterprise\"", "type = \"premium\"", EntryKind::SecurityGroup, "sg-ent", "type"),
        ("id = \"sg-basic\"\n", "id = \"sg-basic\"\ninner_access = \"yes\"\n", EntryKind::SecurityGroup, "sg-basic", "inner_access"),
        ("next_hop = \"nat_gateway\"", "next_hop = \"internet\"", EntryKind::RouteTable, "rtb-1", "routes[0].next_hop"),
        ("resource = \"vpc-1\"", "resource = \"vpc-1\"\ntraffic_type = \"reject\"", EntryKind::FlowLog, "fl-1", "traffic_type"),
        ("resource = \"vpc-1\"", "resource = \"vpc-1\"\nip_version = \"ipv6\"", EntryKind::FlowLog, "fl-1", "ip_version"),
        ("resource = \"vpc-1\"", "resource = \"vpc-1\"\npaths = [\"internet\"]", EntryKind::FlowLog, "fl-1", "paths"),
        ("resource = \"vpc-1\"", "resource = \"vpc-1\"\npaths = []", EntryKind::FlowLog, "fl-1", "paths"),
        ("security_groups = [\"sg-basic\"]", "security_groups = [\"sg-basic\", \"sg-basic\"]", EntryKind::Eni, "eni-1", "security_groups"),
    ];
    for (from, to, kind, id, field) in cases {
        load_error(&base_with(from, to), kind, id, field);
    }
    for (table, field) in [("timeout = 0", "timeout"), ("udp = -5", "udp"), ("capacity = 0", "capacity")] {
        let err = Topology::from_toml_str(&format!("{BASE}[conntrack]\n{table}\n")).unwrap_err();
        assert_eq!((err.kind, err.field.as_deref()), (EntryKind::Conntrack, Some(field)), "{err}");
    }
    let err = Topology::from_toml_str(&format!("{BASE}[enrichment]\ngeo = \"\"\n")).unwrap_err();
    assert_eq!((err.kind, err.field.as_deref()), (EntryKind::Enrichment, Some("geo")), "{err}");
}

#[test]
fn a_syntax_error_is_an_error() {
    let err = Topology::from_toml_str("[[vpc]\nid = ").unwrap_err();
    assert_eq!(err.kind, EntryKind::File);
    assert!(err.to_string().contains("TOML"), "{err}");
    let err = Topology::from_json_str("{\"vpc\": [").unwrap_err();
    assert!(err.to_string().contains("JSON"), "{err}");
}

#[test]
fn sampling_paths_name_traffic_paths() {
    let t = Topology::load(examples_dir().join("example.toml")).unwrap();
    assert_eq!(
        t.flow_logs[2].paths,
        SamplingPaths::Only(vec![
            SamplingPath::Vpc,
            SamplingPath::NextHop(NextHop::VpnGateway),
            SamplingPath::Other
        ])
    );
    for hop in NextHop::ALL {
        assert_eq!(NextHop::from_name(hop.as_str()), Some(hop));
    }
    assert_eq!(NextHop::Ipv6Gateway.traffic_path(), 14);
    // `all` takes every path, and the other names must still be known.
    let all = base_with("resource = \"vpc-1\"", "resource = \"vpc-1\"\npaths = [\"vpc\", \"all\"]");
    assert_eq!(Topology::from_toml_str(&all).unwrap().flow_logs[0].paths, SamplingPaths::All);
    let text = base_with("resource = \"vpc-1\"", "resource = \"vpc-1\"\npaths = [\"all\", \"internet\"]");
    load_error(&text, EntryKind::FlowLog, "fl-1", "paths");
}

#[test]
fn deeply_nested_input_is_an_error_not_a_crash() {
    let n = 50_000;
    let keys = vec!["x"; n].join(".");
    let texts = [
        format!("{keys} = 1"),
        format!("[[{keys}]]\n"),
        format!("x = {}{}", "[".repeat(n), "]".repeat(n)),
        format!("x = {}1{}", "{ y = ".repeat(n), " }".repeat(n)),
    ];
    for text in &texts {
        assert!(Topology::from_toml_str(text).is_err());
    }
    let json = format!("{{\"x\": {}{}}}", "[".repeat(n), "]".repeat(n));
    assert!(Topology::from_json_str(&json).is_err());
}

fn example_text() -> String {
    std::fs::read_to_string(examples_dir().join("example.toml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Topology::from_toml_str(&text);
        let _ = Topology::from_json_str(&text);
    }

    #[test]
    fn mutations_of_the_example_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..8),
    ) {
        let mut text: Vec<char> = example_text().chars().collect();
        for (at, op, c) in edits {
            let i = at.index(text.len() + 1);
            match op {
                0 if i < text.len() => { text.remove(i); }
                1 => text.insert(i, c),
                _ if i < text.len() => text[i] = c,
                _ => {}
            }
        }
        let text: String = text.into_iter().collect();
        let _ = Topology::from_toml_str(&text);
    }

    #[test]
    fn dropped_or_repeated_lines_of_the_example_never_panic(
        drops in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        repeats in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let text = example_text();
        let mut lines: Vec<&str> = text.lines().collect();
        for at in repeats {
            let i = at.index(lines.len());
            lines.insert(i, lines[i]);
        }
        for at in drops {
            if !lines.is_empty() {
                lines.remove(at.index(lines.len()));
            }
        }
        let _ = Topology::from_toml_str(&lines.join("\n"));
    }
}
