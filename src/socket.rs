//! Sockets are files: `socket` and `close` (notes §3.2, §4.4.1, §4.4.7).
//!
//! `socket()` asks the kernel for a new endpoint and returns a file descriptor, a small
//! integer indexing the process's table of open files, like the one `open()` returns.
//! Here it comes back as an [`OwnedFd`]: Rust closes it when it goes out of scope, and
//! [`close`] takes it by value, so a socket cannot be used after it is closed, nor closed
//! twice. `sockfd.as_raw_fd()` is the C integer (3 in the lessons: 0, 1, 2 are taken by
//! stdin, stdout, stderr).

use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};

use libc::c_int;
use nix::errno::Errno;

/// `AF_INET`, IPv4 Internet protocols. A `c_int`, as `socket()` takes it; a `sockaddr_in`'s
/// `sin_family` is a `sa_family_t`, so there it is written `AF_INET as sa_family_t`
/// (C converts silently).
pub const AF_INET: c_int = libc::AF_INET;
/// `AF_INET6`, IPv6 Internet protocols.
pub const AF_INET6: c_int = libc::AF_INET6;
/// `AF_UNIX`, local communication between processes of one host.
pub const AF_UNIX: c_int = libc::AF_UNIX;
/// `AF_PACKET`, raw frames at the device driver level (Linux).
pub const AF_PACKET: c_int = libc::AF_PACKET;

// ANCHOR: types
/// `SOCK_STREAM`: a reliable, ordered, connected byte stream. With `AF_INET`, TCP.
pub const SOCK_STREAM: c_int = libc::SOCK_STREAM;
/// `SOCK_DGRAM`: connectionless messages of bounded size, unreliable. With `AF_INET`, UDP.
pub const SOCK_DGRAM: c_int = libc::SOCK_DGRAM;
/// `SOCK_RAW`: raw network protocol access, below the transport layer (needs `CAP_NET_RAW`).
pub const SOCK_RAW: c_int = libc::SOCK_RAW;
// ANCHOR_END: types
/// `SOCK_CLOEXEC`, or'ed into the type: close the socket when the process `exec`s.
pub const SOCK_CLOEXEC: c_int = libc::SOCK_CLOEXEC;
/// `SOCK_NONBLOCK`, or'ed into the type: calls that would block fail with `EAGAIN` instead.
pub const SOCK_NONBLOCK: c_int = libc::SOCK_NONBLOCK;

/// `IPPROTO_TCP`, the protocol number of TCP (6); 0 lets the kernel choose it from the type.
pub const IPPROTO_TCP: c_int = libc::IPPROTO_TCP;
/// `IPPROTO_UDP`, the protocol number of UDP (17).
pub const IPPROTO_UDP: c_int = libc::IPPROTO_UDP;

/// Creates an endpoint for communication and returns a file descriptor that refers to it.
///
/// Mirrors C `socket(2)`, notes §4.4.1: `socket(AF_INET, SOCK_DGRAM, 0)` is a UDP socket,
/// `socket(AF_INET, SOCK_STREAM, 0)` a TCP one; `protocol` 0 lets the kernel pick the
/// protocol that fits the type. One system call. See
/// [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html).
///
/// Errors as C's `errno`: `EAFNOSUPPORT`, `EINVAL` (unknown type), `EPROTONOSUPPORT`,
/// `EACCES` (e.g. `SOCK_RAW` without `CAP_NET_RAW`), `EMFILE` (no descriptor left)…
// ANCHOR: socket
pub fn socket(domain: c_int, ty: c_int, protocol: c_int) -> Result<OwnedFd, Errno> {
    // SAFETY: socket(2) takes three integers and touches no memory of ours.
    let fd = Errno::result(unsafe { libc::socket(domain, ty, protocol) })?;
    // SAFETY: the kernel just returned `fd`, open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
// ANCHOR_END: socket

/// Closes a file descriptor; for a socket, the last close releases the endpoint.
///
/// Mirrors C `close(2)`, notes §4.4.7. One system call. See
/// [close(2)](https://man7.org/linux/man-pages/man2/close.2.html).
///
/// It takes the descriptor by value: after `close(sockfd)` the compiler refuses any use
/// of `sockfd`. The notes' C ignores what `close` returns; a twin that does the same
/// writes `let _ = close(sockfd);`, and the `let _` shows that an error is dropped.
/// (Dropping an `OwnedFd` closes it too, silently.)
// ANCHOR: close
pub fn close(fd: OwnedFd) -> Result<(), Errno> {
    let raw = fd.into_raw_fd();
    // SAFETY: `into_raw_fd` gave up ownership, so this is the one close of `raw`.
    Errno::result(unsafe { libc::close(raw) }).map(drop)
}
// ANCHOR_END: close
