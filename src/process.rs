//! Processes and signals (notes §6).
//!
//! So far: [`signal`] with `SIG_DFL` and `SIG_IGN`, which the twins need to start in the
//! state a C program starts in.
//!
//! # SIGPIPE, and why the twins reset it
//!
//! Writing to a socket (or pipe) whose other end is closed raises `SIGPIPE`, whose
//! default action kills the process. A C program starts with that default. Rust's
//! runtime sets `SIGPIPE` to `SIG_IGN` before `main`, so that such a write fails with
//! `EPIPE` instead, which Rust reports as an error. The notes' TCP echo server relies on
//! the C behaviour without knowing it: it ignores every error, and it is `SIGPIPE` that
//! ends it once its client has gone. So every twin starts with
//! `signal(SIGPIPE, SIG_DFL)`, to be the C program it mirrors.

use libc::c_int;
use nix::errno::Errno;

pub use libc::{SIGCHLD, SIGINT, SIGPIPE, SIGTERM};

/// What [`signal`] may set a signal's disposition to.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// `SIG_DFL`: the default action (for `SIGPIPE`, `SIGTERM`, `SIGINT`: terminate).
    SIG_DFL,
    /// `SIG_IGN`: ignore the signal.
    SIG_IGN,
    /// A handler function (only ever returned, as the previous disposition).
    Handler,
}

pub use Disposition::{SIG_DFL, SIG_IGN};

/// Sets the disposition of signal `signum` to `SIG_DFL` or `SIG_IGN`; returns the old one.
///
/// Mirrors C `signal(2)` for those two dispositions. A handler function is left out on
/// purpose: what a handler may do is the hard part of signals (see `sigaction(2)`), and
/// the lessons that need one (issue: fork-echo) use `sigaction`. Setting `SIG_DFL` or
/// `SIG_IGN` runs no code of ours asynchronously, so this function is safe. One system
/// call (`rt_sigaction`). See [signal(2)](https://man7.org/linux/man-pages/man2/signal.2.html).
// ANCHOR: signal
pub fn signal(signum: c_int, handler: Disposition) -> Result<Disposition, Errno> {
    let new = match handler {
        SIG_DFL => libc::SIG_DFL,
        SIG_IGN => libc::SIG_IGN,
        Disposition::Handler => return Err(Errno::EINVAL),
    };
    // SAFETY: SIG_DFL and SIG_IGN install no function of ours, so no code of this
    // program can run in signal context as a result of this call.
    let old = unsafe { libc::signal(signum, new) };
    if old == libc::SIG_ERR {
        return Err(Errno::last());
    }
    Ok(match old {
        libc::SIG_DFL => SIG_DFL,
        libc::SIG_IGN => SIG_IGN,
        _ => Disposition::Handler,
    })
}
// ANCHOR_END: signal
