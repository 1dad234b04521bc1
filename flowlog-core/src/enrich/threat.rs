//! `threat_intel`: address lists in Spamhaus DROP and FireHOL netset syntax, giving
//! `src-threat`/`dst-threat`.

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;

use super::ranges::{RangeMap, RangeMapBuilder};
use super::text::{lines, parse_net, read};
use super::EnrichError;

/// The label of an entry written without one.
pub const UNLABELLED: &str = "listed";

/// Threat lists, merged in list order; an address takes the label of the longest matching entry.
#[derive(Debug, Clone, Default)]
pub struct ThreatIntel {
    /// `None` for an entry without a label (reported as [`UNLABELLED`]).
    map: RangeMap<Option<Box<str>>>,
}

impl ThreatIntel {
    /// Loads the files in list order (an equal prefix in a later file loses to the earlier one).
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for path in paths {
            let path = path.as_ref();
            parse_into(&mut map, &path.display().to_string(), &read(path)?)?;
        }
        Ok(ThreatIntel { map: map.build() })
    }

    /// Parses in-memory lists `(name, text)` in list order; each name is used in errors.
    pub fn parse<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for (file, text) in files {
            parse_into(&mut map, file, text)?;
        }
        Ok(ThreatIntel { map: map.build() })
    }

    /// Builds from in-memory entries in list order (host bits are cleared; `None`: no label).
    pub fn from_entries<L: Into<Box<str>>>(
        entries: impl IntoIterator<Item = (IpNet, Option<L>)>,
    ) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for (net, label) in entries {
            map.push_net(net.trunc(), label.map(Into::into))
                .map_err(|e| EnrichError::in_file("<memory>", e.as_str()))?;
        }
        Ok(ThreatIntel { map: map.build() })
    }

    /// The label of the longest entry containing `addr` ([`UNLABELLED`] when it has none).
    pub fn lookup(&self, addr: IpAddr) -> Option<&str> {
        self.map.get(addr).map(|label| label.as_deref().unwrap_or(UNLABELLED))
    }

    /// The number of entries loaded, over all lists.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no entry was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One line's entry: `None` for a blank or comment line.
///
/// `ADDR[/LEN] [;] [LABEL] [anything]`: `#` anywhere and `;` at the start of a line open a comment;
/// the label is the next word after the address and an optional `;`; the rest is a comment.
fn parse_line(text: &str) -> Result<Option<(IpNet, Option<&str>)>, String> {
    let text = text.split('#').next().unwrap_or_default().trim();
    if text.is_empty() || text.starts_with(';') {
        return Ok(None);
    }
    let end = text.find(|c: char| c.is_whitespace() || c == ';').unwrap_or(text.len());
    let (address, rest) = text.split_at(end);
    let net = parse_net(address)?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(';').unwrap_or(rest);
    let label = rest.split_whitespace().next();
    Ok(Some((net, label)))
}

fn parse_into(
    map: &mut RangeMapBuilder<Option<Box<str>>>,
    file: &str,
    text: &[u8],
) -> Result<(), EnrichError> {
    for line in lines(file, text) {
        let (number, text) = line?;
        let bad = |what: String| EnrichError::at_line(file, number, what);
        if let Some((net, label)) = parse_line(text).map_err(bad)? {
            map.push_net(net, label.map(Into::into)).map_err(|e| bad(e.as_str().into()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Option<(String, Option<&str>)> {
        parse_line(text).unwrap().map(|(net, label)| (net.to_string(), label))
    }

    #[test]
    fn drop_and_firehol_syntax() {
        assert_eq!(line("1.10.16.0/20 ; SBL256894"), Some(("1.10.16.0/20".into(), Some("SBL256894"))));
        assert_eq!(line("1.10.16.0/20;SBL256894"), Some(("1.10.16.0/20".into(), Some("SBL256894"))));
        assert_eq!(line("81.2.69.0/24 SBL555"), Some(("81.2.69.0/24".into(), Some("SBL555"))));
        assert_eq!(line("203.0.113.0/24"), Some(("203.0.113.0/24".into(), None)));
        assert_eq!(line("192.0.2.1"), Some(("192.0.2.1/32".into(), None)));
        assert_eq!(line("2001:db8::/32 v6-net"), Some(("2001:db8::/32".into(), Some("v6-net"))));
        assert_eq!(line("10.0.0.0/8 ; "), Some(("10.0.0.0/8".into(), None)));
    }

    #[test]
    fn comments() {
        assert_eq!(line("; Last-Modified: Tue, 14 Nov 2023"), None);
        assert_eq!(line("# FireHOL"), None);
        assert_eq!(line("   "), None);
        assert_eq!(line("10.0.0.0/8 # a note"), Some(("10.0.0.0/8".into(), None)));
        assert_eq!(line("10.0.0.0/8 lbl#note"), Some(("10.0.0.0/8".into(), Some("lbl"))));
        assert_eq!(line("10.0.0.0/8 ; SBL1 ; extra words"), Some(("10.0.0.0/8".into(), Some("SBL1"))));
    }

    #[test]
    fn a_bad_address_is_an_error() {
        assert!(parse_line("10.0.0.300").is_err());
        assert!(parse_line("scanner 10.0.0.1").is_err());
    }
}
