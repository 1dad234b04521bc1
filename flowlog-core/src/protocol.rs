//! Wire numbers that records carry and writers test: IP protocol numbers (IANA) and TCP flag
//! bits. The parser keeps the full list of protocol numbers it acts on; these are the ones a
//! record's reader needs by name.

/// ICMP.
pub const ICMP: u8 = crate::parse::l4::ICMP;
/// TCP.
pub const TCP: u8 = crate::parse::l4::TCP;
/// UDP.
pub const UDP: u8 = crate::parse::l4::UDP;
/// ICMPv6.
pub const ICMPV6: u8 = crate::parse::l4::ICMPV6;

/// TCP flag bits as [`Record::tcp_flags`](crate::Record::tcp_flags) holds them: the header's
/// flags byte in bits 0–7 and NS, the last bit of the byte before it, in bit 8.
pub mod tcp_flags {
    /// FIN: the sender has finished.
    pub const FIN: u16 = 0x01;
    /// SYN: opens a connection.
    pub const SYN: u16 = 0x02;
    /// RST: resets the connection.
    pub const RST: u16 = 0x04;
    /// PSH.
    pub const PSH: u16 = 0x08;
    /// ACK.
    pub const ACK: u16 = 0x10;
    /// URG.
    pub const URG: u16 = 0x20;
    /// ECE (ECN echo).
    pub const ECE: u16 = 0x40;
    /// CWR (congestion window reduced).
    pub const CWR: u16 = 0x80;
    /// NS (ECN nonce sum), from the data-offset byte.
    pub const NS: u16 = 0x100;
}
