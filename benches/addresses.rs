//! `htons`, `inet_addr` and `inet_ntoa`: socklab's against glibc's own, timed with
//! criterion (`cargo bench --bench addresses`, part of `just bench`).
//!
//! glibc's are its exported functions, declared below as the tests declare them (the libc
//! crate's `htons` is Rust's `to_be`, not C's). Each benchmark is a group named after the
//! C call, with two functions, `socklab` and `glibc`; criterion keeps their estimates in
//! `target/criterion/<call>/<function>/new/estimates.json`, which `examples/bench.rs`
//! reads for the table in `book/src/generated/bench.txt`.
//!
//! What each pair compares, and why it is fair or not:
//! - `htons`: socklab's is a `const fn`, inlined into the caller as one byte swap; glibc's
//!   exported `htons` is a call into the shared library. A C program compiled with `-O2`
//!   does not call it either: `<arpa/inet.h>` makes `htons(x)` the macro `__bswap_16(x)`,
//!   inlined as socklab's is. So the pair measures a call into glibc against no call.
//! - `inet_addr`: both parse the notes' address, "192.168.126.136"; glibc's takes a C
//!   string, socklab's a byte slice. The same work, the same result.
//! - `inet_ntoa`: glibc formats into a static (per-thread) buffer and returns a pointer to
//!   it, which the next call overwrites; socklab's returns a new `String` (one heap
//!   allocation, freed here). `glibc-copied` adds the copy that a Rust caller of
//!   glibc's would need to keep the text, for an even comparison.
//!
//! Inputs and results go through `black_box`, so that the compiler can neither compute
//! them once at compile time nor drop calls whose results are unused.
//!
//! The times are kept short (0.5 s of warm-up and 1.5 s of measurement per function) so
//! that `just bench` stays within minutes; criterion's confidence intervals show what
//! that costs in precision.

use std::ffi::CStr;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

use socklab::byteorder::htons;
use socklab::inet::{inet_addr, inet_ntoa};
use socklab::sockaddr::in_addr;

/// glibc's exported functions, as `<netinet/in.h>` and `<arpa/inet.h>` declare them.
mod glibc {
    use libc::{c_char, in_addr, in_addr_t};

    extern "C" {
        pub fn htons(hostshort: u16) -> u16;
        pub fn inet_addr(cp: *const c_char) -> in_addr_t;
        pub fn inet_ntoa(addr: in_addr) -> *mut c_char;
    }
}

/// The notes' server address (§4.6), as the client's `inet_addr` reads it.
const ADDRESS: &str = "192.168.126.136";
/// The same, as a C string for glibc.
const ADDRESS_C: &CStr = c"192.168.126.136";

fn bench_htons(c: &mut Criterion) {
    let mut group = c.benchmark_group("htons");
    group.bench_function("socklab", |b| b.iter(|| htons(black_box(5678))));
    group.bench_function("glibc", |b| {
        // SAFETY: htons takes and returns a uint16_t by value and touches no memory.
        b.iter(|| unsafe { glibc::htons(black_box(5678)) })
    });
    group.finish();
}

fn bench_inet_addr(c: &mut Criterion) {
    let mut group = c.benchmark_group("inet_addr");
    group.bench_function("socklab", |b| {
        b.iter(|| inet_addr(black_box(ADDRESS.as_bytes())))
    });
    group.bench_function("glibc", |b| {
        // SAFETY: ADDRESS_C is a NUL-terminated static string; inet_addr only reads it.
        b.iter(|| unsafe { glibc::inet_addr(black_box(ADDRESS_C).as_ptr()) })
    });
    group.finish();
}

fn bench_inet_ntoa(c: &mut Criterion) {
    // 192.168.31.24, in network order: the notes' §4.4.6.1 example.
    let s_addr = u32::from_ne_bytes([192, 168, 31, 24]);
    let mut group = c.benchmark_group("inet_ntoa");
    group.bench_function("socklab", |b| {
        b.iter(|| inet_ntoa(black_box(in_addr { s_addr })))
    });
    group.bench_function("glibc", |b| {
        b.iter(|| {
            // SAFETY: inet_ntoa takes the address by value and returns a pointer to its
            // own static buffer, which black_box only passes on (it is not read here).
            unsafe { glibc::inet_ntoa(black_box(libc::in_addr { s_addr })) }
        })
    });
    group.bench_function("glibc-copied", |b| {
        b.iter(|| {
            // SAFETY: inet_ntoa returns a pointer to a NUL-terminated string in a
            // per-thread static buffer, valid until this thread's next call; it is
            // copied out at once.
            let text =
                unsafe { CStr::from_ptr(glibc::inet_ntoa(black_box(libc::in_addr { s_addr }))) };
            text.to_string_lossy().into_owned()
        })
    });
    group.finish();
}

criterion_group! {
    name = addresses;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50);
    targets = bench_htons, bench_inet_addr, bench_inet_ntoa
}
criterion_main!(addresses);
