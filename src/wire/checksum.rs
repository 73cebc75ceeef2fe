//! The Internet checksum (RFC 1071), which IPv4, UDP and TCP all use.
//!
//! Add the data up as 16-bit big-endian words, with every carry out of the top bit added
//! back in at the bottom (one's complement addition), and send the complement of the
//! sum. The receiver adds up everything, the checksum field included, and must get
//! `0xffff`: the sum of a number and its complement.
//!
//! UDP and TCP sum more than their own bytes: a "pseudo-header" of the IP addresses, the
//! protocol number and the length is added in first, so that a segment delivered to the
//! wrong address or protocol fails its check (RFC 768; RFC 9293 §3.1).
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |          source address           |
//! +--------+--------+--------+--------+
//! |        destination address        |
//! +--------+--------+--------+--------+
//! |  zero  |protocol|  UDP/TCP length |
//! +--------+--------+--------+--------+
//! ```

use std::net::Ipv4Addr;

// ANCHOR: sum
/// The one's complement sum of `data` as 16-bit big-endian words, folded to 16 bits and
/// not complemented (RFC 1071 §4.1). An odd last byte is the high half of a last word.
pub fn sum(data: &[u8]) -> u16 {
    let mut acc: u64 = 0;
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        acc += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(*last) << 8;
    }
    fold(acc)
}
// ANCHOR_END: sum

/// Folds the carries of a wide sum back into 16 bits.
pub fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The one's complement sum of several sums.
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// The Internet checksum of `data`: the complement of its sum, what goes in the field.
pub fn checksum(data: &[u8]) -> u16 {
    !sum(data)
}

/// The sum of the IPv4 pseudo-header of a UDP datagram or TCP segment of `length` bytes
/// (header and data) of `protocol`, from `src` to `dst`.
pub fn pseudo_header(src: Ipv4Addr, dst: Ipv4Addr, protocol: u8, length: u16) -> u16 {
    let mut bytes = [0u8; 12];
    bytes[0..4].copy_from_slice(&src.octets());
    bytes[4..8].copy_from_slice(&dst.octets());
    bytes[9] = protocol;
    bytes[10..12].copy_from_slice(&length.to_be_bytes());
    sum(&bytes)
}

// ANCHOR: transport_status
/// The status of the checksum `field` of a transport `segment` (header and data, the
/// field included) of `protocol` from `src` to `dst`: shared by UDP and TCP.
pub(crate) fn transport_status(
    segment: &[u8],
    field: u16,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: u8,
) -> super::ChecksumStatus {
    use super::ChecksumStatus::*;
    let length = segment.len() as u16;
    let pseudo = pseudo_header(src, dst, protocol, length);
    if combine(&[pseudo, sum(segment)]) == 0xffff {
        Verified
    } else if field == pseudo {
        Partial
    } else {
        Wrong
    }
}
// ANCHOR_END: transport_status
