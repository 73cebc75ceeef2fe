//! Tests for `src/inet.rs`, grouped by C call. The oracle is glibc itself: its own
//! `inet_addr`, `inet_aton`, `inet_ntoa`, `inet_pton` and `inet_ntop`, declared below
//! and called on the same bytes as ours.
//!
//! Three kinds of input:
//! - the corpus `tests/data/inet-corpus.txt`, hand-picked strings (its format is at its
//!   top), each run through every parser;
//! - random strings (proptest), drawn to hit the interesting space: short strings over
//!   the alphabet `0123456789abcdefxX.: \t`, fully random bytes, and strings built from
//!   the grammars (dotted numbers in every base, IPv6 groups and `::`);
//! - random addresses (proptest and exhaustive loops), for the binary-to-text side.
//!
//! Every expected value comes from glibc, never from our own code. Where a test spells
//! out a value ("127.1" is 127.0.0.1), it checks glibc's answer against it first, then
//! ours against glibc's.
//!
//! Proptest's failure files are turned off (`failure_persistence: None`): a failing case
//! is printed, shrunk, and belongs in the corpus.

use std::ffi::CStr;

use libc::{c_char, c_int, AF_INET, AF_INET6, AF_UNIX};
use nix::errno::Errno;
use pretty_assertions::assert_eq;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use socklab::inet::{inet_addr, inet_aton, inet_ntoa, inet_ntop, inet_pton, InetAddr};
use socklab::sockaddr::{in6_addr, in_addr, INADDR_NONE};

/// How many random cases each proptest runs.
const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// glibc's own functions: the oracle.
mod glibc {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The C declarations, as in `<arpa/inet.h>`.
    mod ffi {
        use libc::{c_char, c_int, c_void, in_addr, in_addr_t, socklen_t};

        extern "C" {
            pub fn inet_addr(cp: *const c_char) -> in_addr_t;
            pub fn inet_aton(cp: *const c_char, inp: *mut in_addr) -> c_int;
            pub fn inet_ntoa(addr: in_addr) -> *mut c_char;
            pub fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int;
            pub fn inet_ntop(
                af: c_int,
                src: *const c_void,
                dst: *mut c_char,
                size: socklen_t,
            ) -> *const c_char;
        }
    }

    /// `INET6_ADDRSTRLEN` from `<netinet/in.h>`: room for any `inet_ntop` result.
    const INET6_ADDRSTRLEN: usize = 46;

    /// `bytes` with a NUL appended: a C string that C reads up to its first NUL, which
    /// may be one of `bytes`' own (the corpus has "1.2.3.4\0junk").
    fn c_string(bytes: &[u8]) -> Vec<u8> {
        let mut s = bytes.to_vec();
        s.push(0);
        s
    }

    /// glibc's `inet_addr(cp)`: network order, `INADDR_NONE` on error.
    pub fn inet_addr(cp: &[u8]) -> u32 {
        let cp = c_string(cp);
        // SAFETY: `cp` is NUL-terminated and outlives the call; inet_addr only reads it.
        unsafe { ffi::inet_addr(cp.as_ptr().cast::<c_char>()) }
    }

    /// glibc's `inet_aton(cp, &addr)`: `Some(addr.s_addr)` (network order) if it
    /// returned 1, `None` if it returned 0.
    pub fn inet_aton(cp: &[u8]) -> Option<u32> {
        let cp = c_string(cp);
        let mut addr = libc::in_addr { s_addr: 0 };
        // SAFETY: `cp` is NUL-terminated and outlives the call; `addr` is a valid,
        // writable `struct in_addr`.
        let rc = unsafe { ffi::inet_aton(cp.as_ptr().cast::<c_char>(), &mut addr) };
        match rc {
            1 => Some(addr.s_addr),
            0 => None,
            _ => panic!("glibc inet_aton returned {rc}, neither 1 nor 0"),
        }
    }

    /// glibc's `inet_ntoa(addr)`, copied out of its static buffer at once.
    /// `s_addr` in network order.
    pub fn inet_ntoa(s_addr: u32) -> String {
        // SAFETY: inet_ntoa takes the struct by value and returns a pointer to its
        // thread's static buffer, NUL-terminated, valid until this thread's next call;
        // we copy it before making another.
        unsafe { CStr::from_ptr(ffi::inet_ntoa(libc::in_addr { s_addr })) }
            .to_str()
            .expect("inet_ntoa writes ASCII")
            .to_owned()
    }

    /// glibc's `inet_pton(af, src, dst)`: `Ok(Some(bytes))` (network order, 4 or 16
    /// of them) if it returned 1, `Ok(None)` if 0, `Err(errno)` if -1.
    pub fn inet_pton(af: c_int, src: &[u8]) -> Result<Option<Vec<u8>>, Errno> {
        let src = c_string(src);
        // An `in6_addr`'s worth of room, enough for either family; 16 bytes are plain
        // bytes, so a `[u8; 16]` serves as C's `void *dst`.
        let mut dst = [0u8; 16];
        Errno::clear();
        // SAFETY: `src` is NUL-terminated and outlives the call; `dst` has room for the
        // largest address inet_pton writes (16 bytes, AF_INET6).
        let rc =
            unsafe { ffi::inet_pton(af, src.as_ptr().cast::<c_char>(), dst.as_mut_ptr().cast()) };
        match rc {
            1 => Ok(Some(dst[..if af == AF_INET { 4 } else { 16 }].to_vec())),
            0 => Ok(None),
            -1 => Err(Errno::last()),
            _ => panic!("glibc inet_pton returned {rc}"),
        }
    }

    /// glibc's `inet_ntop(af, src, dst, INET6_ADDRSTRLEN)`; `src` in network order.
    pub fn inet_ntop(af: c_int, src: &[u8]) -> String {
        let len = if af == AF_INET { 4 } else { 16 };
        assert_eq!(src.len(), len, "an address of family {af} has {len} bytes");
        let mut dst = [0 as c_char; INET6_ADDRSTRLEN];
        // SAFETY: `src` holds the 4 or 16 bytes inet_ntop reads for `af`; `dst` is
        // writable for the size passed.
        let p = unsafe {
            ffi::inet_ntop(
                af,
                src.as_ptr().cast(),
                dst.as_mut_ptr(),
                dst.len() as libc::socklen_t,
            )
        };
        assert!(!p.is_null(), "glibc inet_ntop failed: {}", Errno::last());
        // SAFETY: on success inet_ntop wrote a NUL-terminated string into `dst`.
        unsafe { CStr::from_ptr(dst.as_ptr()) }
            .to_str()
            .expect("inet_ntop writes ASCII")
            .to_owned()
    }

    /// Both ends of the static-buffer hazard: `inet_ntoa(a)`'s pointer, the string it
    /// points to, then `inet_ntoa(b)`'s pointer and what the first pointer points to now.
    pub fn inet_ntoa_twice(a: u32, b: u32) -> (*const c_char, String, *const c_char, String) {
        let read = |p: *const c_char| {
            // SAFETY: `p` came from inet_ntoa on this thread: its NUL-terminated static
            // buffer, which lives as long as the thread.
            unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
        };
        // SAFETY: inet_ntoa takes the struct by value and returns its static buffer.
        let pa = unsafe { ffi::inet_ntoa(libc::in_addr { s_addr: a }) }.cast_const();
        let first = read(pa);
        // SAFETY: inet_ntoa takes the struct by value and returns its static buffer;
        // `pa` stays valid (the buffer lives as long as the thread), only overwritten.
        let pb = unsafe { ffi::inet_ntoa(libc::in_addr { s_addr: b }) }.cast_const();
        let first_after = read(pa);
        (pa, first, pb, first_after)
    }

    /// `snprintf(buf, .., "%s %s", inet_ntoa(a), inet_ntoa(b))`, the notes' printf with
    /// two addresses: both arguments are evaluated before snprintf reads them.
    pub fn printf_two_ntoa(a: u32, b: u32) -> String {
        let mut buf = [0 as c_char; 64];
        // SAFETY: the format is a NUL-terminated literal with two `%s`, given two
        // NUL-terminated strings (inet_ntoa's buffer); `buf` is writable for its length.
        unsafe {
            libc::snprintf(
                buf.as_mut_ptr(),
                buf.len(),
                c"%s %s".as_ptr(),
                ffi::inet_ntoa(libc::in_addr { s_addr: a }),
                ffi::inet_ntoa(libc::in_addr { s_addr: b }),
            );
        }
        // SAFETY: snprintf NUL-terminates within `buf`.
        unsafe { CStr::from_ptr(buf.as_ptr()) }
            .to_str()
            .unwrap()
            .to_owned()
    }
}

/// Ours, in the shape of `glibc::inet_pton`'s answer: the address's bytes in network
/// order. Also checks that the variant is the family asked for.
fn ours_pton(af: c_int, src: &[u8]) -> Result<Option<Vec<u8>>, Errno> {
    inet_pton(af, src).map(|found| {
        found.map(|addr| {
            assert_eq!(
                addr.af(),
                af,
                "inet_pton({af}, {:?}) returned {addr:?}",
                show(src)
            );
            match addr {
                InetAddr::V4(a) => a.s_addr.to_ne_bytes().to_vec(),
                InetAddr::V6(a) => a.s6_addr.to_vec(),
            }
        })
    })
}

/// An input, printable: escapes as the corpus writes them (mostly).
fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// The corpus, `tests/data/inet-corpus.txt`, with its escapes decoded (see its top).
fn corpus() -> Vec<Vec<u8>> {
    let text = include_str!("data/inet-corpus.txt");
    let mut strings: Vec<Vec<u8>> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        assert!(
            !line.ends_with([' ', '\t']) && !line.starts_with([' ', '\t']),
            "corpus line {n}: a space or tab at an end must be written \\s or \\t"
        );
        let mut s = Vec::new();
        let mut bytes = line.bytes();
        while let Some(b) = bytes.next() {
            if b != b'\\' {
                s.push(b);
                continue;
            }
            match bytes.next() {
                Some(b'\\') => s.push(b'\\'),
                Some(b'0') => s.push(0),
                Some(b't') => s.push(b'\t'),
                Some(b'n') => s.push(b'\n'),
                Some(b'v') => s.push(0x0b),
                Some(b'f') => s.push(0x0c),
                Some(b'r') => s.push(b'\r'),
                Some(b's') => s.push(b' '),
                Some(b'e') => {}
                Some(b'x') => {
                    let hex = [bytes.next(), bytes.next()];
                    let hex = hex.map(|h| h.and_then(|h| (h as char).to_digit(16)));
                    match hex {
                        [Some(hi), Some(lo)] => s.push((hi * 16 + lo) as u8),
                        _ => panic!("corpus line {n}: \\x wants two hex digits"),
                    }
                }
                other => panic!("corpus line {n}: unknown escape {other:?}"),
            }
        }
        assert!(
            !strings.contains(&s),
            "corpus line {n}: {:?} is there already",
            show(&s)
        );
        strings.push(s);
    }
    strings
}

/// The corpus has enough strings, and decodes as its header says.
#[test]
fn corpus_is_large_and_decodes() {
    let corpus = corpus();
    assert!(corpus.len() >= 200, "{} strings", corpus.len());
    assert!(corpus.contains(&b"".to_vec()));
    assert!(corpus.contains(&b"1.2.3.4\0junk".to_vec()));
    assert!(corpus.contains(&b"1.2.3.4\t".to_vec()));
    assert!(corpus.contains(&b" 1.2.3.4".to_vec()));
    assert!(corpus.contains(&b"\xef\xbc\x91.2.3.4".to_vec()));
    assert!(corpus.contains(&b"#1.2.3.4".to_vec()));
}

/// Random inputs, drawn to hit the interesting space.
mod strategies {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// The bytes address strings are made of, and the bytes that end them.
    const ALPHABET: &[u8] = b"0123456789abcdefxX.: \t";

    /// Short strings over [`ALPHABET`]: most are invalid, in every way possible.
    pub fn alphabet_string() -> impl Strategy<Value = Vec<u8>> {
        vec(select(ALPHABET), 0..=20)
    }

    /// Any bytes at all: NUL, non-ASCII, control bytes.
    pub fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..=24)
    }

    /// One part of an `inet_aton` address: a number near a limit, or any, written in
    /// decimal, hex or octal, sometimes with extra leading zeros.
    fn number() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            6 => 0u64..=255,
            1 => 256u64..=300,
            2 => select(&[
                0u64, 7, 8, 9, 0xff, 0x100, 0xffff, 0x1_0000, 0xff_ffff, 0x100_0000,
                0xffff_ffff, 0x1_0000_0000, u64::MAX,
            ][..]),
            2 => any::<u32>().prop_map(u64::from),
            1 => any::<u64>(),
        ];
        (value, 0..7u8, 0..3usize).prop_map(|(v, style, zeros)| {
            let pad = "0".repeat(zeros);
            match style {
                0 | 1 => format!("{v}"),
                2 => format!("0x{pad}{v:x}"),
                3 => format!("0X{pad}{v:X}"),
                4 => format!("0{pad}{v:o}"),
                // Leading zeros before decimal digits: octal, or invalid with an 8 or 9.
                5 => format!("{pad}0{v}"),
                _ => format!("0x{v:X}"),
            }
        })
    }

    /// Dotted strings: [`quad`]s (a third), and [`dotted_any`] (the rest).
    pub fn dotted() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![1 => quad(), 2 => dotted_any()]
    }

    /// Four numbers, nearly always "a.b.c.d" as `inet_pton(AF_INET)` wants it, now and
    /// then with a number too big, a leading zero, hex, or something after it.
    fn quad() -> impl Strategy<Value = Vec<u8>> {
        let octet = prop_oneof![
            12 => (0u32..=255).prop_map(|n| n.to_string()),
            1 => (256u32..=999).prop_map(|n| n.to_string()),
            1 => (0u32..=255).prop_map(|n| format!("0{n}")),
            1 => (0u32..=255).prop_map(|n| format!("0x{n:x}")),
        ];
        let after = select(&["", "", "", "", "", "", " ", ".", "\0junk", "0"][..]);
        (vec(octet, 4), after)
            .prop_map(|(octets, after)| format!("{}{after}", octets.join(".")).into_bytes())
    }

    /// One to five numbers joined by '.', something before and after: the grammar of
    /// `inet_aton`, and of `inet_pton(AF_INET)` when all is plain decimal.
    fn dotted_any() -> impl Strategy<Value = Vec<u8>> {
        let before = select(&["", "", "", "", " ", "+", "-", "0", "."][..]);
        let after = select(
            &[
                "", "", "", "", "", " junk", " ", "\t", "\n", "\x0b", ".", "x", "\0junk", "8", "g",
                ":80", "\u{a0}",
            ][..],
        );
        (before, vec(number(), 1..=5), after).prop_map(|(before, parts, after)| {
            format!("{before}{}{after}", parts.join(".")).into_bytes()
        })
    }

    /// One IPv6 group, or something close to one: empty groups make the "::"s.
    fn group() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[0-9a-fA-F]{1,4}",
            2 => Just(String::new()),
            1 => Just("0".to_owned()),
            1 => Just("ffff".to_owned()),
            1 => "[0-9a-fA-F]{5}",
            1 => "[0-9a-gx.]{1,3}",
        ]
    }

    /// An IPv4 ending for IPv6, valid or nearly.
    fn ipv4_tail() -> impl Strategy<Value = String> {
        let octet = prop_oneof![
            6 => (0u32..=255).prop_map(|n| n.to_string()),
            1 => (256u32..=999).prop_map(|n| n.to_string()),
            1 => (0u32..=99).prop_map(|n| format!("0{n}")),
        ];
        vec(octet, 2..=5).prop_map(|octets| octets.join("."))
    }

    /// Groups joined by ':', maybe ending in IPv4, with ':'s and junk around them: the
    /// grammar of `inet_pton(AF_INET6)`.
    pub fn ipv6() -> impl Strategy<Value = Vec<u8>> {
        let before = select(&["", "", "", "", ":", "::", " "][..]);
        let after = select(&["", "", "", "", ":", "::", " ", "%eth0", "\0junk"][..]);
        (
            before,
            vec(group(), 0..=9),
            proptest::option::weighted(0.3, ipv4_tail()),
            after,
        )
            .prop_map(|(before, groups, v4, after)| {
                let mut s = format!("{before}{}", groups.join(":"));
                if let Some(v4) = v4 {
                    if !s.is_empty() && !s.ends_with(':') {
                        s.push(':');
                    }
                    s.push_str(&v4);
                }
                s.push_str(after);
                s.into_bytes()
            })
    }

    /// A valid IPv6 address in one of its many spellings: leading zeros or not, either
    /// case, any one run of zero groups (longest or not, even a single group) as `::`
    /// or none, and sometimes the last 32 bits in dotted IPv4.
    pub fn ipv6_text() -> impl Strategy<Value = Vec<u8>> {
        let style = select(&["{:x}", "{:04x}", "{:X}", "{:02X}"][..]);
        (
            in6_bytes(),
            style,
            any::<bool>(),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(bytes, style, dotted, which)| {
                let words: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                    .collect();
                let groups = if dotted { 6 } else { 8 };
                let hex = |w: u16| match style {
                    "{:x}" => format!("{w:x}"),
                    "{:04x}" => format!("{w:04x}"),
                    "{:X}" => format!("{w:X}"),
                    _ => format!("{w:02X}"),
                };
                // Every run of zero groups (start, end), any length; one of them, or
                // none, becomes "::".
                let mut runs = vec![None];
                for start in 0..groups {
                    for end in start + 1..=groups {
                        if words[start..end].iter().all(|&w| w == 0) {
                            runs.push(Some((start, end)));
                        }
                    }
                }
                let text = |range: std::ops::Range<usize>| {
                    words[range]
                        .iter()
                        .map(|&w| hex(w))
                        .collect::<Vec<_>>()
                        .join(":")
                };
                let mut s = match *which.get(&runs) {
                    None => text(0..groups),
                    Some((start, end)) => format!("{}::{}", text(0..start), text(end..groups)),
                };
                if dotted {
                    if !s.ends_with(':') {
                        s.push(':');
                    }
                    s.push_str(&format!(
                        "{}.{}.{}.{}",
                        bytes[12], bytes[13], bytes[14], bytes[15]
                    ));
                }
                s.into_bytes()
            })
    }

    /// An IPv6 address's 16 bytes: fully random; with many zero groups (to exercise the
    /// choice of the `::` run); IPv4-mapped `::ffff:a.b.c.d`; IPv4-compatible
    /// `::a.b.c.d`; and the neighbours of those two.
    pub fn in6_bytes() -> impl Strategy<Value = [u8; 16]> {
        let word =
            prop_oneof![5 => Just(0u16), 2 => any::<u16>(), 1 => Just(0xffff), 1 => 1u16..=0xf];
        let words = proptest::array::uniform8(word).prop_map(|words| {
            let mut bytes = [0u8; 16];
            for (i, w) in words.iter().enumerate() {
                bytes[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
            }
            bytes
        });
        let with_prefix = |prefix: [u8; 12]| {
            any::<[u8; 4]>().prop_map(move |v4| {
                let mut bytes = [0u8; 16];
                bytes[..12].copy_from_slice(&prefix);
                bytes[12..].copy_from_slice(&v4);
                bytes
            })
        };
        let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
        let compatible = [0; 12];
        let mapped_ish = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0]; // ::ffff:0:x:y, not mapped
        let fffe = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe];
        let one_before = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff];
        prop_oneof![
            2 => any::<[u8; 16]>(),
            4 => words,
            2 => with_prefix(mapped),
            2 => with_prefix(compatible),
            1 => with_prefix(mapped_ish),
            1 => with_prefix(fffe),
            1 => with_prefix(one_before),
        ]
    }
}

/// Notes §4.4.10: `inet_addr`.
mod inet_addr {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Ours and glibc's `inet_addr` on `cp`: equal, or a diff of the two.
    fn check(cp: &[u8]) {
        assert_eq!(
            (show(cp), format!("{:08x}", inet_addr(cp))),
            (show(cp), format!("{:08x}", glibc::inet_addr(cp)))
        );
    }

    #[test]
    fn corpus_matches_glibc() {
        // One comparison of two tables, so that a failure shows every differing line.
        let corpus = corpus();
        let ours: Vec<_> = corpus
            .iter()
            .map(|s| (show(s), format!("{:08x}", inet_addr(s))))
            .collect();
        let glibc: Vec<_> = corpus
            .iter()
            .map(|s| (show(s), format!("{:08x}", glibc::inet_addr(s))))
            .collect();
        assert_eq!(ours, glibc);
    }

    /// The erratum: the broadcast address and a typo give the same answer, in glibc
    /// and here.
    #[test]
    fn broadcast_is_indistinguishable_from_an_error() {
        assert_eq!(glibc::inet_addr(b"255.255.255.255"), INADDR_NONE);
        assert_eq!(glibc::inet_addr(b"255.255.255.256"), INADDR_NONE);
        assert_eq!(inet_addr("255.255.255.255"), INADDR_NONE);
        assert_eq!(inet_addr("255.255.255.256"), INADDR_NONE);
        // inet_aton tells them apart.
        assert_eq!(glibc::inet_aton(b"255.255.255.255"), Some(0xffff_ffff));
        assert_eq!(
            inet_aton("255.255.255.255").map(|a| a.s_addr),
            Some(0xffff_ffff)
        );
    }

    /// The result is in network order: its bytes in memory are the address's, in
    /// order, on any host.
    #[test]
    fn result_is_network_order() {
        assert_eq!(
            glibc::inet_addr(b"192.168.31.24").to_ne_bytes(),
            [192, 168, 31, 24]
        );
        assert_eq!(
            inet_addr("192.168.31.24"),
            glibc::inet_addr(b"192.168.31.24")
        );
    }

    /// The accepted surprises, spelled out: each expected value is glibc's answer,
    /// checked here, and ours is checked against glibc's.
    #[test]
    fn surprises_match_glibc() {
        let cases: &[(&[u8], [u8; 4])] = &[
            (b"127.1", [127, 0, 0, 1]),
            (b"0x7f.0.0.1", [127, 0, 0, 1]),
            (b"010.0.0.1", [8, 0, 0, 1]),
            (b"2130706433", [127, 0, 0, 1]),
            (b"1.2.65535", [1, 2, 255, 255]),
            (b"1.2.3.4 junk", [1, 2, 3, 4]),
            (b"1.2.3.4\0junk", [1, 2, 3, 4]),
            (b"4294967295", [255, 255, 255, 255]),
        ];
        for &(cp, bytes) in cases {
            assert_eq!(
                (show(cp), glibc::inet_addr(cp).to_ne_bytes()),
                (show(cp), bytes)
            );
            check(cp);
        }
        for cp in [
            &b"4294967296"[..],
            b"256.1.1.1",
            b"0x",
            b"08",
            b"1.2.3.4.",
            b"",
            b".1",
            b" 1.2.3.4",
        ] {
            assert_eq!((show(cp), glibc::inet_addr(cp)), (show(cp), INADDR_NONE));
            check(cp);
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn alphabet_strings_match_glibc(cp in strategies::alphabet_string()) {
            check(&cp);
        }

        #[test]
        fn random_bytes_match_glibc(cp in strategies::random_bytes()) {
            check(&cp);
        }

        #[test]
        fn dotted_numbers_match_glibc(cp in strategies::dotted()) {
            check(&cp);
        }
    }
}

/// Beyond the notes: `inet_aton`, `inet_addr` without the ambiguity.
mod inet_aton {
    use super::*;
    use pretty_assertions::assert_eq;

    fn check(cp: &[u8]) {
        assert_eq!(
            (show(cp), inet_aton(cp).map(|a| format!("{:08x}", a.s_addr))),
            (show(cp), glibc::inet_aton(cp).map(|a| format!("{a:08x}")))
        );
    }

    #[test]
    fn corpus_matches_glibc() {
        let corpus = corpus();
        let ours: Vec<_> = corpus
            .iter()
            .map(|s| (show(s), inet_aton(s).map(|a| a.s_addr)))
            .collect();
        let glibc: Vec<_> = corpus
            .iter()
            .map(|s| (show(s), glibc::inet_aton(s)))
            .collect();
        assert_eq!(ours, glibc);
    }

    /// The corpus has both kinds: enough valid and invalid strings for the comparison
    /// above to mean something (glibc's counts, then ours must be equal by the above).
    #[test]
    fn corpus_has_valid_and_invalid_strings() {
        let valid = corpus()
            .iter()
            .filter(|s| glibc::inet_aton(s).is_some())
            .count();
        let invalid = corpus().len() - valid;
        assert!(
            valid >= 60 && invalid >= 60,
            "{valid} valid, {invalid} invalid"
        );
    }

    /// The corner cases of `strtoul(cp, &end, 0)` that the brief lists, with glibc's
    /// answers: `None` for each.
    #[test]
    fn strtoul_corners_are_invalid_in_glibc_and_here() {
        for cp in [
            &b"0x"[..],
            b"0X",
            b"08",
            b"09.1.1.1",
            b"0x1g",
            b"1.2.3.4.",
            b"",
            b".1",
            b"18446744073709551616",
            b"99999999999999999999999999",
            b"0x100000000",
            b"+1.2.3.4",
            b"-1",
        ] {
            assert_eq!((show(cp), glibc::inet_aton(cp)), (show(cp), None));
            check(cp);
        }
        // Leading zeros do not overflow: glibc reads them all, value 1.
        let long = b"0000000000000000000000000000000000000000000000001";
        assert_eq!(glibc::inet_aton(long).map(u32::from_be), Some(1));
        check(long);
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn alphabet_strings_match_glibc(cp in strategies::alphabet_string()) {
            check(&cp);
        }

        #[test]
        fn random_bytes_match_glibc(cp in strategies::random_bytes()) {
            check(&cp);
        }

        #[test]
        fn dotted_numbers_match_glibc(cp in strategies::dotted()) {
            check(&cp);
        }
    }
}

/// Notes §4.4.6.1: `inet_ntoa`.
mod inet_ntoa {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The listed difference: glibc returns one buffer (per thread) that each call
    /// overwrites; ours returns independent strings.
    #[test]
    fn glibc_overwrites_its_static_buffer_ours_does_not() {
        let a = u32::from_ne_bytes([1, 2, 3, 4]);
        let b = u32::from_ne_bytes([5, 6, 7, 8]);

        let (pa, first, pb, first_after) = glibc::inet_ntoa_twice(a, b);
        assert_eq!(first, "1.2.3.4");
        assert_eq!(pa, pb, "both calls return the same buffer");
        assert_eq!(
            first_after, "5.6.7.8",
            "the second call overwrote the first's string"
        );
        // So the notes' printf with two addresses prints the second one twice.
        assert_eq!(glibc::printf_two_ntoa(a, b), "5.6.7.8 5.6.7.8");

        let x = inet_ntoa(in_addr { s_addr: a });
        let y = inet_ntoa(in_addr { s_addr: b });
        assert_eq!(
            (x.as_str(), y.as_str()),
            (first.as_str(), first_after.as_str())
        );
        assert_eq!(format!("{x} {y}"), "1.2.3.4 5.6.7.8");
    }

    /// Every value of every byte, in each of the four positions (1024 addresses).
    #[test]
    fn every_byte_in_every_position_matches_glibc() {
        for position in 0..4 {
            for value in 0..=255u8 {
                let mut bytes = [10, 20, 30, 40];
                bytes[position] = value;
                let s_addr = u32::from_ne_bytes(bytes);
                assert_eq!(inet_ntoa(in_addr { s_addr }), glibc::inet_ntoa(s_addr));
            }
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_address_matches_glibc(s_addr in any::<u32>()) {
            assert_eq!(inet_ntoa(in_addr { s_addr }), glibc::inet_ntoa(s_addr));
        }

        /// Back through glibc's inet_aton, the text is the same address.
        #[test]
        fn round_trips_through_glibc_inet_aton(s_addr in any::<u32>()) {
            assert_eq!(glibc::inet_aton(inet_ntoa(in_addr { s_addr }).as_bytes()), Some(s_addr));
        }
    }
}

/// Beyond the notes: `inet_pton`, both families, and the error for the others.
mod inet_pton {
    use super::*;
    use pretty_assertions::assert_eq;

    fn check(af: c_int, src: &[u8]) {
        assert_eq!(
            (show(src), ours_pton(af, src)),
            (show(src), glibc::inet_pton(af, src))
        );
    }

    fn corpus_table(af: c_int) {
        let corpus = corpus();
        let ours: Vec<_> = corpus.iter().map(|s| (show(s), ours_pton(af, s))).collect();
        let glibc: Vec<_> = corpus
            .iter()
            .map(|s| (show(s), glibc::inet_pton(af, s)))
            .collect();
        assert_eq!(ours, glibc);
    }

    #[test]
    fn corpus_matches_glibc_af_inet() {
        corpus_table(AF_INET);
    }

    #[test]
    fn corpus_matches_glibc_af_inet6() {
        corpus_table(AF_INET6);
    }

    /// AF_UNIX is no address family of inet_pton's: -1 with errno EAFNOSUPPORT in
    /// glibc, on every string; `Err(EAFNOSUPPORT)` here.
    #[test]
    fn corpus_af_unix_fails_with_eafnosupport() {
        for src in corpus() {
            assert_eq!(glibc::inet_pton(AF_UNIX, &src), Err(Errno::EAFNOSUPPORT));
            assert_eq!(inet_pton(AF_UNIX, &src), Err(Errno::EAFNOSUPPORT));
        }
    }

    /// Other families, including nonsense ones, fail the same way in both.
    #[test]
    fn other_families_fail_with_eafnosupport() {
        for af in [
            libc::AF_UNSPEC,
            libc::AF_PACKET,
            libc::AF_NETLINK,
            -1,
            3,
            11,
            c_int::MAX,
            c_int::MIN,
        ] {
            assert_eq!(
                (af, glibc::inet_pton(af, b"1.2.3.4")),
                (af, Err(Errno::EAFNOSUPPORT))
            );
            assert_eq!(
                (af, inet_pton(af, "1.2.3.4")),
                (af, Err(Errno::EAFNOSUPPORT))
            );
        }
    }

    /// The corpus has both kinds for each family (glibc's counts).
    #[test]
    fn corpus_has_valid_and_invalid_strings() {
        for (af, at_least) in [(AF_INET, 20), (AF_INET6, 40)] {
            let valid = corpus()
                .iter()
                .filter(|s| glibc::inet_pton(af, s) != Ok(None))
                .count();
            let invalid = corpus().len() - valid;
            assert!(
                valid >= at_least && invalid >= 100,
                "af {af}: {valid} valid, {invalid} invalid"
            );
        }
    }

    /// The family of what inet_pton returns is the C constant asked for.
    #[test]
    fn af_is_the_c_family() {
        assert_eq!(InetAddr::V4(in_addr { s_addr: 0 }).af(), libc::AF_INET);
        assert_eq!(
            InetAddr::V6(in6_addr { s6_addr: [0; 16] }).af(),
            libc::AF_INET6
        );
    }

    /// The strict rules and the IPv6 corners, with glibc's answers spelled out.
    #[test]
    fn corners_match_glibc() {
        let v4_invalid: &[&[u8]] = &[
            b"127.1",
            b"01.2.3.4",
            b"0x7f.0.0.1",
            b"1.2.3.4 ",
            b" 1.2.3.4",
            b"1.2.3.4.",
        ];
        for &src in v4_invalid {
            assert_eq!(
                (show(src), glibc::inet_pton(AF_INET, src)),
                (show(src), Ok(None))
            );
            check(AF_INET, src);
        }
        let v6: &[(&[u8], Option<[u8; 16]>)] = &[
            (b"::", Some([0; 16])),
            (b":", None),
            (b":1::", None),
            (b"1::2:", None),
            (
                b"1:2:3:4:5:6:7::",
                Some([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]),
            ),
            (b"::1:2:3:4:5:6:7:8", None),
            (
                b"::ffff:1.2.3.4",
                Some([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]),
            ),
            (b"1.2.3.4::", None),
            (b"::01.2.3.4", None),
        ];
        for &(src, expected) in v6 {
            let expected = expected.map(|b| b.to_vec());
            assert_eq!(
                (show(src), glibc::inet_pton(AF_INET6, src)),
                (show(src), Ok(expected))
            );
            check(AF_INET6, src);
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn alphabet_strings_match_glibc(src in strategies::alphabet_string()) {
            check(AF_INET, &src);
            check(AF_INET6, &src);
        }

        #[test]
        fn random_bytes_match_glibc(src in strategies::random_bytes()) {
            check(AF_INET, &src);
            check(AF_INET6, &src);
        }

        #[test]
        fn dotted_numbers_match_glibc(src in strategies::dotted()) {
            check(AF_INET, &src);
            check(AF_INET6, &src);
        }

        #[test]
        fn ipv6_strings_match_glibc(src in strategies::ipv6()) {
            check(AF_INET, &src);
            check(AF_INET6, &src);
        }

        #[test]
        fn ipv6_spellings_match_glibc(src in strategies::ipv6_text()) {
            check(AF_INET6, &src);
        }

        /// Whatever glibc's inet_ntop writes, ours reads back to the same address.
        #[test]
        fn reads_glibc_inet_ntop(bytes in strategies::in6_bytes(), v4 in any::<[u8; 4]>()) {
            let text = glibc::inet_ntop(AF_INET6, &bytes);
            assert_eq!(ours_pton(AF_INET6, text.as_bytes()), Ok(Some(bytes.to_vec())));
            let text = glibc::inet_ntop(AF_INET, &v4);
            assert_eq!(ours_pton(AF_INET, text.as_bytes()), Ok(Some(v4.to_vec())));
        }
    }
}

/// Beyond the notes: `inet_ntop`, both families.
mod inet_ntop {
    use super::*;
    use pretty_assertions::assert_eq;

    fn check_v6(bytes: [u8; 16]) {
        assert_eq!(
            inet_ntop(&InetAddr::V6(in6_addr { s6_addr: bytes })),
            glibc::inet_ntop(AF_INET6, &bytes),
            "address {bytes:02x?}"
        );
    }

    /// Every pattern of zero and non-zero groups (256 of them), each with several
    /// values in the non-zero groups and with and without `ffff` in group 5: every
    /// choice of the `::` run, ties included, and both IPv4 forms.
    #[test]
    fn every_zero_group_pattern_matches_glibc() {
        for mask in 0..=255u8 {
            for fill in [0x0001u16, 0x00ff, 0x0abc, 0xffff, 0x1234] {
                let mut words = [0u16; 8];
                for (i, w) in words.iter_mut().enumerate() {
                    if mask & (1 << i) != 0 {
                        *w = fill;
                    }
                }
                for ffff_in_5 in [false, true] {
                    if ffff_in_5 {
                        words[5] = 0xffff;
                    }
                    let mut bytes = [0u8; 16];
                    for (i, w) in words.iter().enumerate() {
                        bytes[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
                    }
                    check_v6(bytes);
                }
            }
        }
    }

    /// The forms glibc chooses, spelled out (RFC 4291 §2.5.5 and RFC 5952).
    #[test]
    fn forms_match_glibc() {
        let mapped = |v4: [u8; 4]| {
            let mut b = [0u8; 16];
            b[10] = 0xff;
            b[11] = 0xff;
            b[12..].copy_from_slice(&v4);
            b
        };
        let compatible = |v4: [u8; 4]| {
            let mut b = [0u8; 16];
            b[12..].copy_from_slice(&v4);
            b
        };
        let cases: &[([u8; 16], &str)] = &[
            ([0; 16], "::"),
            (compatible([0, 0, 0, 1]), "::1"),
            (compatible([0, 0, 1, 0]), "::100"),
            (compatible([0, 1, 0, 0]), "::0.1.0.0"),
            (compatible([192, 0, 2, 1]), "::192.0.2.1"),
            (mapped([192, 0, 2, 1]), "::ffff:192.0.2.1"),
            (mapped([0, 0, 0, 0]), "::ffff:0.0.0.0"),
            (
                [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1],
                "2001:db8::1:0:0:1",
            ),
            (
                [0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7],
                "1:0:2:3:4:5:6:7",
            ),
            ([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "1::"),
            (
                [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                "fe80::1",
            ),
        ];
        for &(bytes, text) in cases {
            assert_eq!(glibc::inet_ntop(AF_INET6, &bytes), text);
            check_v6(bytes);
        }
    }

    /// Every address the corpus spells (as glibc reads it), written back by both.
    #[test]
    fn corpus_addresses_match_glibc() {
        let corpus = corpus();
        let v6: Vec<Vec<u8>> = corpus
            .iter()
            .filter_map(|s| glibc::inet_pton(AF_INET6, s).ok().flatten())
            .collect();
        let v4: Vec<u32> = corpus.iter().filter_map(|s| glibc::inet_aton(s)).collect();
        let ours: Vec<String> = v6
            .iter()
            .map(|b| {
                inet_ntop(&InetAddr::V6(in6_addr {
                    s6_addr: b[..].try_into().unwrap(),
                }))
            })
            .chain(
                v4.iter()
                    .map(|&s_addr| inet_ntop(&InetAddr::V4(in_addr { s_addr }))),
            )
            .collect();
        let glibc: Vec<String> = v6
            .iter()
            .map(|b| glibc::inet_ntop(AF_INET6, b))
            .chain(
                v4.iter()
                    .map(|&s_addr| glibc::inet_ntop(AF_INET, &s_addr.to_ne_bytes())),
            )
            .collect();
        assert_eq!(ours, glibc);
    }

    #[test]
    fn af_inet_every_byte_in_every_position_matches_glibc() {
        for position in 0..4 {
            for value in 0..=255u8 {
                let mut bytes = [10, 20, 30, 40];
                bytes[position] = value;
                let addr = InetAddr::V4(in_addr {
                    s_addr: u32::from_ne_bytes(bytes),
                });
                assert_eq!(inet_ntop(&addr), glibc::inet_ntop(AF_INET, &bytes));
            }
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn af_inet_matches_glibc(s_addr in any::<u32>()) {
            let addr = InetAddr::V4(in_addr { s_addr });
            assert_eq!(inet_ntop(&addr), glibc::inet_ntop(AF_INET, &s_addr.to_ne_bytes()));
        }

        #[test]
        fn af_inet6_matches_glibc(bytes in strategies::in6_bytes()) {
            check_v6(bytes);
        }

        /// What ours writes, glibc's inet_pton reads back to the same address.
        #[test]
        fn glibc_inet_pton_reads_it_back(bytes in strategies::in6_bytes(), s_addr in any::<u32>()) {
            let text = inet_ntop(&InetAddr::V6(in6_addr { s6_addr: bytes }));
            assert_eq!(glibc::inet_pton(AF_INET6, text.as_bytes()), Ok(Some(bytes.to_vec())));
            let text = inet_ntop(&InetAddr::V4(in_addr { s_addr }));
            let expected = s_addr.to_ne_bytes().to_vec();
            assert_eq!(glibc::inet_pton(AF_INET, text.as_bytes()), Ok(Some(expected)));
        }
    }
}
