//! The VPC topology (SPEC §7.1): the VPCs, vSwitches, ENIs, security groups, network ACLs, route
//! tables, flow-log instances, connection-tracking settings and enrichment files that turn
//! packets into the records a cloud would deliver.
//!
//! - [`mod@file`]: the serde schema, shared by TOML and JSON ([`TopologySpec`], plain data as written).
//! - [`validate`](mod@validate): the one pass that checks a spec whole and resolves its ids.
//! - [`model`]: the validated [`Topology`], ids resolved to indices, ready for lookups.
//! - [`plan`]: what it means for metering: the instances in force, what each covers, each ENI's
//!   window, and the rules in evaluation order.
//! - [`error`]: [`TopologyError`], naming the entry and the field
//!   (`eni "eni-3": vswitch "vsw-x" is not defined ...`).
//!
//! A file goes text → generic value → [`TopologySpec`] → [`Topology`]. The generic value lets a
//! schema error (an unknown field, a wrong type) name the entry by its id, as validation errors do.
//! Loading reads nothing but the topology itself: enrichment files are kept as paths.

pub mod error;
pub mod file;
pub mod model;
pub mod plan;
pub mod validate;

use std::path::Path;

pub use error::{EntryKind, TopologyError};
pub use file::TopologySpec;
pub use model::*;
pub use plan::{Instance, OrderedRule, DEFAULT_INSTANCE};

use serde_path_to_error::Segment;

/// The Rust example of `docs/topology.md`, compiled with the doctests so that it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/topology.md")]
pub struct TopologyDocDoctests;

impl Topology {
    /// Load and validate a TOML topology. Relative enrichment paths are kept as written.
    pub fn from_toml_str(text: &str) -> Result<Topology, TopologyError> {
        let value: serde_json::Value =
            toml::from_str(text).map_err(|e| TopologyError::file(format!("is not valid TOML: {e}")))?;
        Self::from_value(&value, None)
    }

    /// Load and validate a JSON topology. Relative enrichment paths are kept as written.
    pub fn from_json_str(text: &str) -> Result<Topology, TopologyError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| TopologyError::file(format!("is not valid JSON: {e}")))?;
        Self::from_value(&value, None)
    }

    /// Load and validate a topology file, TOML or JSON by its extension (`.toml`, `.json`).
    /// Relative enrichment paths are resolved against the file's folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Topology, TopologyError> {
        let path = path.as_ref();
        let shown = path.display();
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let is_toml = match extension.as_deref() {
            Some("toml") => true,
            Some("json") => false,
            _ => return Err(TopologyError::file(format!("{shown}: the extension must be .toml or .json"))),
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| TopologyError::file(format!("{shown}: cannot be read: {e}")))?;
        let value: serde_json::Value = if is_toml {
            toml::from_str(&text)
                .map_err(|e| TopologyError::file(format!("{shown} is not valid TOML: {e}")))?
        } else {
            serde_json::from_str(&text)
                .map_err(|e| TopologyError::file(format!("{shown} is not valid JSON: {e}")))?
        };
        Self::from_value(&value, path.parent())
    }

    /// Validate a topology built in code, e.g. from a collector's own inventory. Relative
    /// enrichment paths are kept as written.
    pub fn from_parts(spec: TopologySpec) -> Result<Topology, TopologyError> {
        validate::validate(&spec, None)
    }

    fn from_value(value: &serde_json::Value, base: Option<&Path>) -> Result<Topology, TopologyError> {
        let spec: TopologySpec =
            serde_path_to_error::deserialize(value).map_err(|e| schema_error(value, e))?;
        validate::validate(&spec, base)
    }
}

/// A schema error, located by its path (`eni[2].ips[0]`) and named by the entry's id.
fn schema_error(
    value: &serde_json::Value,
    error: serde_path_to_error::Error<serde_json::Error>,
) -> TopologyError {
    let message = error.inner().to_string();
    let segments: Vec<&Segment> = error.path().iter().collect();
    let table = match segments.first() {
        Some(Segment::Map { key }) => EntryKind::from_table(key).map(|kind| (kind, key.as_str())),
        _ => None,
    };
    let Some((kind, table)) = table else {
        let path = error.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let (field, message) = plain_serde_message(path, message);
        return TopologyError { field: (!field.is_empty()).then_some(field), ..TopologyError::file(message) };
    };
    let (index, rest) = match segments.get(1) {
        Some(Segment::Seq { index }) => (Some(*index), &segments[2..]),
        _ => (None, &segments[1..]),
    };
    let id = index
        .and_then(|i| value.get(table)?.get(i)?.get("id")?.as_str())
        .filter(|id| !id.is_empty())
        .map(str::to_owned);
    let mut field = String::new();
    for segment in rest {
        match segment {
            Segment::Seq { index } => field.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(key);
            }
            Segment::Enum { variant } => {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(variant);
            }
            Segment::Unknown => field.push_str(".?"),
        }
    }
    let (field, message) = plain_serde_message(field, message);
    TopologyError {
        kind,
        index: if id.is_none() { index } else { None },
        id,
        field: (!field.is_empty()).then_some(field),
        message,
    }
}

/// serde names the field in its unknown- and missing-field messages; say it once, as the field.
fn plain_serde_message(mut field: String, message: String) -> (String, String) {
    let quoted = |rest: &str| -> Option<(String, String)> {
        let (name, after) = rest.strip_prefix('`')?.split_once('`')?;
        Some((name.to_owned(), after.trim_start_matches(", ").to_owned()))
    };
    if let Some((name, expected)) = message.strip_prefix("unknown field ").and_then(quoted) {
        if !field.ends_with(&name) {
            field = join_field(field, &name);
        }
        return (field, format!("is not a known field ({expected})"));
    }
    if let Some((name, _)) = message.strip_prefix("missing field ").and_then(quoted) {
        return (join_field(field, &name), "is missing".to_owned());
    }
    (field, message)
}

fn join_field(field: String, name: &str) -> String {
    if field.is_empty() {
        name.to_owned()
    } else {
        format!("{field}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [[vpc]]
        id = "vpc-1"
        cidrs = ["10.0.0.0/16"]
        [[vswitch]]
        id = "vsw-a"
        vpc = "vpc-1"
        cidrs = ["10.0.1.0/24"]
        [[eni]]
        id = "eni-1"
        vswitch = "vsw-a"
        ips = ["10.0.1.10"]
    "#;

    #[test]
    fn schema_errors_name_the_entry_by_its_id() {
        let text = MINIMAL.replace("ips = [", "colour = 1\nips = [");
        let err = Topology::from_toml_str(&text).unwrap_err();
        assert_eq!(err.kind, EntryKind::Eni);
        assert_eq!(err.id.as_deref(), Some("eni-1"));
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn type_errors_name_the_field() {
        let text = MINIMAL.replace("ips = [\"10.0.1.10\"]", "ips = \"10.0.1.10\"");
        let err = Topology::from_toml_str(&text).unwrap_err();
        assert_eq!(err.id.as_deref(), Some("eni-1"));
        assert_eq!(err.field.as_deref(), Some("ips"), "{err}");
    }

    #[test]
    fn an_entry_without_id_is_named_by_its_position() {
        let text = MINIMAL.replace("id = \"eni-1\"\n", "");
        let err = Topology::from_toml_str(&text).unwrap_err();
        assert_eq!((err.kind, err.index), (EntryKind::Eni, Some(0)), "{err}");
        assert!(err.to_string().starts_with("eni[0]: "), "{err}");
    }

    #[test]
    fn route_table_of_falls_back_to_the_vpc() {
        let text = MINIMAL
            .replace("cidrs = [\"10.0.0.0/16\"]", "cidrs = [\"10.0.0.0/16\"]\nroute_table = \"rtb-1\"")
            + "[[route_table]]\nid = \"rtb-1\"\n";
        let topology = Topology::from_toml_str(&text).unwrap();
        assert_eq!(topology.route_table_of(0), Some(0));
        assert_eq!(topology.route_table_of(1), None);
    }
}
