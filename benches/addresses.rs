//! `htons`, `inet_addr` and `inet_ntoa`: socklab's against glibc's own, timed with
//! criterion (`cargo bench --bench addresses`, part of `just bench`).
//!
//! glibc's are its exported functions, declared below as the tests declare them (the libc
//! crate's `htons` is Rust's `to_be`, not C's). Each benchmark is a group named after the
//! C call, with two functions, `socklab` and `glibc`, timed in [`ROUNDS`] rounds, the two
//! one after the other in each: a shared machine is faster or slower by the minute, and
//! a ratio is only as good as the closeness in time of what it compares (the echo
//! benchmarks, `examples/bench.rs`, do the same). Criterion keeps each estimate in
//! `target/criterion/<call>/<function>/<round>/new/estimates.json`, which
//! `examples/bench.rs` reads for the table in `book/src/generated/bench.txt`: the ratio
//! of each round, and their min, median and max.
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
//! The clock is this thread's CPU time ([`ThreadCpuTime`]), not the wall clock: on a
//! shared machine, the wall clock also counts the time the benchmark waited while another
//! process had the CPU, which here changed a median by half from one run to the next.
//! The times are kept short (0.2 s of warm-up and 0.5 s of measurement per function and
//! round) so that `just bench` stays within minutes; criterion's confidence intervals show
//! what that costs in precision.

use std::ffi::CStr;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Bencher, BenchmarkId, Criterion};

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

/// Criterion's clock for these benchmarks: the CPU time of the calling thread,
/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, which stands still while the thread waits
/// for the CPU. It is read once per sample of many calls, so its own cost (a system call:
/// the vDSO does not serve this clock) is spread over them, as criterion's regression
/// over sample sizes also removes it.
struct ThreadCpuTime;

/// This thread's CPU time so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to `ts`, which is ours and that size.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_time()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_time().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // The wall clock's: the values are durations all the same.
        let wall: &'static WallTime = &WallTime;
        wall.formatter()
    }
}

/// One benchmark function: its name and what it times.
type Function = (
    &'static str,
    Box<dyn FnMut(&mut Bencher<'_, ThreadCpuTime>)>,
);

fn htons_functions() -> Vec<Function> {
    vec![
        ("socklab", Box::new(|b| b.iter(|| htons(black_box(5678))))),
        (
            "glibc",
            // SAFETY: htons takes and returns a uint16_t by value and touches no memory.
            Box::new(|b| b.iter(|| unsafe { glibc::htons(black_box(5678)) })),
        ),
    ]
}

fn inet_addr_functions() -> Vec<Function> {
    vec![
        (
            "socklab",
            Box::new(|b| b.iter(|| inet_addr(black_box(ADDRESS.as_bytes())))),
        ),
        (
            "glibc",
            // SAFETY: ADDRESS_C is a NUL-terminated static string; inet_addr only reads it.
            Box::new(|b| b.iter(|| unsafe { glibc::inet_addr(black_box(ADDRESS_C).as_ptr()) })),
        ),
    ]
}

fn inet_ntoa_functions() -> Vec<Function> {
    // 192.168.31.24, in network order: the notes' §4.4.6.1 example.
    let s_addr = u32::from_ne_bytes([192, 168, 31, 24]);
    vec![
        (
            "socklab",
            Box::new(move |b| b.iter(|| inet_ntoa(black_box(in_addr { s_addr })))),
        ),
        (
            "glibc",
            Box::new(move |b| {
                b.iter(|| {
                    // SAFETY: inet_ntoa takes the address by value and returns a pointer to
                    // its own static buffer, which black_box only passes on (unread).
                    unsafe { glibc::inet_ntoa(black_box(libc::in_addr { s_addr })) }
                })
            }),
        ),
        (
            "glibc-copied",
            Box::new(move |b| {
                b.iter(|| {
                    // SAFETY: inet_ntoa returns a pointer to a NUL-terminated string in a
                    // per-thread static buffer, valid until this thread's next call; it is
                    // copied out at once.
                    let text = unsafe {
                        CStr::from_ptr(glibc::inet_ntoa(black_box(libc::in_addr { s_addr })))
                    };
                    text.to_string_lossy().into_owned()
                })
            }),
        ),
    ]
}

/// What makes a C call's benchmark functions.
type Functions = fn() -> Vec<Function>;

/// The C calls, and their benchmark functions.
const CALLS: [(&str, Functions); 3] = [
    ("htons", htons_functions),
    ("inet_addr", inet_addr_functions),
    ("inet_ntoa", inet_ntoa_functions),
];

/// Rounds: each times every function once, socklab's and glibc's one after the other.
const ROUNDS: u32 = 5;

fn main() {
    let mut c = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(500))
        .sample_size(30)
        .configure_from_args();
    for round in 1..=ROUNDS {
        for (call, functions) in CALLS {
            let mut functions = functions();
            // Every other round glibc's go first, so that neither side is always second.
            if round % 2 == 0 {
                functions.reverse();
            }
            let mut group = c.benchmark_group(call);
            for (name, mut f) in functions {
                group.bench_function(BenchmarkId::new(name, round), |b| f(b));
            }
            group.finish();
        }
    }
    c.final_summary();
}
