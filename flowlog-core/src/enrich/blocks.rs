//! `cidr_blocks`: a CSV of `cidr,label`, giving `srctype`/`dsttype`.

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;

use super::ranges::{RangeMap, RangeMapBuilder};
use super::text::{csv_rows, parse_net, read};
use super::EnrichError;

/// Labelled CIDR blocks; an address takes the label of the longest prefix containing it.
#[derive(Debug, Clone, Default)]
pub struct CidrBlocks {
    map: RangeMap<Box<str>>,
}

impl CidrBlocks {
    /// Loads a `cidr,label` CSV file.
    pub fn load(path: &Path) -> Result<Self, EnrichError> {
        Self::parse(&path.display().to_string(), &read(path)?)
    }

    /// Parses `cidr,label` CSV text; `file` names it in errors.
    pub fn parse(file: &str, text: &[u8]) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for row in csv_rows(file, text) {
            let (line, fields) = row?;
            let bad = |what: String| EnrichError::at_line(file, line, what);
            let [cidr, label] = fields[..] else {
                return Err(bad(format!("expected `cidr,label`, found {} fields", fields.len())));
            };
            let net = parse_net(cidr).map_err(bad)?;
            if label.is_empty() {
                return Err(bad("empty label".into()));
            }
            map.push_net(net, label.into()).map_err(|e| bad(e.as_str().into()))?;
        }
        Ok(CidrBlocks { map: map.build() })
    }

    /// Builds from in-memory entries in file order (host bits are cleared).
    pub fn from_entries<L: Into<Box<str>>>(
        entries: impl IntoIterator<Item = (IpNet, L)>,
    ) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for (net, label) in entries {
            map.push_net(net.trunc(), label.into())
                .map_err(|e| EnrichError::in_file("<memory>", e.as_str()))?;
        }
        Ok(CidrBlocks { map: map.build() })
    }

    /// The label of the longest prefix containing `addr` (the first of equal prefixes).
    pub fn lookup(&self, addr: IpAddr) -> Option<&str> {
        self.map.get(addr).map(|label| &**label)
    }

    /// The number of blocks loaded.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no block was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
