//! IPv4 datagrams (RFC 791): the 网络层 (network layer) of notes §1.2.

use std::fmt;
use std::net::Ipv4Addr;

use super::{be16, checksum, truncated, Error};

// ANCHOR: field
/// The byte ranges of an IPv4 header (RFC 791 §3.1, "Internet Header Format").
pub mod field {
    use crate::wire::{Field, Rest};

    /// Version (the high 4 bits: 4) and IHL, the Internet Header Length in 32-bit words
    /// (the low 4 bits: 5 for the 20 bytes of a header without options).
    pub const VER_IHL: Field = 0..1;
    /// Type of Service: since RFC 2474 and RFC 3168, DSCP (6 bits) and ECN (2 bits).
    pub const TOS: Field = 1..2;
    /// Total Length: of the datagram, header and data, in bytes.
    pub const TOTAL_LENGTH: Field = 2..4;
    /// Identification: numbers the datagram, so that its fragments can be reassembled.
    pub const IDENTIFICATION: Field = 4..6;
    /// Flags (3 bits: 0, DF "don't fragment", MF "more fragments") and Fragment Offset
    /// (13 bits, in units of 8 bytes).
    pub const FLAGS_FRAGMENT: Field = 6..8;
    /// Time to Live: hops left; each router takes one off, and drops it at 0.
    pub const TTL: Field = 8..9;
    /// Protocol: what the data is (6 TCP, 17 UDP).
    pub const PROTOCOL: Field = 9..10;
    /// Header Checksum: the Internet checksum of the header only.
    pub const HEADER_CHECKSUM: Field = 10..12;
    /// Source Address.
    pub const SOURCE: Field = 12..16;
    /// Destination Address.
    pub const DESTINATION: Field = 16..20;
    /// Options (when IHL > 5), then the data.
    pub const OPTIONS: Rest = 20..;
}
// ANCHOR_END: field

/// An IP protocol number, the IPv4 header's Protocol field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    /// 1: ICMP (notes §1.1: `ping`).
    pub const ICMP: IpProtocol = IpProtocol(1);
    /// 6: TCP, `IPPROTO_TCP`.
    pub const TCP: IpProtocol = IpProtocol(6);
    /// 17: UDP, `IPPROTO_UDP`.
    pub const UDP: IpProtocol = IpProtocol(17);

    /// Its name: "ICMP", "TCP", "UDP", or "unknown".
    pub fn name(self) -> &'static str {
        match self {
            IpProtocol::ICMP => "ICMP",
            IpProtocol::TCP => "TCP",
            IpProtocol::UDP => "UDP",
            _ => "unknown",
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.name())
    }
}

// ANCHOR: diagram
/// A view of an IPv4 datagram: header, options, data.
///
/// RFC 791 §3.1, "Internet Header Format":
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |Flags|      Fragment Offset    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options                    |    Padding    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The data is what Total Length says, which may be less than the buffer: a real
/// Ethernet pads short frames to 60 bytes, and the padding is not the datagram's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}
// ANCHOR_END: diagram

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// The length of a header without options: 20 bytes.
    pub const MIN_HEADER_LEN: usize = 20;

    /// A view of `buffer`, unchecked: the getters may panic on a short buffer or one
    /// whose lengths lie. For building a datagram in a buffer of the right size.
    pub const fn new_unchecked(buffer: T) -> Self {
        Ipv4Packet { buffer }
    }

    /// A view of `buffer`, once [`check_len`](Self::check_len) has passed.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the buffer holds a header of version 4, that IHL is at least 5 and
    /// Total Length at least the header's length, and that the buffer holds them both.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < Self::MIN_HEADER_LEN {
            return Err(truncated("IPv4", Self::MIN_HEADER_LEN, len));
        }
        let malformed = |field, value| Error::Malformed {
            header: "IPv4",
            field,
            value,
        };
        if self.version() != 4 {
            return Err(malformed("Version", self.version().into()));
        }
        if self.ihl() < 5 {
            return Err(malformed("IHL", self.ihl().into()));
        }
        let header_len = self.header_len();
        if len < header_len {
            return Err(truncated("IPv4", header_len, len));
        }
        let total = usize::from(self.total_len());
        if total < header_len {
            return Err(malformed("Total Length", total as u32));
        }
        if len < total {
            return Err(truncated("IPv4", total, len));
        }
        Ok(())
    }

    /// The buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Version: 4.
    pub fn version(&self) -> u8 {
        self.b()[field::VER_IHL.start] >> 4
    }

    /// IHL, the header's length in 32-bit words (5 to 15).
    pub fn ihl(&self) -> u8 {
        self.b()[field::VER_IHL.start] & 0x0f
    }

    /// The header's length in bytes: IHL × 4.
    pub fn header_len(&self) -> usize {
        usize::from(self.ihl()) * 4
    }

    /// Type of Service, the whole byte.
    pub fn tos(&self) -> u8 {
        self.b()[field::TOS.start]
    }

    /// DSCP, Differentiated Services Code Point: the high 6 bits of Type of Service.
    pub fn dscp(&self) -> u8 {
        self.tos() >> 2
    }

    /// ECN, Explicit Congestion Notification: the low 2 bits of Type of Service.
    pub fn ecn(&self) -> u8 {
        self.tos() & 0x03
    }

    /// Total Length, host order.
    pub fn total_len(&self) -> u16 {
        be16(self.b(), field::TOTAL_LENGTH)
    }

    /// Identification, host order.
    pub fn ident(&self) -> u16 {
        be16(self.b(), field::IDENTIFICATION)
    }

    /// The DF ("don't fragment") flag.
    pub fn dont_frag(&self) -> bool {
        be16(self.b(), field::FLAGS_FRAGMENT) & 0x4000 != 0
    }

    /// The MF ("more fragments") flag.
    pub fn more_frags(&self) -> bool {
        be16(self.b(), field::FLAGS_FRAGMENT) & 0x2000 != 0
    }

    /// Fragment Offset, in units of 8 bytes.
    pub fn frag_offset(&self) -> u16 {
        be16(self.b(), field::FLAGS_FRAGMENT) & 0x1fff
    }

    /// Time to Live.
    pub fn ttl(&self) -> u8 {
        self.b()[field::TTL.start]
    }

    /// Protocol.
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol(self.b()[field::PROTOCOL.start])
    }

    /// Header Checksum, host order.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), field::HEADER_CHECKSUM)
    }

    /// Source Address.
    pub fn src_addr(&self) -> Ipv4Addr {
        self.addr(field::SOURCE)
    }

    /// Destination Address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        self.addr(field::DESTINATION)
    }

    fn addr(&self, range: super::Field) -> Ipv4Addr {
        let b = &self.b()[range];
        Ipv4Addr::new(b[0], b[1], b[2], b[3])
    }

    // ANCHOR: verify_checksum
    /// Whether the header checksum checks out: the header, checksum included, sums to
    /// `0xffff`.
    pub fn verify_checksum(&self) -> bool {
        checksum::sum(&self.b()[..self.header_len()]) == 0xffff
    }
    // ANCHOR_END: verify_checksum
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv4Packet<&'a T> {
    /// The header, options included.
    pub fn header(&self) -> &'a [u8] {
        &self.buffer.as_ref()[..self.header_len()]
    }

    /// Options (and their padding): empty when IHL is 5.
    pub fn options(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::OPTIONS.start..self.header_len()]
    }

    /// The data: from the end of the header to Total Length.
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..usize::from(self.total_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    fn m(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    fn set16(&mut self, range: super::Field, value: u16) {
        self.m()[range].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets Version.
    pub fn set_version(&mut self, version: u8) {
        let b = &mut self.m()[field::VER_IHL.start];
        *b = (*b & 0x0f) | (version << 4);
    }

    /// Sets IHL, in 32-bit words.
    pub fn set_ihl(&mut self, ihl: u8) {
        let b = &mut self.m()[field::VER_IHL.start];
        *b = (*b & 0xf0) | (ihl & 0x0f);
    }

    /// Sets Type of Service (DSCP and ECN).
    pub fn set_tos(&mut self, tos: u8) {
        self.m()[field::TOS.start] = tos;
    }

    /// Sets Total Length, given in host order.
    pub fn set_total_len(&mut self, len: u16) {
        self.set16(field::TOTAL_LENGTH, len);
    }

    /// Sets Identification, given in host order.
    pub fn set_ident(&mut self, ident: u16) {
        self.set16(field::IDENTIFICATION, ident);
    }

    /// Sets the flags and Fragment Offset (in units of 8 bytes).
    pub fn set_flags_frag(&mut self, dont_frag: bool, more_frags: bool, offset: u16) {
        let v = (u16::from(dont_frag) << 14) | (u16::from(more_frags) << 13) | (offset & 0x1fff);
        self.set16(field::FLAGS_FRAGMENT, v);
    }

    /// Sets Time to Live.
    pub fn set_ttl(&mut self, ttl: u8) {
        self.m()[field::TTL.start] = ttl;
    }

    /// Sets Protocol.
    pub fn set_protocol(&mut self, protocol: IpProtocol) {
        self.m()[field::PROTOCOL.start] = protocol.0;
    }

    /// Sets Header Checksum, given in host order.
    pub fn set_checksum(&mut self, checksum: u16) {
        self.set16(field::HEADER_CHECKSUM, checksum);
    }

    /// Sets Source Address.
    pub fn set_src_addr(&mut self, addr: Ipv4Addr) {
        self.m()[field::SOURCE].copy_from_slice(&addr.octets());
    }

    /// Sets Destination Address.
    pub fn set_dst_addr(&mut self, addr: Ipv4Addr) {
        self.m()[field::DESTINATION].copy_from_slice(&addr.octets());
    }

    /// Computes the header checksum and writes it: set every other field first.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let header_len = self.header_len();
        let sum = checksum::checksum(&self.buffer.as_ref()[..header_len]);
        self.set_checksum(sum);
    }

    /// The data, to fill in (Total Length and IHL must be set).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = self.header_len()..usize::from(self.total_len());
        &mut self.m()[range]
    }
}
