//! Fuzz target `inet`: socklab's `inet_addr`, `inet_aton` and `inet_pton` (`AF_INET` and
//! `AF_INET6`) against glibc's, on whatever bytes libFuzzer makes. The property is
//! `socklab_fuzz::check` (`fuzz/src/lib.rs`); a disagreement panics, and libFuzzer
//! saves the input under `fuzz/artifacts/inet/`.
//!
//! Run with `just fuzz` (60 s), or `cargo +nightly fuzz run inet -- -max_total_time=60
//! -dict=fuzz/inet.dict` from the checkout.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    socklab_fuzz::check(data);
});
