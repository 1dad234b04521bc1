//! Packet and capture builders for tests, benchmarks, fuzzing and binding tests, kept out of the
//! engine crate. Nothing here is on the hot path; it allocates freely.
//!
//! - [`Pkt`]: one packet, layer by layer, with correct lengths and checksums.
//! - [`PcapWriter`] / [`PcapngWriter`]: capture files in every variant the reader must accept.
//! - [`TrafficSpec`]: a seedable synthetic VPC traffic generator that knows its ground truth.
//! - [`corpus_dir`]: where the corpus of real captures is (a missing corpus fails the tests in CI).
//! - [`CountingAllocator`] / [`heap_ops`]: heap operations counted, for the no-allocation tests.

pub mod corpus;
pub mod gen;
pub mod heap;
pub mod packet;
pub mod pcap;

pub use corpus::corpus_dir;
pub use gen::{
    write_pcap, FrameBuffer, FrameRef, FrameSize, GeneratedFrame, Generator, GroundTruth, SplitMix64,
    TrafficSpec,
};
pub use heap::{heap_ops, CountingAllocator};
pub use packet::{checksum, ethertype, tcp_flags, Pkt};
pub use pcap::{pcap_bytes, Endian, PcapWriter, PcapngWriter, TsPrecision, TsResol};
