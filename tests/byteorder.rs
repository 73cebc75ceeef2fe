//! Tests for `src/byteorder.rs`, grouped by C call. Two oracles, both C:
//!
//! - glibc's exported functions `htons`, `ntohs`, `htonl`, `ntohl`, declared below and
//!   called in this process (the libc crate's functions of those names are Rust's
//!   `to_be`, not glibc's, so they would compare us with ourselves);
//! - `tests/oracle/byteorder.c`, compiled with `-O2` as a student would, where
//!   `<arpa/inet.h>` turns `htons(x)` into its macro `__bswap_16 (x)`: what C programs
//!   actually run. It prints the macro's and the exported function's answer side by side.
//!
//! Every 16-bit input is checked; 32-bit inputs are sampled: the edges, every power of
//! two, and thousands of values from a fixed-seed generator (the C oracle, one process
//! for them all) and from proptest (glibc's functions, in process). Failure files are
//! off (`failure_persistence: None`), as in `tests/inet.rs`.

mod common;

use std::collections::HashSet;

use pretty_assertions::assert_eq;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

use socklab::byteorder::{htonl, htons, ntohl, ntohs};

/// glibc's exported functions: the in-process oracle.
mod glibc {
    /// The C declarations, as in `<netinet/in.h>`.
    mod ffi {
        extern "C" {
            pub fn htons(hostshort: u16) -> u16;
            pub fn ntohs(netshort: u16) -> u16;
            pub fn htonl(hostlong: u32) -> u32;
            pub fn ntohl(netlong: u32) -> u32;
        }
    }

    /// glibc's `htons(x)`.
    pub fn htons(x: u16) -> u16 {
        // SAFETY: htons takes and returns a uint16_t by value and touches no memory.
        unsafe { ffi::htons(x) }
    }

    /// glibc's `ntohs(x)`.
    pub fn ntohs(x: u16) -> u16 {
        // SAFETY: ntohs takes and returns a uint16_t by value and touches no memory.
        unsafe { ffi::ntohs(x) }
    }

    /// glibc's `htonl(x)`.
    pub fn htonl(x: u32) -> u32 {
        // SAFETY: htonl takes and returns a uint32_t by value and touches no memory.
        unsafe { ffi::htonl(x) }
    }

    /// glibc's `ntohl(x)`.
    pub fn ntohl(x: u32) -> u32 {
        // SAFETY: ntohl takes and returns a uint32_t by value and touches no memory.
        unsafe { ffi::ntohl(x) }
    }
}

/// One line of the C oracle: the function, its input, the macro's answer, the exported
/// function's answer.
#[derive(Debug, PartialEq, Eq)]
struct COracleLine {
    call: String,
    x: u32,
    macro_result: u32,
    function_result: u32,
}

/// Runs `tests/oracle/byteorder.c` with `inputs` for `htonl`/`ntohl`, and checks the
/// shape of its output: 65 536 `htons` lines, 65 536 `ntohs` lines, each x once in
/// order, then an `htonl` and an `ntohl` line per input, in order, then `end COUNT`.
/// Returns (`htons`, `ntohs`, `htonl`, `ntohl`) lines.
#[allow(clippy::type_complexity)]
fn c_oracle(
    inputs: &[u32],
) -> (
    Vec<COracleLine>,
    Vec<COracleLine>,
    Vec<COracleLine>,
    Vec<COracleLine>,
) {
    let stdin: String = inputs.iter().map(|x| format!("{x}\n")).collect();
    let out = common::run_oracle("byteorder", stdin.as_bytes());
    let mut lines = out.lines();
    let mut take = |call: &str, x: u32| {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("oracle ended before {call} {x}"));
        let fields: Vec<&str> = line.split(' ').collect();
        let num = |s: &str| -> u32 {
            s.parse()
                .unwrap_or_else(|e| panic!("oracle line {line:?}: {s:?}: {e}"))
        };
        assert_eq!(fields.len(), 4, "oracle line {line:?}");
        let parsed = COracleLine {
            call: fields[0].to_owned(),
            x: num(fields[1]),
            macro_result: num(fields[2]),
            function_result: num(fields[3]),
        };
        assert_eq!(
            (parsed.call.as_str(), parsed.x),
            (call, x),
            "oracle line {line:?}"
        );
        parsed
    };
    let s: Vec<_> = (0..=u32::from(u16::MAX))
        .map(|x| take("htons", x))
        .collect();
    let ns: Vec<_> = (0..=u32::from(u16::MAX))
        .map(|x| take("ntohs", x))
        .collect();
    let mut l = Vec::with_capacity(inputs.len());
    let mut nl = Vec::with_capacity(inputs.len());
    for &x in inputs {
        l.push(take("htonl", x));
        nl.push(take("ntohl", x));
    }
    assert_eq!(lines.next(), Some(format!("end {}", inputs.len()).as_str()));
    assert_eq!(lines.next(), None, "oracle printed more than expected");
    (s, ns, l, nl)
}

/// The 32-bit sample for the C oracle: 0, 1, 0xff, 0x100, 127.0.0.1, 0xffffffff and
/// their neighbours, every power of two, and 5 000 values from a fixed-seed generator.
fn u32_sample() -> Vec<u32> {
    let mut sample = vec![
        0,
        1,
        0xff,
        0x100,
        0xffff,
        0x1_0000,
        0x7f00_0001,
        0x0100_007f,
        0x1234_5678,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_fffe,
        0xffff_ffff,
    ];
    sample.extend((0..32).map(|bit| 1u32 << bit));
    // splitmix64 (Steele, Lea, Flood 2014), seeded: the same values every run, so a
    // failure can be reproduced; the values themselves need no property but spread.
    let mut state: u64 = 0x5eed_50c1_ab00_0001;
    sample.extend((0..5_000).map(|_| {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as u32
    }));
    sample
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// htons(3)

/// All 65 536 inputs against glibc's exported `htons`. Cited by the docs of
/// `src/byteorder.rs` for the notes' erratum that `htons` returns -1 on failure:
/// 0xffff (-1 as a 16-bit value) is the answer for the input 0xffff, and every
/// 16-bit value is the answer for exactly one input, so none is left over to mean
/// "failed".
#[test]
fn htons_every_u16_matches_glibc() {
    let mut results = HashSet::new();
    for x in 0..=u16::MAX {
        let expected = glibc::htons(x);
        assert_eq!(htons(x), expected, "htons({x:#06x})");
        results.insert(expected);
    }
    assert_eq!(glibc::htons(0xffff), 0xffff, "glibc: htons(0xffff)");
    assert_eq!(htons(0xffff), 0xffff, "ours: htons(0xffff)");
    assert_eq!(results.len(), 1 << 16, "glibc's htons is one to one");
}

/// All 65 536 inputs against what C programs run: the header's macro, and the
/// exported function called from C.
#[test]
fn htons_every_u16_matches_the_c_macro() {
    let (lines, _, _, _) = c_oracle(&[]);
    for line in lines {
        let x = u16::try_from(line.x).unwrap();
        assert_eq!(line.macro_result, line.function_result, "C: {line:?}");
        assert_eq!(u32::from(htons(x)), line.macro_result, "htons({x:#06x})");
    }
}

// ntohs(3)

#[test]
fn ntohs_every_u16_matches_glibc() {
    for x in 0..=u16::MAX {
        assert_eq!(ntohs(x), glibc::ntohs(x), "ntohs({x:#06x})");
    }
}

#[test]
fn ntohs_every_u16_matches_the_c_macro() {
    let (_, lines, _, _) = c_oracle(&[]);
    for line in lines {
        let x = u16::try_from(line.x).unwrap();
        assert_eq!(line.macro_result, line.function_result, "C: {line:?}");
        assert_eq!(u32::from(ntohs(x)), line.macro_result, "ntohs({x:#06x})");
    }
}

// htonl(3), ntohl(3)

/// The sample against the C macros and the exported functions called from C.
#[test]
fn htonl_ntohl_sample_match_the_c_macros() {
    let sample = u32_sample();
    let (_, _, htonl_lines, ntohl_lines) = c_oracle(&sample);
    assert_eq!(htonl_lines.len(), sample.len());
    for line in htonl_lines {
        assert_eq!(line.macro_result, line.function_result, "C: {line:?}");
        assert_eq!(htonl(line.x), line.macro_result, "htonl({:#010x})", line.x);
    }
    for line in ntohl_lines {
        assert_eq!(line.macro_result, line.function_result, "C: {line:?}");
        assert_eq!(ntohl(line.x), line.macro_result, "ntohl({:#010x})", line.x);
    }
}

/// The same sample against glibc's exported functions, in process.
#[test]
fn htonl_ntohl_sample_match_glibc() {
    for x in u32_sample() {
        assert_eq!(htonl(x), glibc::htonl(x), "htonl({x:#010x})");
        assert_eq!(ntohl(x), glibc::ntohl(x), "ntohl({x:#010x})");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn htonl_matches_glibc(x in any::<u32>()) {
        prop_assert_eq!(htonl(x), glibc::htonl(x));
    }

    #[test]
    fn ntohl_matches_glibc(x in any::<u32>()) {
        prop_assert_eq!(ntohl(x), glibc::ntohl(x));
    }
}

// const fn: a port or an address converts at compile time, in a `const` or a `static`,
// to the value glibc gives at run time.

mod const_context {
    use super::*;
    use pretty_assertions::assert_eq;

    use socklab::sockaddr::{in_addr, sa_family_t, sockaddr_in, INADDR_LOOPBACK};
    use socklab::socket::AF_INET;

    const PORT: u16 = htons(5678);
    const PORT_BACK: u16 = ntohs(PORT);
    const ADDR: u32 = htonl(INADDR_LOOPBACK);
    const ADDR_BACK: u32 = ntohl(ADDR);
    /// The notes' three lines, as a `static` built by the compiler.
    static SERVER_ADDR: sockaddr_in = sockaddr_in {
        sin_family: AF_INET as sa_family_t,
        sin_port: htons(5678),
        sin_addr: in_addr {
            s_addr: htonl(INADDR_LOOPBACK),
        },
        sin_zero: [0; 8],
    };
    /// In an array length, which only a constant may be.
    const LEN: usize = ntohs(htons(3)) as usize;
    const ARRAY: [u8; LEN] = [0; LEN];

    #[test]
    fn usable_in_const_context() {
        assert_eq!(PORT, glibc::htons(5678));
        assert_eq!(PORT_BACK, glibc::ntohs(glibc::htons(5678)));
        assert_eq!(ADDR, glibc::htonl(INADDR_LOOPBACK));
        assert_eq!(ADDR_BACK, glibc::ntohl(glibc::htonl(INADDR_LOOPBACK)));
        assert_eq!(SERVER_ADDR.sin_port, glibc::htons(5678));
        assert_eq!(SERVER_ADDR.sin_addr.s_addr, glibc::htonl(INADDR_LOOPBACK));
        assert_eq!(ARRAY.len(), usize::from(glibc::ntohs(glibc::htons(3))));
    }
}
