//! Wire formats: zero-copy views of the headers a packet carries on `lo` (notes §1.3,
//! §5.1.3). Not a C mirror: C would cast a pointer to `struct ethhdr`, `struct iphdr`,
//! `struct udphdr`, `struct tcphdr` (`<netinet/*.h>`); here each header is a view over a
//! byte buffer, as in smoltcp's `wire` module, so that a short or lying packet is an
//! error, never a read past the end.
//!
//! Each view has:
//!
//! - a `field` module: the byte ranges of the header, named after the RFC's fields;
//! - `new_checked(buffer)`, which checks every length the header states against the
//!   buffer (and `new_unchecked`, for building one in a zeroed buffer);
//! - a getter for every field, in host byte order (everything on the wire is in network
//!   order, big end first: notes §4.4.4), and setters for building packets in tests;
//! - the header as an ASCII diagram, from its RFC.
//!
//! The notes' §1.3 (数据包的封装) is this nesting, one layer's payload being the next
//! layer's packet:
//!
//! ```text
//! 网络接口层  | Ethernet header | ---------------- Ethernet payload ---------------- |
//! 网络层      |                 | IPv4 header | ----------- IPv4 payload ----------- |
//! 传输层      |                 |             | UDP header | ----- UDP payload ----- |
//! 应用层      |                 |             |            | "hello world\0"         |
//! ```
//!
//! ```
//! use socklab::wire::{EthernetFrame, Ipv4Packet, UdpDatagram};
//!
//! // The udp-hello datagram as captured on lo (ports 60184 → 5678).
//! let bytes = [
//!     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, // Ethernet
//!     0x45, 0x00, 0x00, 0x28, 0x37, 0x6a, 0x40, 0x00, 0x40, 0x11, 0x05, 0x59, // IPv4
//!     127, 0, 0, 1, 127, 0, 0, 1,
//!     0xeb, 0x18, 0x16, 0x2e, 0x00, 0x14, 0xfe, 0x27, // UDP
//!     b'h', b'e', b'l', b'l', b'o', b' ', b'w', b'o', b'r', b'l', b'd', 0, // data
//! ];
//! let frame = EthernetFrame::new_checked(&bytes[..]).unwrap();
//! let ip = Ipv4Packet::new_checked(frame.payload()).unwrap();
//! assert!(ip.verify_checksum());
//! let udp = UdpDatagram::new_checked(ip.payload()).unwrap();
//! assert_eq!(udp.dst_port(), 5678);
//! assert_eq!(udp.payload(), b"hello world\0");
//! ```
//!
//! `tests/wire.rs` checks every view on fixed bytes both ways, and against `etherparse`.

use std::fmt;

pub mod checksum;
mod ethernet;
mod ipv4;
mod tcp;
mod udp;

pub use ethernet::{field as ethernet_field, EtherType, EthernetFrame, MacAddress};
pub use ipv4::{field as ipv4_field, IpProtocol, Ipv4Packet};
pub use tcp::{field as tcp_field, TcpFlags, TcpOption, TcpOptions, TcpSegment};
pub use udp::{field as udp_field, UdpDatagram};

/// A byte range of a header: `field::SRC_PORT` is `0..2`.
pub type Field = std::ops::Range<usize>;
/// Where a header's payload (or options) begin: `field::PAYLOAD` is `8..` for UDP.
pub type Rest = std::ops::RangeFrom<usize>;

/// Why bytes are not a header of the kind asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The buffer is shorter than the header, or than a length the header states.
    Truncated {
        /// "Ethernet", "IPv4", "UDP", "TCP".
        header: &'static str,
        /// The bytes the header needs.
        needed: usize,
        /// The bytes there are.
        got: usize,
    },
    /// A field holds a value its RFC rules out (an IHL under 5, a UDP length under 8).
    Malformed {
        /// "IPv4", "UDP", "TCP".
        header: &'static str,
        /// The field's name, as in the RFC.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated {
                header,
                needed,
                got,
            } => write!(f, "{header}: {got} bytes, {needed} needed"),
            Error::Malformed {
                header,
                field,
                value,
            } => write!(f, "{header}: {field} {value} is not allowed"),
        }
    }
}

impl std::error::Error for Error {}

/// The status of a UDP or TCP checksum, as a capture on `lo` finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumStatus {
    /// The Internet checksum over pseudo-header, header and data checks out.
    Verified,
    /// The field holds only the sum of the pseudo-header: the kernel left the rest of
    /// the sum to the network card ("checksum offload", `CHECKSUM_PARTIAL`), and `lo`,
    /// having no card and no wire, never finishes it. What a capture on `lo` shows for
    /// every TCP segment and UDP datagram (Wireshark: "incorrect, maybe caused by
    /// checksum offload").
    Partial,
    /// UDP over IPv4 only: zero, "the sender computed no checksum" (RFC 768).
    Absent,
    /// None of the above: the packet was damaged, or built wrong.
    Wrong,
}

impl fmt::Display for ChecksumStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChecksumStatus::Verified => "verified",
            ChecksumStatus::Partial => "partial: the pseudo-header's sum only (offloaded)",
            ChecksumStatus::Absent => "absent (0: none computed)",
            ChecksumStatus::Wrong => "WRONG",
        })
    }
}

/// A header's bytes `range` as a big-endian `u16`. The views check lengths first, so
/// the slice is always there.
fn be16(buf: &[u8], range: Field) -> u16 {
    let b = &buf[range];
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(buf: &[u8], range: Field) -> u32 {
    let b = &buf[range];
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn truncated(header: &'static str, needed: usize, got: usize) -> Error {
    Error::Truncated {
        header,
        needed,
        got,
    }
}
