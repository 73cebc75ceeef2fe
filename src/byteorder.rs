//! Byte order: `htons`, `htonl`, `ntohs`, `ntohl` (notes §4.4.4).
//!
//! The network sends integers big end first ("network byte order", RFC 1700). A host
//! keeps them in its own order: little end first on x86 and most ARM machines. These four
//! functions convert between the two; on a big-endian host they return their argument.
//!
//! The names: `h` host, `n` network, `s` short (16 bits, a port), `l` long (32 bits, an
//! IPv4 address; "long" from the days when `long` was 32 bits).
//!
//! Erratum (notes §4.4.4): the notes say these return -1 on failure. They cannot fail:
//! every 16- or 32-bit value has a byte-swapped twin, and `0xffff` is a valid result
//! (`htons(0xffff) == 0xffff`). The test `byteorder::htons_every_u16_matches_glibc`
//! checks all 65 536 inputs against glibc.
//!
//! In glibc these are macros over `__bswap_16`/`__bswap_32` (and exported functions too).
//! Here they are `const fn`, so a port can be converted at compile time.

/// Converts a 16-bit integer (a port) from host to network byte order.
///
/// Mirrors C `htons(3)`, notes §4.4.4. See
/// [byteorder(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
/// Argument: host order. Result: network order.
// ANCHOR: htons
pub const fn htons(hostshort: u16) -> u16 {
    hostshort.to_be()
}
// ANCHOR_END: htons

/// Converts a 32-bit integer (an IPv4 address) from host to network byte order.
///
/// Mirrors C `htonl(3)`, notes §4.4.4. See
/// [byteorder(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
/// Argument: host order. Result: network order.
// ANCHOR: htonl
pub const fn htonl(hostlong: u32) -> u32 {
    hostlong.to_be()
}
// ANCHOR_END: htonl

/// Converts a 16-bit integer (a port) from network to host byte order.
///
/// Mirrors C `ntohs(3)`. See
/// [byteorder(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
/// Argument: network order. Result: host order.
pub const fn ntohs(netshort: u16) -> u16 {
    u16::from_be(netshort)
}

/// Converts a 32-bit integer (an IPv4 address) from network to host byte order.
///
/// Mirrors C `ntohl(3)`. See
/// [byteorder(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
/// Argument: network order. Result: host order.
pub const fn ntohl(netlong: u32) -> u32 {
    u32::from_be(netlong)
}
