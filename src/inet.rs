//! Address strings: `inet_addr`, `inet_aton`, `inet_ntoa`, `inet_pton`, `inet_ntop`
//! (notes §4.4.6.1, §4.4.10).
//!
//! A person writes an address as text ("192.168.31.24"), a socket wants four bytes in
//! network order (`sin_addr.s_addr`). These functions convert between the two:
//!
//! | text → binary | binary → text | families | notes |
//! |---|---|---|---|
//! | [`inet_addr`] | [`inet_ntoa`] | IPv4 | §4.4.10, §4.4.6.1 (the notes use these two) |
//! | [`inet_aton`] | [`inet_ntoa`] | IPv4 | beyond the notes: `inet_addr` without its ambiguity |
//! | [`inet_pton`] | [`inet_ntop`] | IPv4, IPv6 | beyond the notes: what new code uses |
//!
//! They are written in Rust, not calls into libc, so that you can read how an address
//! string is parsed; `tests/inet.rs` checks every one of them against glibc's own, on a
//! corpus of hand-picked strings (`tests/data/inet-corpus.txt`) and on random ones.
//! Where glibc is odd, this module is odd in the same way, and the comments say so.
//!
//! # Two parsers, two grammars
//!
//! `inet_aton` and `inet_addr` (4.2BSD, 1983) accept much more than "a.b.c.d":
//!
//! - one to four parts: `127.1` is 127.0.0.1, the last part filling the bytes that are
//!   left (`a.b.c` with `c` 16 bits, `a.b` with `b` 24 bits, `a` alone 32 bits, so
//!   `2130706433` is 127.0.0.1 too);
//! - each part in C's integer syntax: `0x7f` hexadecimal, `010` octal (eight!), `10`
//!   decimal; so `010.0.0.1` is 8.0.0.1, a classic surprise;
//! - anything after a space, tab or newline: `"1.2.3.4 junk"` is 1.2.3.4.
//!
//! `inet_pton(AF_INET, ..)` (1996) accepts exactly four decimal parts from 0 to 255,
//! without leading zeros and without anything around them. Prefer it: `010.0.0.1` is an
//! error there, not a different address.
//!
//! # Where the Rust differs from the C
//!
//! - [`inet_ntoa`] returns a fresh `String`. C's `inet_ntoa` returns a pointer to one
//!   static buffer (one per thread, in glibc) that the next call overwrites, so
//!   `printf("%s %s\n", inet_ntoa(a), inet_ntoa(b))` prints the same address twice: both
//!   arguments are evaluated, the second call overwrites the buffer, then `printf` reads
//!   it twice. Safe Rust cannot hand out a reference to a buffer that a later call
//!   overwrites (the borrow checker forbids that aliasing), so the result is an owned
//!   `String`, at the cost of one small allocation per call. The test
//!   `inet_ntoa::glibc_overwrites_its_static_buffer_ours_does_not` shows both.
//! - [`inet_aton`] returns `Option<in_addr>` where C returns 1 and writes through its
//!   `struct in_addr *inp`, or returns 0 and leaves `*inp` alone.
//! - [`inet_pton`] returns `Result<Option<InetAddr>, Errno>` for C's three results:
//!   1 (`Ok(Some(..))`), 0 (`Ok(None)`, not an address of that family) and -1 with
//!   `errno` set to `EAFNOSUPPORT` (`Err`). C's `void *dst` must point to an `in_addr`
//!   or an `in6_addr` depending on `af`; [`InetAddr`] is that choice, spelled out.
//! - [`inet_ntop`] takes no family, buffer or size: the family is in the [`InetAddr`],
//!   and the `String` grows, so C's `ENOSPC` (buffer too small) cannot happen.
//! - The input is `impl AsRef<[u8]>` (a `&str`, a `&[u8]`, a `String`…), read as C reads
//!   a `char *`: it ends at the first NUL byte, if there is one, so `b"1.2.3.4\0junk"` is
//!   the string "1.2.3.4". A Rust string may contain NUL; a C string cannot.
//!
//! Erratum (notes §4.4.10): the notes do not say how `inet_addr` reports an error. It
//! returns `INADDR_NONE`, which is 0xffffffff, which is also the valid address
//! 255.255.255.255: `inet_addr("255.255.255.255")` cannot be told from a typo. Use
//! [`inet_aton`] or [`inet_pton`], which report errors apart from addresses.
//!
//! The glibc sources mirrored here: `resolv/inet_addr.c` (`inet_aton_end`),
//! `inet/inet_ntoa.c`, `resolv/inet_pton.c` and `resolv/inet_ntop.c`.

#![forbid(unsafe_code)] // Parsing needs none; the compiler holds us to it.

use crate::sockaddr::{in6_addr, in_addr, in_addr_t, INADDR_NONE};
use nix::errno::Errno;

// ANCHOR: c_string
/// The bytes of `cp` as C sees them through a `const char *`: up to, not including, the
/// first NUL byte (all of `cp` if it has none).
fn c_string(cp: &[u8]) -> &[u8] {
    match cp.iter().position(|&b| b == 0) {
        Some(nul) => &cp[..nul],
        None => cp,
    }
}
// ANCHOR_END: c_string

/// glibc's `isascii(c) && isspace(c)`: the six ASCII whitespace bytes, space, `\t`,
/// `\n`, `\v`, `\f`, `\r`, whatever the locale (the `isascii` makes it so).
///
/// Not Rust's `u8::is_ascii_whitespace`, which leaves out `\v` (vertical tab, 0x0b).
fn c_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

// ANCHOR: strtoul
/// The part of C's `strtoul(s, &end, 0)` that `inet_aton` uses: reads one unsigned
/// integer at the start of `s`, which must begin with an ASCII digit.
///
/// Returns the value, or `None` if it is over 0xffffffff, and how many bytes were read.
///
/// With base 0, C's integer syntax chooses the base:
///
/// - `0x` or `0X` then a hex digit: hexadecimal, `0x7f` is 127;
/// - `0` otherwise: octal, `010` is 8, `08` is 0 followed by a stray `8`;
/// - `1` to `9`: decimal.
///
/// (C23 added `0b` binary to `strtoul`; glibc's `inet_aton` does not take it: `0b101`
/// is invalid, a `0` then a stray `b`.)
///
/// The whole of `strtoul` would also skip leading whitespace and take a `+` or `-` sign
/// (`strtoul("-1")` is `ULONG_MAX`!), but `inet_aton` only calls it where the next byte
/// is a digit, so neither can happen here: `" 1.2.3.4"` and `"+1.2.3.4"` are invalid.
fn strtoul_base0(s: &[u8]) -> (Option<u32>, usize) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);

    let (base, start) = if at(0) == b'0' && (at(1) == b'x' || at(1) == b'X') {
        if at(2).is_ascii_hexdigit() {
            (16, 2) // skip the "0x"
        } else {
            // "0x" with no hex digit after it: C reads the "0" alone and stops at the
            // 'x' (glibc's strtol says so in a comment: "This is no error case"). The
            // caller then sees an 'x' where a '.' or the end should be, and fails.
            return (Some(0), 1);
        }
    } else if at(0) == b'0' {
        (8, 0) // the leading '0' is itself an octal digit: read it, value 0 so far
    } else {
        (10, 0)
    };

    // Accumulate in 64 bits, saturating: C's `strtoul` returns ULONG_MAX (with `errno`
    // ERANGE) for a number too big for an `unsigned long`, and `inet_aton` rejects that
    // and any value over 0xffffffff alike. So we only need to know "too big", and a
    // saturated value stays too big however many digits follow. Leading zeros, however
    // many, keep the value 0: "0000000000000000000001" is 1.
    let mut value: u64 = 0;
    let mut i = start;
    while let Some(digit) = (at(i) as char).to_digit(base) {
        value = value
            .saturating_mul(u64::from(base))
            .saturating_add(u64::from(digit));
        i += 1;
    }
    (u32::try_from(value).ok(), i)
}
// ANCHOR_END: strtoul

// ANCHOR: inet_aton_end
/// glibc's `inet_aton_end`, the parser behind both `inet_aton` and `inet_addr`.
/// Returns the address in network order, or `None` for an invalid string.
fn inet_aton_end(cp: &[u8]) -> Option<in_addr> {
    let s = c_string(cp);
    // The byte at index `i`, or NUL past the end, as C would read it.
    let at = |i: usize| s.get(i).copied().unwrap_or(0);

    // The largest value the last part may have, by the number of parts before it: alone
    // it fills all 32 bits, after one part 24 bits, after two 16, after three 8.
    const MAX: [u32; 4] = [0xffff_ffff, 0x00ff_ffff, 0x0000_ffff, 0x0000_00ff];

    // The parts before a '.', one byte each, in the order they are written: network
    // order. `n` counts them (0 to 3).
    let mut bytes = [0u8; 4];
    let mut n = 0;

    let mut i = 0; // where the current part starts
    let (last, end) = loop {
        // Every part must start with a digit: not a sign, not a space, not a '.'
        // (so "", ".1", " 1", "+1", "1..2" and "1.2." all fail).
        if !at(i).is_ascii_digit() {
            return None;
        }
        let (value, len) = strtoul_base0(&s[i..]);
        let value = value?; // over 0xffffffff (C: ULONG_MAX/ERANGE, or just too big)
        let end = i + len;

        if at(end) == b'.' {
            // A part before a '.' is one byte, and there are at most three of them:
            // a fourth '.' ("1.2.3.4.5", "1.2.3.4.") fails here.
            if n > 2 || value > 0xff {
                return None;
            }
            bytes[n] = value as u8; // value <= 0xff, checked just above
            n += 1;
            i = end + 1; // the next part starts after the '.'
        } else {
            break (value, end);
        }
    };

    // After the last part: the end of the string, or an ASCII whitespace byte after
    // which anything goes ("1.2.3.4 junk" is valid, "1.2.3.4junk" is not; "0x1g" stops
    // at the 'g' and fails, "08" stops at the '8' and fails).
    let c = at(end);
    if c != 0 && !c_isspace(c) {
        return None;
    }

    // The last part fills the bytes that are left, so it must fit in them:
    // "1.2.3.256" and "1.2.65536" fail, "1.2.65535" is 1.2.255.255.
    if last > MAX[n] {
        return None;
    }

    // glibc: `res.word | htonl(val)`. The parts sit in their bytes, in network order;
    // the last part, converted to network order, fills the low-order bytes after them
    // (which are still zero, since `last` fits in them).
    Some(in_addr {
        s_addr: u32::from_ne_bytes(bytes) | last.to_be(),
    })
}
// ANCHOR_END: inet_aton_end

/// Converts an IPv4 address from numbers-and-dots notation into binary form (network
/// byte order).
///
/// Mirrors C `inet_addr(3)`, notes §4.4.10. See
/// [inet(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
/// Result: the address in **network** byte order, ready for `sin_addr.s_addr`; or
/// [`INADDR_NONE`] (0xffffffff) if `cp` is not a valid address.
///
/// It accepts what [`inet_aton`] accepts (see the module doc: one to four parts, hex and
/// octal, anything after whitespace). Its flaw: the error value is also the address
/// 255.255.255.255, which is valid, so `inet_addr("255.255.255.255") == INADDR_NONE`
/// and the caller cannot tell that broadcast address from an error. Prefer
/// [`inet_aton`] or [`inet_pton`].
///
/// ```
/// use socklab::inet::inet_addr;
///
/// assert_eq!(inet_addr("127.0.0.1").to_ne_bytes(), [127, 0, 0, 1]); // network order
/// assert_eq!(inet_addr("127.1"), inet_addr("127.0.0.1")); // the last part fills the rest
/// assert_eq!(inet_addr("010.0.0.1").to_ne_bytes(), [8, 0, 0, 1]); // octal!
/// assert_eq!(inet_addr("no address"), 0xffff_ffff); // INADDR_NONE
/// ```
// ANCHOR: inet_addr
pub fn inet_addr(cp: impl AsRef<[u8]>) -> in_addr_t {
    match inet_aton_end(cp.as_ref()) {
        Some(addr) => addr.s_addr,
        None => INADDR_NONE, // indistinguishable from 255.255.255.255
    }
}
// ANCHOR_END: inet_addr

/// Converts an IPv4 address from numbers-and-dots notation into binary form (network
/// byte order) and reports whether it was valid.
///
/// Mirrors C `inet_aton(3)`; beyond the notes, which use [`inet_addr`]: it is the same
/// parser without `inet_addr`'s ambiguity. See
/// [inet(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
/// Result: the address, its `s_addr` in **network** byte order, or `None`. C returns 1
/// and fills `*inp`, or returns 0.
///
/// The grammar (glibc `resolv/inet_addr.c`): one to four parts separated by '.'; each
/// part starts with an ASCII digit and is a C integer (`0x..` hexadecimal, `0..` octal,
/// else decimal); the parts before the last are one byte each; the last part fills the
/// bytes that are left; after it, the end of the string or an ASCII whitespace byte,
/// then anything.
///
/// ```
/// use socklab::inet::inet_aton;
///
/// let addr = inet_aton("0x7f.1").unwrap();
/// assert_eq!(addr.s_addr.to_ne_bytes(), [127, 0, 0, 1]); // network order
/// assert_eq!(inet_aton("255.255.255.255").unwrap().s_addr, 0xffff_ffff); // not an error
/// assert_eq!(inet_aton("1.2.3.4 and then anything").unwrap().s_addr.to_ne_bytes(), [1, 2, 3, 4]);
/// assert_eq!(inet_aton("256.0.0.1"), None);
/// ```
// ANCHOR: inet_aton
pub fn inet_aton(cp: impl AsRef<[u8]>) -> Option<in_addr> {
    inet_aton_end(cp.as_ref())
}
// ANCHOR_END: inet_aton

/// Converts an IPv4 address in network byte order to a string in dotted-decimal
/// notation.
///
/// Mirrors C `inet_ntoa(3)`, notes §4.4.6.1. See
/// [inet(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
/// Argument: `addr.s_addr` in **network** byte order (as `recvfrom` fills it in).
///
/// Each byte in decimal, most significant (first on the wire) first: "a.b.c.d", always
/// four parts, no leading zeros. C returns a pointer into a static buffer that the next
/// call overwrites; this returns a new `String` (see the module doc).
///
/// ```
/// use socklab::inet::inet_ntoa;
/// use socklab::sockaddr::in_addr;
///
/// let addr = in_addr { s_addr: u32::from_ne_bytes([192, 168, 31, 24]) };
/// assert_eq!(inet_ntoa(addr), "192.168.31.24");
/// ```
// ANCHOR: inet_ntoa
pub fn inet_ntoa(addr: in_addr) -> String {
    // In memory, a network-order u32 is its four bytes in wire order, whatever the host.
    let [a, b, c, d] = addr.s_addr.to_ne_bytes();
    format!("{a}.{b}.{c}.{d}")
}
// ANCHOR_END: inet_ntoa

/// An IPv4 or IPv6 address: what [`inet_pton`] fills in and [`inet_ntop`] reads, in
/// network byte order.
///
/// Mirrors the `void *` of C `inet_pton(3)` and `inet_ntop(3)`, which points to a
/// `struct in_addr` when `af` is `AF_INET` and to a `struct in6_addr` when it is
/// `AF_INET6`; beyond the notes. See
/// [inet_pton(3)](https://man7.org/linux/man-pages/man3/inet_pton.3.html).
/// Both variants hold their address in **network** byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InetAddr {
    /// An IPv4 address (`AF_INET`); its `s_addr` in **network** byte order.
    V4(in_addr),
    /// An IPv6 address (`AF_INET6`); its 16 bytes in **network** byte order.
    V6(in6_addr),
}

impl InetAddr {
    /// The address family of this address: `AF_INET` or `AF_INET6`.
    ///
    /// Mirrors the `int af` argument of C `inet_pton(3)` and `inet_ntop(3)`. See
    /// [inet_ntop(3)](https://man7.org/linux/man-pages/man3/inet_ntop.3.html).
    /// A family is a plain C `int`, no byte order (it never goes on the wire as such).
    pub const fn af(&self) -> libc::c_int {
        match self {
            InetAddr::V4(_) => libc::AF_INET,
            InetAddr::V6(_) => libc::AF_INET6,
        }
    }
}

// ANCHOR: inet_pton4
/// glibc's `inet_pton4`: exactly "a.b.c.d", four decimal numbers from 0 to 255 without
/// leading zeros, and nothing else. Returns the four bytes in network order.
fn inet_pton4(src: &[u8]) -> Option<[u8; 4]> {
    let mut tmp = [0u8; 4]; // the numbers, one byte each, in order: network order
    let mut tp = 0; // the byte being read (glibc's pointer `tp`), 0 to 3
    let mut octets = 0; // how many numbers have started
    let mut saw_digit = false; // has the current number a digit yet?

    for &ch in src {
        if ch.is_ascii_digit() {
            let new = u32::from(tmp[tp]) * 10 + u32::from(ch - b'0');
            // A number that started with '0' cannot go on: "01" and "00" fail, "0"
            // alone is fine. (With a leading zero, inet_aton would read octal.)
            if saw_digit && tmp[tp] == 0 {
                return None;
            }
            if new > 255 {
                return None;
            }
            tmp[tp] = new as u8; // new <= 255, checked just above
            if !saw_digit {
                // The first digit of a number: "1.2.3.4.5" would start a fifth.
                octets += 1;
                if octets > 4 {
                    return None;
                }
                saw_digit = true;
            }
        } else if ch == b'.' && saw_digit {
            // A '.' ends a number; there must have been one ("1..2" and ".1.2.3" fail)
            // and it must not be the fourth ("1.2.3.4." fails). So `tp` stays below 4.
            if octets == 4 {
                return None;
            }
            tp += 1;
            saw_digit = false;
        } else {
            // Anything else, a space, a sign, a letter, fails.
            return None;
        }
    }
    // Fewer than four numbers ("1.2.3", "", "1.2.3.") fails: no shorthand here.
    if octets < 4 {
        return None;
    }
    Some(tmp)
}
// ANCHOR_END: inet_pton4

// ANCHOR: inet_pton6
/// glibc's `inet_pton6`: the text form of RFC 4291 §2.2. Returns the 16 bytes in
/// network order.
///
/// - Eight groups of one to four hex digits, either case, separated by ':'.
/// - One `::` may stand for one or more groups of zeros: `::1`, `fe80::1`, `1::`, `::`.
///   It must stand for at least one: `::1:2:3:4:5:6:7:8` (nine groups' worth) fails.
/// - The last 32 bits may be written as an IPv4 address: `::ffff:192.0.2.1`, parsed by
///   [`inet_pton4`]'s strict rules.
/// - A single ':' may not start (`:1::`) or end (`1::2:`) the address.
fn inet_pton6(src: &[u8]) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16]; // glibc's `tmp`, zeroed
    let mut tp = 0; // the next byte of `bytes` to fill
    let mut colonp: Option<usize> = None; // where the "::" was, in bytes

    if src.is_empty() {
        return None;
    }
    // A leading ':' must be the start of "::". We skip the first ':' only: the loop
    // below sees the second one as a ':' after an empty group, which marks the "::".
    let mut i = 0;
    if src[0] == b':' {
        i = 1;
        if src.get(1) != Some(&b':') {
            return None;
        }
    }

    let mut curtok = i; // where the current group starts, for an embedded IPv4
    let mut xdigits_seen = 0; // hex digits in the current group
    let mut val: u32 = 0; // the current group's value

    while i < src.len() {
        let ch = src[i];
        i += 1;

        if let Some(digit) = (ch as char).to_digit(16) {
            // A fifth hex digit in one group fails ("12345::").
            if xdigits_seen == 4 {
                return None;
            }
            val = (val << 4) | digit; // at most 0xffff after four digits
            xdigits_seen += 1;
            continue;
        }

        if ch == b':' {
            curtok = i;
            if xdigits_seen == 0 {
                // A ':' right after a ':' (or after the skipped leading ':'): "::".
                // Only one is allowed, or the zeros' place would be ambiguous.
                if colonp.is_some() {
                    return None;
                }
                colonp = Some(tp);
                continue;
            } else if i == src.len() {
                // A group then a ':' at the very end: "1::2:" fails.
                return None;
            }
            // The ':' ends a group: store it, big end first. A ninth group fails.
            if tp + 2 > bytes.len() {
                return None;
            }
            bytes[tp..tp + 2].copy_from_slice(&(val as u16).to_be_bytes());
            tp += 2;
            xdigits_seen = 0;
            val = 0;
            continue;
        }

        // A '.' means the current group was the start of an IPv4 address. Re-read it
        // from its first byte with the strict IPv4 rules, to the end of the string (so
        // it must be last), if four bytes are left for it.
        if ch == b'.' && tp + 4 <= bytes.len() {
            if let Some(v4) = inet_pton4(&src[curtok..]) {
                bytes[tp..tp + 4].copy_from_slice(&v4);
                tp += 4;
                xdigits_seen = 0;
                break; // inet_pton4 read to the end
            }
        }
        // Anything else: a space, a 'g', a '.' that is not a valid IPv4 ending…
        return None;
    }

    // The last group, if the string did not end with "::" or an IPv4 address.
    if xdigits_seen > 0 {
        if tp + 2 > bytes.len() {
            return None;
        }
        bytes[tp..tp + 2].copy_from_slice(&(val as u16).to_be_bytes());
        tp += 2;
    }

    if let Some(colonp) = colonp {
        // The "::": move the groups written after it to the end of the 16 bytes and
        // fill the gap with zeros. "1::2" was stored as 00 01 00 02, `colonp` = 2:
        // the 00 02 moves to bytes 14..16 and bytes 2..14 become zeros.
        if tp == bytes.len() {
            // Eight groups already: the "::" would stand for no group at all.
            return None;
        }
        let n = tp - colonp; // bytes written after the "::"
        bytes.copy_within(colonp..tp, 16 - n);
        bytes[colonp..16 - n].fill(0);
        tp = bytes.len();
    }

    // Without "::", exactly eight groups (or six and an IPv4 address) fill the bytes.
    if tp != bytes.len() {
        return None;
    }
    Some(bytes)
}
// ANCHOR_END: inet_pton6

/// Converts IPv4 and IPv6 addresses from text to binary form.
///
/// Mirrors C `inet_pton(3)`; beyond the notes (they use [`inet_addr`], IPv4 only). See
/// [inet_pton(3)](https://man7.org/linux/man-pages/man3/inet_pton.3.html).
/// Result: the address in **network** byte order, of the family `af`.
///
/// - `af == AF_INET`: `src` must be exactly "a.b.c.d", four decimal numbers 0–255
///   without leading zeros, nothing before or after (unlike [`inet_aton`]: no hex, no
///   octal, no shorthand, no trailing text).
/// - `af == AF_INET6`: `src` is an IPv6 address as RFC 4291 §2.2 writes it: eight
///   groups of 1–4 hex digits, one `::` for a run of zero groups, optionally ending in
///   an IPv4 address (`::ffff:192.0.2.1`).
///
/// C returns 1 (here `Ok(Some(addr))`), 0 if `src` is not a valid address of that
/// family (`Ok(None)`), or -1 with `errno` `EAFNOSUPPORT` for any other `af`
/// (`Err(Errno::EAFNOSUPPORT)`).
///
/// ```
/// use nix::errno::Errno;
/// use socklab::inet::{inet_pton, InetAddr};
///
/// let Ok(Some(InetAddr::V6(a))) = inet_pton(libc::AF_INET6, "fe80::1") else { panic!() };
/// assert_eq!(a.s6_addr, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
/// assert_eq!(inet_pton(libc::AF_INET, "010.0.0.1"), Ok(None)); // no leading zeros
/// assert_eq!(inet_pton(libc::AF_UNIX, "/tmp/sock"), Err(Errno::EAFNOSUPPORT));
/// ```
// ANCHOR: inet_pton
pub fn inet_pton(af: libc::c_int, src: impl AsRef<[u8]>) -> Result<Option<InetAddr>, Errno> {
    let src = c_string(src.as_ref());
    match af {
        libc::AF_INET => Ok(inet_pton4(src).map(|bytes| {
            InetAddr::V4(in_addr {
                s_addr: u32::from_ne_bytes(bytes), // the bytes in wire order: network order
            })
        })),
        libc::AF_INET6 => Ok(inet_pton6(src).map(|s6_addr| InetAddr::V6(in6_addr { s6_addr }))),
        _ => Err(Errno::EAFNOSUPPORT),
    }
}
// ANCHOR_END: inet_pton

// ANCHOR: inet_ntop6
/// glibc's `inet_ntop6`: the recommended text form of RFC 5952, but for one old habit,
/// the dotted IPv4-compatible form (see below).
fn inet_ntop6(addr: &in6_addr) -> String {
    // The eight 16-bit groups, read big end first (network order) into host integers.
    let mut words = [0u16; 8];
    for (word, pair) in words.iter_mut().zip(addr.s6_addr.chunks_exact(2)) {
        *word = u16::from_be_bytes([pair[0], pair[1]]);
    }

    // Find the longest run of zero groups, the first one if two are equally long. Only
    // a run of two or more becomes "::": 1:0:2:3:4:5:6:7 keeps its ":0:".
    let mut best: Option<(usize, usize)> = None; // (first group, length)
    let mut cur: Option<(usize, usize)> = None;
    for (i, &word) in words.iter().enumerate() {
        if word == 0 {
            cur = match cur {
                None => Some((i, 1)),
                Some((base, len)) => Some((base, len + 1)),
            };
        } else if let Some(run) = cur.take() {
            if best.is_none_or(|(_, len)| run.1 > len) {
                best = Some(run);
            }
        }
    }
    if let Some(run) = cur {
        if best.is_none_or(|(_, len)| run.1 > len) {
            best = Some(run);
        }
    }
    let best = best.filter(|&(_, len)| len >= 2);

    let mut out = String::with_capacity(46); // C's INET6_ADDRSTRLEN, NUL included
    for (i, &word) in words.iter().enumerate() {
        if let Some((base, len)) = best {
            if (base..base + len).contains(&i) {
                // Inside the run: one ':' at its start stands for all of it (the other
                // ':' of "::" is written before the next group, or at the very end).
                if i == base {
                    out.push(':');
                }
                continue;
            }
        }
        if i != 0 {
            out.push(':');
        }
        // An IPv4 address inside IPv6, written the IPv4 way, in exactly two cases:
        // "::a.b.c.d" (the longest zero run is groups 0-5: IPv4-compatible, RFC 4291
        // §2.5.5.1, now deprecated) and "::ffff:a.b.c.d" (the run is groups 0-4, then
        // ffff: IPv4-mapped, §2.5.5.2). glibc tests the run's length, 6 or 5, not the
        // last two groups: `::` (run of 8) and `::1` (run of 7) stay hex, while
        // ::ffff:0:0 becomes "::ffff:0.0.0.0" and 0:0:0:0:0:0:1:0 "::0.1.0.0".
        // (RFC 5952 §5 recommends the dotted form for mapped addresses only; glibc
        // keeps it for the old compatible ones too.)
        if i == 6
            && best.is_some_and(|(base, len)| {
                base == 0 && (len == 6 || (len == 5 && words[5] == 0xffff))
            })
        {
            let [a, b, c, d] = [
                addr.s6_addr[12],
                addr.s6_addr[13],
                addr.s6_addr[14],
                addr.s6_addr[15],
            ];
            out.push_str(&format!("{a}.{b}.{c}.{d}"));
            return out;
        }
        // Lowercase hex without leading zeros (RFC 5952 §4.1, §4.3).
        out.push_str(&format!("{word:x}"));
    }
    // A run of zeros at the end: its closing ':' ("1::").
    if best.is_some_and(|(base, len)| base + len == 8) {
        out.push(':');
    }
    out
}
// ANCHOR_END: inet_ntop6

/// Converts IPv4 and IPv6 addresses from binary to text form.
///
/// Mirrors C `inet_ntop(3)`; beyond the notes (they use [`inet_ntoa`], IPv4 only). See
/// [inet_ntop(3)](https://man7.org/linux/man-pages/man3/inet_ntop.3.html).
/// Argument: the address in **network** byte order; its family is the variant.
///
/// - [`InetAddr::V4`]: "a.b.c.d", as [`inet_ntoa`].
/// - [`InetAddr::V6`]: lowercase hex groups without leading zeros; the longest run of
///   two or more zero groups (the first, if two are as long) becomes `::`; the last
///   32 bits are written as IPv4 when the longest zero run is groups 0–5
///   (`::a.b.c.d`, IPv4-compatible) or groups 0–4 followed by `ffff`
///   (`::ffff:a.b.c.d`, IPv4-mapped).
///
/// C writes into a caller's buffer of `size` bytes and fails with `ENOSPC` if it is too
/// small; this returns a `String`, which cannot be too small. C's `EAFNOSUPPORT` cannot
/// happen either: an [`InetAddr`] is always one of the two families.
///
/// ```
/// use socklab::inet::{inet_ntop, inet_pton};
///
/// let to_text = |af, s: &str| inet_ntop(&inet_pton(af, s).unwrap().unwrap());
/// assert_eq!(to_text(libc::AF_INET6, "2001:DB8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
/// assert_eq!(to_text(libc::AF_INET6, "0:0:0:0:0:ffff:c000:0201"), "::ffff:192.0.2.1");
/// assert_eq!(to_text(libc::AF_INET, "192.0.2.1"), "192.0.2.1");
/// ```
// ANCHOR: inet_ntop
pub fn inet_ntop(src: &InetAddr) -> String {
    match src {
        InetAddr::V4(addr) => inet_ntoa(*addr),
        InetAddr::V6(addr) => inet_ntop6(addr),
    }
}
// ANCHOR_END: inet_ntop
