//! `geo`: countries by address, from a CSV (`cidr,country` or `first_ip,last_ip,country`) or a
//! MaxMind DB, giving `src-country`/`dst-country`.

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;

use super::ranges::{RangeMap, RangeMapBuilder};
use super::text::{csv_rows, parse_net, read};
use super::EnrichError;

/// ISO 3166 alpha-2 codes by address; an address takes the code of the smallest matching CIDR or
/// range (the first of equal ones).
#[derive(Debug, Clone, Default)]
pub struct Geo {
    map: RangeMap<[u8; 2]>,
}

/// A two-letter code, checked at load so that lookups can hand out `&str`.
fn country(text: &str) -> Result<[u8; 2], String> {
    match text.as_bytes() {
        &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Ok([a, b]),
        _ => Err(format!("`{text}` is not a two-letter country code")),
    }
}

impl Geo {
    /// Loads a geo file: a MaxMind DB when its name ends in `.mmdb`, else a CSV.
    pub fn load(path: &Path) -> Result<Self, EnrichError> {
        let bytes = read(path)?;
        let is_mmdb = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("mmdb"));
        if is_mmdb {
            Self::from_mmdb(&path.display().to_string(), &bytes)
        } else {
            Self::parse_csv(&path.display().to_string(), &bytes)
        }
    }

    /// Parses CSV text of `cidr,country` and `first_ip,last_ip,country` rows (both may mix).
    pub fn parse_csv(file: &str, text: &[u8]) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for row in csv_rows(file, text) {
            let (line, fields) = row?;
            let bad = |what: String| EnrichError::at_line(file, line, what);
            let pushed = match fields[..] {
                [cidr, code] => map.push_net(parse_net(cidr).map_err(bad)?, country(code).map_err(bad)?),
                [first, last, code] => {
                    let address = |text: &str| {
                        text.parse::<IpAddr>().map_err(|_| bad(format!("`{text}` is not an address")))
                    };
                    map.push_range(address(first)?, address(last)?, country(code).map_err(bad)?)
                }
                _ => {
                    return Err(bad(format!(
                        "expected `cidr,country` or `first_ip,last_ip,country`, found {} fields",
                        fields.len()
                    )))
                }
            };
            pushed.map_err(|e| bad(e.as_str().into()))?;
        }
        Ok(Geo { map: map.build() })
    }

    /// Reads a MaxMind DB (GeoIP2/GeoLite2 Country or City): each network's `country.iso_code`.
    /// Its networks are copied into the same flat structure as the CSV's, so lookups are alike.
    pub fn from_mmdb(file: &str, bytes: &[u8]) -> Result<Self, EnrichError> {
        let bad = |e: maxminddb::MaxMindDbError| EnrichError::in_file(file, format!("MaxMind DB: {e}"));
        let reader = maxminddb::Reader::from_source(bytes).map_err(bad)?;
        let mut map = RangeMapBuilder::default();
        for network in reader.networks(Default::default()).map_err(bad)? {
            let network = network.map_err(bad)?;
            let Some(record) = network.decode::<maxminddb::geoip2::Country>().map_err(bad)? else {
                continue;
            };
            let Some(code) = record.country.iso_code else { continue };
            let code = country(code).map_err(|what| EnrichError::in_file(file, what))?;
            let net = network.network().map_err(bad)?;
            let net = IpNet::new(net.ip(), net.prefix())
                .map_err(|e| EnrichError::in_file(file, format!("MaxMind DB network: {e}")))?;
            map.push_net(net.trunc(), code).map_err(|e| EnrichError::in_file(file, e.as_str()))?;
        }
        Ok(Geo { map: map.build() })
    }

    /// Builds from in-memory `(first, last, code)` ranges in file order (a CIDR is its network
    /// and broadcast addresses).
    pub fn from_ranges(
        entries: impl IntoIterator<Item = (IpAddr, IpAddr, [u8; 2])>,
    ) -> Result<Self, EnrichError> {
        let mut map = RangeMapBuilder::default();
        for (first, last, code) in entries {
            let code = std::str::from_utf8(&code).map_err(|_| "not ASCII".to_string()).and_then(country);
            let code = code.map_err(|what| EnrichError::in_file("<memory>", what))?;
            map.push_range(first, last, code).map_err(|e| EnrichError::in_file("<memory>", e.as_str()))?;
        }
        Ok(Geo { map: map.build() })
    }

    /// The country code of the smallest CIDR or range containing `addr`.
    pub fn lookup(&self, addr: IpAddr) -> Option<&str> {
        // Codes are ASCII letters (checked at load), so this never fails.
        self.map.get(addr).and_then(|code| std::str::from_utf8(code).ok())
    }

    /// The number of CIDRs and ranges loaded.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_two_letters() {
        assert_eq!(country("DE"), Ok(*b"DE"));
        assert!(country("D").is_err());
        assert!(country("DEU").is_err());
        assert!(country("1A").is_err());
        assert!(country("").is_err());
    }

    #[test]
    fn a_file_that_is_not_a_maxmind_db_is_an_error() {
        let err = Geo::from_mmdb("x.mmdb", b"not a database").unwrap_err();
        assert!(err.to_string().starts_with("x.mmdb: MaxMind DB: "), "{err}");
    }
}
