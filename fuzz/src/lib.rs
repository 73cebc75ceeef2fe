//! The property that the fuzz target `inet` checks, as a plain function: on any bytes,
//! socklab's address parsers answer exactly what glibc's answer.
//!
//! [`check`] reads `data` as every parser of `src/inet.rs` reads it, and compares:
//!
//! - `inet_addr(data)`, network order, `INADDR_NONE` for an error;
//! - `inet_aton(data)`, the address or "not one";
//! - `inet_pton(AF_INET, data)` and `inet_pton(AF_INET6, data)`: the 4 or 16 bytes, or
//!   "not one";
//! - and for whatever was read, `inet_ntoa` and `inet_ntop` of it, back to text.
//!
//! The oracle is glibc's own functions, declared `extern "C"` below, called on `data`
//! with a NUL appended: C reads a `char *` up to its first NUL, which may be one of
//! `data`'s own; ours are given `data` as it is and must stop at the same place.
//!
//! Used twice, the same source: by `fuzz_targets/inet.rs` (`cargo fuzz run inet`, which
//! needs a nightly compiler; `just fuzz`), and by `tests/bad_input.rs` (`#[path]`), which
//! runs it on `tests/data/inet-corpus.txt` and on seeded random bytes under `cargo test`,
//! so that the target's property compiles and holds on the stable compiler too.
//! `tests/inet.rs` is the full test of these functions (corpus, proptest, exhaustive
//! loops); this is the same comparison in the shape a fuzzer wants: bytes in, a panic
//! on the first disagreement.

use std::ffi::CStr;

use libc::{c_char, c_int, AF_INET, AF_INET6};
use socklab::inet::{inet_addr, inet_aton, inet_ntoa, inet_ntop, inet_pton, InetAddr};
use socklab::sockaddr::{in6_addr, in_addr};

/// glibc's functions, as `<arpa/inet.h>` declares them.
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

/// `bytes` with a NUL appended: the C string C reads (up to its first NUL).
fn c_string(bytes: &[u8]) -> Vec<u8> {
    let mut s = bytes.to_vec();
    s.push(0);
    s
}

/// glibc's `inet_addr(cp)`: network order, `INADDR_NONE` on error.
pub fn glibc_inet_addr(cp: &[u8]) -> u32 {
    let cp = c_string(cp);
    // SAFETY: `cp` is NUL-terminated and outlives the call; inet_addr only reads it.
    unsafe { ffi::inet_addr(cp.as_ptr().cast::<c_char>()) }
}

/// glibc's `inet_aton(cp, &addr)`: `Some(s_addr)` (network order) if it returned 1.
pub fn glibc_inet_aton(cp: &[u8]) -> Option<u32> {
    let cp = c_string(cp);
    let mut addr = libc::in_addr { s_addr: 0 };
    // SAFETY: `cp` is NUL-terminated and outlives the call; `addr` is a writable
    // `struct in_addr`, all inet_aton writes.
    let rc = unsafe { ffi::inet_aton(cp.as_ptr().cast::<c_char>(), &mut addr) };
    assert!(rc == 0 || rc == 1, "glibc inet_aton returned {rc}");
    (rc == 1).then_some(addr.s_addr)
}

/// glibc's `inet_pton(af, src, dst)`: `Some(bytes)` (network order, 4 or 16) if it
/// returned 1, `None` if 0. `af` is `AF_INET` or `AF_INET6`, for which it never
/// returns -1.
pub fn glibc_inet_pton(af: c_int, src: &[u8]) -> Option<Vec<u8>> {
    let src = c_string(src);
    // An in6_addr's worth of plain bytes: room for either family's address.
    let mut dst = [0u8; 16];
    // SAFETY: `src` is NUL-terminated and outlives the call; `dst` has room for the
    // largest address inet_pton writes (16 bytes, AF_INET6).
    let rc = unsafe { ffi::inet_pton(af, src.as_ptr().cast::<c_char>(), dst.as_mut_ptr().cast()) };
    assert!(rc == 0 || rc == 1, "glibc inet_pton({af}) returned {rc}");
    let len = if af == AF_INET { 4 } else { 16 };
    (rc == 1).then(|| dst[..len].to_vec())
}

/// glibc's `inet_ntoa`, copied out of its static buffer at once.
pub fn glibc_inet_ntoa(s_addr: u32) -> String {
    // SAFETY: inet_ntoa takes the struct by value and returns its thread's static,
    // NUL-terminated buffer, which we copy before this thread calls it again.
    unsafe { CStr::from_ptr(ffi::inet_ntoa(libc::in_addr { s_addr })) }
        .to_string_lossy()
        .into_owned()
}

/// glibc's `inet_ntop(af, src, dst, INET6_ADDRSTRLEN)`; `src` is 4 or 16 bytes.
pub fn glibc_inet_ntop(af: c_int, src: &[u8]) -> String {
    assert_eq!(src.len(), if af == AF_INET { 4 } else { 16 });
    let mut dst = [0 as c_char; INET6_ADDRSTRLEN];
    // SAFETY: `src` holds the 4 or 16 bytes inet_ntop reads for `af`; `dst` is
    // writable for the size given.
    let p = unsafe {
        ffi::inet_ntop(
            af,
            src.as_ptr().cast(),
            dst.as_mut_ptr(),
            dst.len() as libc::socklen_t,
        )
    };
    assert!(!p.is_null(), "glibc inet_ntop({af}) failed");
    // SAFETY: on success inet_ntop wrote a NUL-terminated string into `dst`.
    unsafe { CStr::from_ptr(dst.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// Ours, in the shape of [`glibc_inet_pton`]'s answer; checks that the address is of
/// the family asked for.
fn ours_pton(af: c_int, src: &[u8]) -> Option<Vec<u8>> {
    let found =
        inet_pton(af, src).unwrap_or_else(|e| panic!("inet_pton({af}, {}): {e}", show(src)))?;
    assert_eq!(
        found.af(),
        af,
        "inet_pton({af}, {}) gave {found:?}",
        show(src)
    );
    Some(match found {
        InetAddr::V4(a) => a.s_addr.to_ne_bytes().to_vec(),
        InetAddr::V6(a) => a.s6_addr.to_vec(),
    })
}

/// `bytes`, printable.
pub fn show(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

/// Panics, naming the input and the call, unless socklab and glibc agree on `data`
/// for every parser (and for the text of what they read).
pub fn check(data: &[u8]) {
    let input = show(data);

    let glibc = glibc_inet_addr(data);
    let ours = inet_addr(data);
    assert_eq!(
        ours, glibc,
        "inet_addr({input}): ours {ours:#010x}, glibc's {glibc:#010x}"
    );

    let glibc = glibc_inet_aton(data);
    let ours = inet_aton(data).map(|a| a.s_addr);
    assert_eq!(ours, glibc, "inet_aton({input})");
    if let Some(s_addr) = ours {
        let text = inet_ntoa(in_addr { s_addr });
        assert_eq!(
            text,
            glibc_inet_ntoa(s_addr),
            "inet_ntoa(inet_aton({input}))"
        );
    }

    for af in [AF_INET, AF_INET6] {
        let glibc = glibc_inet_pton(af, data);
        let ours = ours_pton(af, data);
        assert_eq!(ours, glibc, "inet_pton({af}, {input})");
        let Some(bytes) = ours else { continue };
        let addr = if af == AF_INET {
            let s_addr = u32::from_ne_bytes(bytes[..].try_into().unwrap());
            InetAddr::V4(in_addr { s_addr })
        } else {
            InetAddr::V6(in6_addr {
                s6_addr: bytes[..].try_into().unwrap(),
            })
        };
        assert_eq!(
            inet_ntop(&addr),
            glibc_inet_ntop(af, &bytes),
            "inet_ntop(inet_pton({af}, {input}))"
        );
    }
}
