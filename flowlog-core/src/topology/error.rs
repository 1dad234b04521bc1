//! The load error: which entry, which field, what is wrong.

use core::fmt;

/// The kind of entry an error is about: the table's name in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The file as a whole (reading, syntax, top-level fields).
    File,
    /// `[[vpc]]`.
    Vpc,
    /// `[[vswitch]]`.
    Vswitch,
    /// `[[eni]]`.
    Eni,
    /// `[[security_group]]`.
    SecurityGroup,
    /// `[[network_acl]]`.
    NetworkAcl,
    /// `[[route_table]]`.
    RouteTable,
    /// `[[flow_log]]`.
    FlowLog,
    /// `[conntrack]`.
    Conntrack,
    /// `[enrichment]`.
    Enrichment,
}

impl EntryKind {
    /// The table's name in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::File => "topology",
            EntryKind::Vpc => "vpc",
            EntryKind::Vswitch => "vswitch",
            EntryKind::Eni => "eni",
            EntryKind::SecurityGroup => "security_group",
            EntryKind::NetworkAcl => "network_acl",
            EntryKind::RouteTable => "route_table",
            EntryKind::FlowLog => "flow_log",
            EntryKind::Conntrack => "conntrack",
            EntryKind::Enrichment => "enrichment",
        }
    }

    /// The kind whose table is named `name`.
    pub fn from_table(name: &str) -> Option<EntryKind> {
        Some(match name {
            "vpc" => EntryKind::Vpc,
            "vswitch" => EntryKind::Vswitch,
            "eni" => EntryKind::Eni,
            "security_group" => EntryKind::SecurityGroup,
            "network_acl" => EntryKind::NetworkAcl,
            "route_table" => EntryKind::RouteTable,
            "flow_log" => EntryKind::FlowLog,
            "conntrack" => EntryKind::Conntrack,
            "enrichment" => EntryKind::Enrichment,
            _ => return None,
        })
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a topology did not load. Displayed as `eni "eni-3": vswitch "vsw-x" is not defined`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyError {
    /// The kind of entry.
    pub kind: EntryKind,
    /// The entry's id, when it has one.
    pub id: Option<String>,
    /// The entry's position in its list, when it has no usable id.
    pub index: Option<usize>,
    /// The field, as written in the file (`ips`, `rules[2].ports`), when one is to blame.
    pub field: Option<String>,
    /// What is wrong, after the field's name.
    pub message: String,
}

impl TopologyError {
    /// An error about the file as a whole.
    pub(crate) fn file(message: impl Into<String>) -> Self {
        TopologyError { kind: EntryKind::File, id: None, index: None, field: None, message: message.into() }
    }
}

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.id, self.index) {
            (Some(id), _) => write!(f, "{} {id:?}: ", self.kind)?,
            (None, Some(index)) => write!(f, "{}[{index}]: ", self.kind)?,
            (None, None) => write!(f, "{}: ", self.kind)?,
        }
        if let Some(field) = &self.field {
            write!(f, "{field} ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for TopologyError {}
