//! Socket options: `setsockopt` and `getsockopt` (notes §6, "bind错误处理").
//!
//! C's `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on))` takes the value as a
//! `void *` and its size: nothing stops `&on` from pointing to a `char`, or the level from
//! being `IPPROTO_TCP`; the kernel then answers `EINVAL`, or reads a wrong value. Here
//! each option is a type that knows its level and its value's type, so
//!
//! ```
//! use socklab::apue::*;
//! use socklab::sockopt::{setsockopt, getsockopt, SOL_SOCKET, SO_REUSEADDR};
//!
//! let sockfd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
//! let on: c_int = 1;
//! setsockopt(&sockfd, SOL_SOCKET, SO_REUSEADDR, &on).unwrap();
//! assert_eq!(getsockopt(&sockfd, SOL_SOCKET, SO_REUSEADDR).unwrap(), 1);
//! ```
//!
//! reads as the C does, while a wrong value does not compile:
//!
// ANCHOR: compile_fail
//! ```compile_fail
//! use socklab::apue::*;
//! use socklab::sockopt::{setsockopt, SOL_SOCKET, SO_REUSEADDR};
//!
//! let sockfd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
//! setsockopt(&sockfd, SOL_SOCKET, SO_REUSEADDR, &true).unwrap(); // a bool is not an int
//! ```
// ANCHOR_END: compile_fail

#![allow(non_camel_case_types)] // The C names, on purpose.

use std::mem;
use std::os::fd::{AsFd, AsRawFd};

use libc::c_int;
use nix::errno::Errno;

use crate::sockaddr::socklen_t;

mod sealed {
    pub trait Sealed {}
}

/// A protocol level of socket options (C's `level` argument).
pub trait Level: sealed::Sealed + Copy {
    /// The C constant.
    const LEVEL: c_int;
}

/// `SOL_SOCKET`: options of the socket layer itself, whatever the protocol.
#[derive(Clone, Copy, Debug)]
pub struct SOL_SOCKET_t;
impl sealed::Sealed for SOL_SOCKET_t {}
impl Level for SOL_SOCKET_t {
    const LEVEL: c_int = libc::SOL_SOCKET;
}
/// `SOL_SOCKET`, the level of `SO_REUSEADDR` and `SO_BROADCAST`.
pub const SOL_SOCKET: SOL_SOCKET_t = SOL_SOCKET_t;

/// A socket option: its level, its number, and the type of its value.
// ANCHOR: SockOpt
pub trait SockOpt: sealed::Sealed + Copy {
    /// The level it belongs to.
    type Level: Level;
    /// The type of its value (C's `optval` points to one of these).
    type Value: Copy + Default;
    /// The C constant.
    const NAME: c_int;
}
// ANCHOR_END: SockOpt

macro_rules! int_option {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $c:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $ty;
        impl sealed::Sealed for $ty {}
        impl SockOpt for $ty {
            type Level = SOL_SOCKET_t;
            type Value = c_int;
            const NAME: c_int = $c;
        }
        $(#[$doc])*
        pub const $name: $ty = $ty;
    };
}

// ANCHOR: so_reuseaddr
int_option!(
    /// `SO_REUSEADDR` (an `int`, 0 or 1): let `bind` take a local port that a closed
    /// connection still holds in `TIME_WAIT`. It does **not** let two sockets listen on
    /// one port at once (that is `SO_REUSEPORT`). See
    /// [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html).
    SO_REUSEADDR_t,
    SO_REUSEADDR,
    libc::SO_REUSEADDR
);
// ANCHOR_END: so_reuseaddr

int_option!(
    /// `SO_BROADCAST` (an `int`, 0 or 1): allow `sendto` to a broadcast address (without
    /// it, `EACCES`, "Permission denied"). See
    /// [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html).
    SO_BROADCAST_t,
    SO_BROADCAST,
    libc::SO_BROADCAST
);

/// Sets a socket option.
///
/// Mirrors C `setsockopt(2)`, notes §6: `setsockopt(&sockfd, SOL_SOCKET, SO_REUSEADDR,
/// &on)` is C's `setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on))`; the
/// size comes from the value's type. One system call. See
/// [setsockopt(2)](https://man7.org/linux/man-pages/man2/setsockopt.2.html).
// ANCHOR: setsockopt
pub fn setsockopt<O: SockOpt>(
    sockfd: impl AsFd,
    level: O::Level,
    optname: O,
    optval: &O::Value,
) -> Result<(), Errno> {
    let _ = (level, optname); // both are in the types; the values carry nothing
    let fd = sockfd.as_fd().as_raw_fd();
    let len = mem::size_of::<O::Value>() as socklen_t;
    let ptr: *const O::Value = optval;
    // SAFETY: `optval` is readable for `len` bytes, and the sealed SockOpt impls give
    // each option the value type the kernel expects; setsockopt(2) only reads it.
    let rc = unsafe { libc::setsockopt(fd, <O::Level as Level>::LEVEL, O::NAME, ptr.cast(), len) };
    Errno::result(rc).map(drop)
}
// ANCHOR_END: setsockopt

/// Gets a socket option's value.
///
/// Mirrors C `getsockopt(2)`. One system call. See
/// [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html).
pub fn getsockopt<O: SockOpt>(
    sockfd: impl AsFd,
    level: O::Level,
    optname: O,
) -> Result<O::Value, Errno> {
    let _ = (level, optname);
    let fd = sockfd.as_fd().as_raw_fd();
    let mut value = O::Value::default();
    let mut len = mem::size_of::<O::Value>() as socklen_t;
    let ptr: *mut O::Value = &mut value;
    // SAFETY: `value` is writable for `len` bytes, of the type the kernel writes for
    // this option (the sealed SockOpt impls), and `len` is a live socklen_t.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            <O::Level as Level>::LEVEL,
            O::NAME,
            ptr.cast(),
            &mut len,
        )
    };
    Errno::result(rc).map(|_| value)
}
