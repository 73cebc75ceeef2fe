//! Processes and signals (notes §6): `fork`, `waitpid`, `signal`, `sigaction`, and the
//! notes' own `rd_op`.
//!
//! # fork, and who holds which descriptor
//!
//! [`fork`] makes a second process that is a copy of the first: the same code, a copy of
//! its memory, and **the same open descriptors**. After `fork` in the notes' chat, parent
//! and child both hold the connected socket; the child writes to it, the parent reads
//! from it. The connection is closed (a FIN sent) only when *every* process that holds it
//! has closed it: so a server that forks a child per client must `close` the connection
//! in the parent, and the listening socket in the child (see the fork-echo lesson).
//!
//! A child that ends becomes a *zombie*: its exit status waits in the kernel until the
//! parent collects it with [`waitpid`]. The notes' programs never do; a server that forks
//! per client must, or zombies pile up. The usual way is a `SIGCHLD` handler that calls
//! `waitpid(-1, WNOHANG)` until there is no one left ([`reap_children`]).
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

pub use libc::{pid_t, SIGCHLD, SIGINT, SIGPIPE, SIGTERM};
pub use libc::{SA_RESTART, WNOHANG};
pub use nix::unistd::ForkResult;

use std::os::fd::AsFd;

use crate::stream::{read, write};

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

/// Creates a child process, a copy of this one; returns twice, once in each.
///
/// Mirrors C `fork(2)`, notes §6: C's `pid_t pid = fork();` returns 0 in the child and the
/// child's id in the parent; here that is `ForkResult::Child` and
/// `ForkResult::Parent { child }`. One system call (`clone`). Through
/// `nix::unistd::fork`. See [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html).
///
/// # Safety
///
/// Only the thread that calls `fork` is copied into the child. If the process has other
/// threads, they vanish in the child in the middle of whatever they were doing, and any
/// lock one of them held (the allocator's, stdout's) stays locked forever. So in the
/// child of a **multi-threaded** process, call only async-signal-safe functions (see
/// signal-safety(7): `write`, `read`, `close`, `_exit`, `execve`… but not `malloc`,
/// `println!`, or anything that may allocate or lock) until it `exec`s or exits.
///
/// The lessons' programs are single-threaded, as the notes' C is: their children may do
/// anything their parent could. (The test harness is multi-threaded; that is why the
/// tests fork only inside the twins' own processes, never in a test.)
pub unsafe fn fork() -> Result<ForkResult, Errno> {
    // SAFETY: the caller upholds the contract above, which is nix's.
    unsafe { nix::unistd::fork() }
}

/// Waits for a child to change state, and returns its id and its wait status.
///
/// Mirrors C `waitpid(2)`: `pid` -1 means any child; `options` `WNOHANG` means do not
/// block, and then `Ok((0, 0))` says a child exists but none has ended. `ECHILD` means
/// there are no children at all. One system call (`wait4`). See
/// [waitpid(2)](https://man7.org/linux/man-pages/man2/waitpid.2.html).
pub fn waitpid(pid: pid_t, options: c_int) -> Result<(pid_t, c_int), Errno> {
    let mut status: c_int = 0;
    // SAFETY: `status` is a live int that waitpid may write.
    let child = Errno::result(unsafe { libc::waitpid(pid, &mut status, options) })?;
    Ok((child, status))
}

/// Installs `handler` for signal `signum`, with `flags` (`SA_RESTART`: restart slow calls
/// such as `accept` instead of failing them with `EINTR`).
///
/// Mirrors C `sigaction(2)` with `sa_handler` set and an empty `sa_mask`. One system call
/// (`rt_sigaction`). See [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html).
///
/// # Safety
///
/// `handler` runs in signal context, in the middle of whatever the program was doing: it
/// may call only async-signal-safe functions (signal-safety(7)), must not allocate,
/// lock, or panic, and must save and restore `errno` if it changes it.
pub unsafe fn sigaction(
    signum: c_int,
    handler: extern "C" fn(c_int),
    flags: c_int,
) -> Result<(), Errno> {
    // SAFETY: a zeroed `struct sigaction` is a valid value (empty mask, no flags).
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as libc::sighandler_t;
    action.sa_flags = flags;
    // SAFETY: `action` is a valid sigaction; the caller vouches for the handler.
    Errno::result(unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) }).map(drop)
}

/// A `SIGCHLD` handler that reaps every child that has ended: `waitpid(-1, WNOHANG)`
/// until none is left. Install it with `sigaction(SIGCHLD, reap_children, SA_RESTART)`.
///
/// One `SIGCHLD` may stand for several children (signals of one kind do not queue), hence
/// the loop. It touches only `errno` (saved and restored) and `waitpid`, which is
/// async-signal-safe.
pub extern "C" fn reap_children(_signo: c_int) {
    let saved = Errno::last_raw();
    // SAFETY: waitpid with a null status pointer writes nothing of ours.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
    Errno::set_raw(saved);
}

/// Reads up to 100 bytes from `fd_rd` and writes **100 bytes** to `fd_wr`, whatever it
/// read: the notes' `rd_op` (§6, "代码简化"), bug included.
///
/// The notes' C:
///
/// ```c
/// void rd_op(int fd_rd, int fd_rw)
/// {
///     char buf[100] = "\0";
///     ssize_t ret = read(fd_rd, buf, sizeof(buf));
///     write(fd_rw, buf, sizeof(buf));
/// }
/// ```
///
/// `ret` is never used: a line of 6 bytes goes out as the 6 bytes and 94 NULs, and at the
/// end of input (`read` returns 0) it writes 100 NULs, forever, as its caller loops.
/// Returns what `read` returned, which the notes drop, so that a caller can see it.
/// Two system calls.
// ANCHOR: rd_op
pub fn rd_op(fd_rd: impl AsFd, fd_wr: impl AsFd) -> Result<usize, Errno> {
    let mut buf = [0u8; 100];
    let ret = read(fd_rd, &mut buf);
    let _ = write(fd_wr, &buf); // the bug: sizeof(buf), not ret
    ret
}
// ANCHOR_END: rd_op
