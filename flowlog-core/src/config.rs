//! Meter configuration: every option of SPEC §2–§4, validated once at construction.

use core::fmt;

/// Which IP header keys a tunnelled packet (SPEC §2, "Tunnels").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decap {
    /// Decapsulate every known tunnel; key on the innermost usable IP header (default).
    #[default]
    All,
    /// Key on the outermost IP header.
    None,
}

impl Decap {
    /// The option value as the CLI and bindings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Decap::All => "all",
            Decap::None => "none",
        }
    }

    /// Parse `all` or `none`.
    pub fn from_name(s: &str) -> Option<Decap> {
        match s {
            "all" => Some(Decap::All),
            "none" => Some(Decap::None),
            _ => None,
        }
    }
}

/// How a packet's bytes are counted (SPEC §2, "Bytes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accounting {
    /// The keyed IP packet's length field (default).
    #[default]
    Ip,
    /// The frame's original wire length.
    L2,
}

impl Accounting {
    /// The option value as the CLI and bindings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Accounting::Ip => "ip",
            Accounting::L2 => "l2",
        }
    }

    /// The bytes a packet counts: the IP length (as the parser read it, `ip_bytes`) or the
    /// frame's wire length. Decided here, once, for the meter and [`crate::parse::dissect`]: the
    /// parser itself only reads headers.
    #[inline(always)]
    pub fn bytes(self, ip_bytes: u64, wire_len: u32) -> u64 {
        match self {
            Accounting::Ip => ip_bytes,
            Accounting::L2 => u64::from(wire_len),
        }
    }

    /// Parse `ip` or `l2`.
    pub fn from_name(s: &str) -> Option<Accounting> {
        match s {
            "ip" => Some(Accounting::Ip),
            "l2" => Some(Accounting::L2),
            _ => None,
        }
    }
}

/// A short, fixed-capacity list of UDP ports (tunnel port lists). `Copy`, no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortList {
    ports: [u16; PortList::CAPACITY],
    len: u8,
}

impl PortList {
    /// The most ports one list holds.
    pub const CAPACITY: usize = 8;

    /// An empty list (the tunnel is never recognised).
    pub const EMPTY: PortList = PortList { ports: [0; PortList::CAPACITY], len: 0 };

    /// A list of the given ports; `None` when there are more than [`PortList::CAPACITY`].
    pub const fn new(ports: &[u16]) -> Option<PortList> {
        if ports.len() > PortList::CAPACITY {
            return None;
        }
        let mut list = PortList::EMPTY;
        let mut i = 0;
        while i < ports.len() {
            list.ports[i] = ports[i];
            i += 1;
        }
        list.len = ports.len() as u8;
        Some(list)
    }

    /// Whether `port` is in the list.
    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        self.as_slice().contains(&port)
    }

    /// The ports, in the order given.
    pub fn as_slice(&self) -> &[u16] {
        &self.ports[..self.len as usize]
    }
}

/// UDP ports that mark a tunnel, by destination port (Teredo: either port). SPEC §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelPorts {
    /// VXLAN (default 4789, 8472).
    pub vxlan: PortList,
    /// Geneve (default 6081).
    pub geneve: PortList,
    /// GTP-U (default 2152).
    pub gtp_u: PortList,
    /// Teredo, source or destination (default 3544).
    pub teredo: PortList,
    /// MPLS over UDP (default 6635).
    pub mpls_udp: PortList,
    /// GRE over UDP (default 4754).
    pub gre_udp: PortList,
}

impl Default for TunnelPorts {
    fn default() -> Self {
        // unwrap-free: every list below is shorter than PortList::CAPACITY.
        const fn one(p: u16) -> PortList {
            let mut l = PortList::EMPTY;
            l.ports[0] = p;
            l.len = 1;
            l
        }
        let mut vxlan = one(4789);
        vxlan.ports[1] = 8472;
        vxlan.len = 2;
        TunnelPorts {
            vxlan,
            geneve: one(6081),
            gtp_u: one(2152),
            teredo: one(3544),
            mpls_udp: one(6635),
            gre_udp: one(4754),
        }
    }
}

/// Everything a [`crate::Meter`] needs, validated by [`Config::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Capture window in seconds (SPEC §4); the cloud values are 60, 300 and 600. Default 600.
    pub window_secs: u64,
    /// Session-table capacity in flows (SPEC §3); all memory is reserved at construction. Default 65 536.
    pub max_flows: u32,
    /// Capacity of the first-fragment table (SPEC §2, "Fragments"). Default 4 096.
    pub max_fragments: u32,
    /// Tunnel handling. Default [`Decap::All`].
    pub decap: Decap,
    /// Byte accounting. Default [`Accounting::Ip`].
    pub accounting: Accounting,
    /// Write ICMP type × 256 + code into the destination port, as NetFlow does. Default off.
    pub icmp_in_ports: bool,
    /// Add the innermost VLAN id to the flow key. Default off.
    pub key_vlan: bool,
    /// Add the innermost tunnel id (VNI, GRE key, TEID) to the flow key. Default off.
    pub key_tunnel: bool,
    /// UDP tunnel ports.
    pub tunnel_ports: TunnelPorts,
    /// Seed of the session table's hash; `None` draws a random one per meter (hash-flooding resistance).
    /// Output never depends on it.
    pub hash_seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            window_secs: 600,
            max_flows: 65_536,
            max_fragments: 4_096,
            decap: Decap::All,
            accounting: Accounting::Ip,
            icmp_in_ports: false,
            key_vlan: false,
            key_tunnel: false,
            tunnel_ports: TunnelPorts::default(),
            hash_seed: None,
        }
    }
}

/// The largest table a meter accepts: 2^28 flows (about 25 GB of table).
pub const MAX_FLOWS_LIMIT: u32 = 1 << 28;
/// The largest window: 100 years, so that window arithmetic in nanoseconds never overflows.
pub const MAX_WINDOW_SECS: u64 = 100 * 366 * 86_400;

impl Config {
    /// Check every field; the error names the first bad one.
    ///
    /// # Errors
    /// [`ConfigError`] with the field and the problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.window_secs == 0 || self.window_secs > MAX_WINDOW_SECS {
            return Err(ConfigError::new(
                ConfigField::WindowSecs,
                "must be between 1 and 3162240000 seconds",
            ));
        }
        if self.max_flows == 0 || self.max_flows > MAX_FLOWS_LIMIT {
            return Err(ConfigError::new(ConfigField::MaxFlows, "must be between 1 and 268435456"));
        }
        if self.max_fragments == 0 || self.max_fragments > MAX_FLOWS_LIMIT {
            return Err(ConfigError::new(ConfigField::MaxFragments, "must be between 1 and 268435456"));
        }
        Ok(())
    }
}

/// A configuration field, named as every binding spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigField {
    /// `window_secs`
    WindowSecs,
    /// `max_flows`
    MaxFlows,
    /// `max_fragments`
    MaxFragments,
    /// `decap`
    Decap,
    /// `accounting`
    Accounting,
    /// `tunnel_ports`
    TunnelPorts,
    /// `format`
    Format,
    /// `fields` (custom AWS field list)
    Fields,
}

impl ConfigField {
    /// The field's name in snake case.
    pub fn name(self) -> &'static str {
        match self {
            ConfigField::WindowSecs => "window_secs",
            ConfigField::MaxFlows => "max_flows",
            ConfigField::MaxFragments => "max_fragments",
            ConfigField::Decap => "decap",
            ConfigField::Accounting => "accounting",
            ConfigField::TunnelPorts => "tunnel_ports",
            ConfigField::Format => "format",
            ConfigField::Fields => "fields",
        }
    }
}

/// A rejected configuration: which field, and what is wrong with it. `Copy`, no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    /// The bad field.
    pub field: ConfigField,
    /// What is wrong, in a few words.
    pub problem: &'static str,
}

impl ConfigError {
    /// A new error for `field`.
    pub const fn new(field: ConfigField, problem: &'static str) -> ConfigError {
        ConfigError { field, problem }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config field '{}': {}", self.field.name(), self.problem)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_uses_cloud_defaults() {
        let c = Config::default();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.window_secs, 600);
        assert_eq!(c.decap, Decap::All);
        assert!(c.tunnel_ports.vxlan.contains(4789) && c.tunnel_ports.vxlan.contains(8472));
    }

    #[test]
    fn zero_window_is_rejected_naming_the_field() {
        let c = Config { window_secs: 0, ..Config::default() };
        let e = c.validate().unwrap_err();
        assert_eq!(e.field, ConfigField::WindowSecs);
        assert!(e.to_string().starts_with("config field 'window_secs':"));
    }

    #[test]
    fn zero_or_huge_capacity_is_rejected() {
        for n in [0, MAX_FLOWS_LIMIT + 1] {
            let e = Config { max_flows: n, ..Config::default() }.validate().unwrap_err();
            assert_eq!(e.field, ConfigField::MaxFlows);
        }
    }

    #[test]
    fn port_list_holds_at_most_its_capacity() {
        assert!(PortList::new(&[1; PortList::CAPACITY]).is_some());
        assert!(PortList::new(&[1; PortList::CAPACITY + 1]).is_none());
    }
}
