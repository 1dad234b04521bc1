//! Enrichment lookups (SPEC §7.6): what an address is, whether it is listed, where it is.
//!
//! Three independent tables, each loaded from the files that a topology's `[enrichment]` names
//! ([`crate::topology::Enrichment`]) or built from in-memory data:
//!
//! - [`CidrBlocks`] (`cidr_blocks`, a `cidr,label` CSV): `srctype`/`dsttype`, the label of the
//!   longest prefix containing the address;
//! - [`ThreatIntel`] (`threat_intel`, Spamhaus DROP or FireHOL netset lists, in list order):
//!   `src-threat`/`dst-threat`, the longest matching entry's label, [`UNLABELLED`] without one;
//! - [`Geo`] (`geo`, a CSV of CIDRs or ranges, or a MaxMind DB): `src-country`/`dst-country`, the
//!   ISO 3166 alpha-2 code of the smallest matching CIDR or range.
//!
//! Equal prefixes resolve to the first in file order. [`Enrichment`] bundles the three and answers
//! [`Enrichment::lookup`] with an [`EnrichedAddr`]. All three share one structure (`ranges`):
//! entries flattened at load into sorted disjoint segments, so a lookup is a binary search per
//! table that never allocates. Loaders name the file and line of any fault ([`EnrichError`]) and
//! never panic. Formats, rules and choices: `docs/enrichment.md`.
//!
//! ```
//! use flowlog_core::enrich::{CidrBlocks, Enrichment, Geo, ThreatIntel};
//!
//! let enrichment = Enrichment {
//!     blocks: Some(CidrBlocks::parse("blocks.csv", b"cidr,label\n10.0.0.0/8,internal\n0.0.0.0/0,internet\n")?),
//!     threats: Some(ThreatIntel::parse([("drop.txt", &b"198.51.100.128/25 ; SBL123\n"[..])])?),
//!     geo: Some(Geo::parse_csv("geo.csv", b"198.51.100.0,198.51.100.255,NL\n")?),
//! };
//! let found = enrichment.lookup("198.51.100.200".parse()?);
//! assert_eq!((found.block, found.threat, found.country), (Some("internet"), Some("SBL123"), Some("NL")));
//!
//! // From a topology's files (paths resolved against its folder):
//! # fn from_file() -> Result<(), Box<dyn std::error::Error>> {
//! let topology = flowlog_core::topology::Topology::load("vpc.toml")?;
//! let enrichment = Enrichment::load(&topology.enrichment)?;
//! # Ok(()) }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod blocks;
mod error;
mod geo;
mod ranges;
mod text;
mod threat;

use std::net::IpAddr;

pub use blocks::CidrBlocks;
pub use error::EnrichError;
pub use geo::Geo;
pub use threat::{ThreatIntel, UNLABELLED};

/// The enrichment tables of a topology; an absent table gives no value for any address.
#[derive(Debug, Clone, Default)]
pub struct Enrichment {
    /// `cidr_blocks`.
    pub blocks: Option<CidrBlocks>,
    /// `threat_intel`, every list merged in order.
    pub threats: Option<ThreatIntel>,
    /// `geo`.
    pub geo: Option<Geo>,
}

/// What enrichment says of one address; `None` where nothing matches (or the table is absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnrichedAddr<'a> {
    /// `srctype`/`dsttype`: the longest `cidr_blocks` prefix's label.
    pub block: Option<&'a str>,
    /// `src-threat`/`dst-threat`: the longest threat entry's label, [`UNLABELLED`] without one.
    pub threat: Option<&'a str>,
    /// `src-country`/`dst-country`: an ISO 3166 alpha-2 code.
    pub country: Option<&'a str>,
}

impl Enrichment {
    /// Loads the files a topology names (paths already resolved against its folder).
    pub fn load(spec: &crate::topology::Enrichment) -> Result<Self, EnrichError> {
        Ok(Enrichment {
            blocks: spec.cidr_blocks.as_deref().map(CidrBlocks::load).transpose()?,
            threats: match spec.threat_intel.as_slice() {
                [] => None,
                paths => Some(ThreatIntel::load(paths)?),
            },
            geo: spec.geo.as_deref().map(Geo::load).transpose()?,
        })
    }

    /// Everything the tables say of `addr`. Never allocates.
    pub fn lookup(&self, addr: IpAddr) -> EnrichedAddr<'_> {
        EnrichedAddr {
            block: self.blocks.as_ref().and_then(|t| t.lookup(addr)),
            threat: self.threats.as_ref().and_then(|t| t.lookup(addr)),
            country: self.geo.as_ref().and_then(|t| t.lookup(addr)),
        }
    }

    /// Whether no table is loaded (records then carry no enrichment field).
    pub fn is_empty(&self) -> bool {
        self.blocks.is_none() && self.threats.is_none() && self.geo.is_none()
    }
}
