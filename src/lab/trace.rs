//! System-call traces with `strace` (being written).

use std::ffi::OsString;
use std::path::Path;

/// The words that put a program under `strace`, writing its trace to `out`.
pub fn strace_prefix(out: &Path) -> Vec<OsString> {
    vec![
        "strace".into(),
        "-f".into(),
        "-qq".into(),
        "-o".into(),
        out.into(),
        "-e".into(),
        "trace=%network,close".into(),
    ]
}
