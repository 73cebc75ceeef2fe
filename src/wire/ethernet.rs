//! Ethernet II frames (RFC 894): the 网络接口层 (network interface layer) of notes §1.2.

use std::fmt;

use super::{be16, truncated, Error};

// ANCHOR: field
/// The byte ranges of an Ethernet II header (RFC 894, "Frame Format").
pub mod field {
    use crate::wire::{Field, Rest};

    /// Destination Address: 6 bytes, the hardware (MAC) address of the receiver.
    pub const DESTINATION: Field = 0..6;
    /// Source Address: 6 bytes, the sender's hardware address.
    pub const SOURCE: Field = 6..12;
    /// Type: 2 bytes, what the data is (0x0800: an IPv4 datagram). RFC 894 calls it
    /// "Type"; IEEE 802.3 and everyone since, EtherType.
    pub const ETHERTYPE: Field = 12..14;
    /// Data: the IPv4 datagram (46 to 1500 bytes on a real Ethernet; on `lo`, anything
    /// up to its MTU of 65536, and never padded).
    pub const PAYLOAD: Rest = 14..;
}
// ANCHOR_END: field

/// A 48-bit hardware (MAC) address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MacAddress(pub [u8; 6]);

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// An EtherType: what an Ethernet frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EtherType(pub u16);

impl EtherType {
    /// 0x0800: an IPv4 datagram (RFC 894).
    pub const IPV4: EtherType = EtherType(0x0800);
    /// 0x0806: an ARP message (notes §1.1: ARP, 地址解析协议).
    pub const ARP: EtherType = EtherType(0x0806);
    /// 0x86DD: an IPv6 datagram.
    pub const IPV6: EtherType = EtherType(0x86dd);

    /// Its name: "IPv4", "ARP", "IPv6", or "unknown".
    pub fn name(self) -> &'static str {
        match self {
            EtherType::IPV4 => "IPv4",
            EtherType::ARP => "ARP",
            EtherType::IPV6 => "IPv6",
            _ => "unknown",
        }
    }
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:04x} ({})", self.0, self.name())
    }
}

// ANCHOR: diagram
/// A view of an Ethernet II frame, as an `AF_PACKET`/`SOCK_RAW` socket receives it: the
/// header and the data, without the preamble before it and the frame check sequence
/// after it, which the network card adds and strips (and `lo` has neither).
///
/// RFC 894, "Frame Format" (a header of 14 bytes; RFC 894 draws it as a list of fields,
/// here in the style of RFC 791's diagrams):
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Destination Address (6 bytes)                 |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                   Source Address (6 bytes)                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Type (0x0800)        |  Data: the IPv4 datagram ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthernetFrame<T: AsRef<[u8]>> {
    buffer: T,
}
// ANCHOR_END: diagram

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// The length of the header: 14 bytes.
    pub const HEADER_LEN: usize = 14;

    /// A view of `buffer`, unchecked: the getters panic if it is shorter than 14 bytes.
    /// For building a frame in a buffer of the right size.
    pub const fn new_unchecked(buffer: T) -> Self {
        EthernetFrame { buffer }
    }

    /// A view of `buffer`, once [`check_len`](Self::check_len) has passed.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Checks that the buffer holds the 14-byte header.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(truncated("Ethernet", Self::HEADER_LEN, len));
        }
        Ok(())
    }

    /// The buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Destination Address.
    pub fn destination(&self) -> MacAddress {
        MacAddress(self.mac(field::DESTINATION))
    }

    /// Source Address.
    pub fn source(&self) -> MacAddress {
        MacAddress(self.mac(field::SOURCE))
    }

    /// Type (EtherType), host order.
    pub fn ethertype(&self) -> EtherType {
        EtherType(be16(self.buffer.as_ref(), field::ETHERTYPE))
    }

    fn mac(&self, range: super::Field) -> [u8; 6] {
        let mut mac = [0; 6];
        mac.copy_from_slice(&self.buffer.as_ref()[range]);
        mac
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> EthernetFrame<&'a T> {
    /// The header's 14 bytes.
    pub fn header(&self) -> &'a [u8] {
        &self.buffer.as_ref()[..Self::HEADER_LEN]
    }

    /// Data: everything after the header.
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EthernetFrame<T> {
    /// Sets Destination Address.
    pub fn set_destination(&mut self, mac: MacAddress) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(&mac.0);
    }

    /// Sets Source Address.
    pub fn set_source(&mut self, mac: MacAddress) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(&mac.0);
    }

    /// Sets Type (EtherType), given in host order.
    pub fn set_ethertype(&mut self, ty: EtherType) {
        self.buffer.as_mut()[field::ETHERTYPE].copy_from_slice(&ty.0.to_be_bytes());
    }

    /// Data, to fill in.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD]
    }
}
