//! Naming a socket: `bind` (notes §4.4.5).
//!
//! A new socket has no address. `bind` gives it one: the local IP address and port that
//! datagrams (or connections) must be sent to. A server binds a well-known port; a client
//! usually doesn't, and the kernel binds it to an ephemeral port at its first `sendto`
//! or `connect`.

use std::os::fd::{AsFd, AsRawFd};

use nix::errno::Errno;

use crate::sockaddr::SockAddr;

/// Binds a name (a local address) to a socket.
///
/// Mirrors C `bind(2)`, notes §4.4.5. One system call. See
/// [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html).
///
/// C writes `bind(sockfd, (struct sockaddr *)&addr, sizeof(addr))`: a cast to the generic
/// `struct sockaddr *` and a length that must match. Here `addr` is any [`SockAddr`], which
/// supplies both, so `bind(&sockfd, &addr)` has neither cast nor `sizeof`.
///
/// The errors a student meets: `EADDRINUSE` ("Address already in use": another socket
/// holds the port, or a closed TCP connection in `TIME_WAIT` does; see `SO_REUSEADDR`),
/// `EACCES` (a port below 1024 without privilege), `EADDRNOTAVAIL` (an address that is not
/// this host's), `EINVAL` (the socket is already bound).
// ANCHOR: bind
pub fn bind<A: SockAddr + ?Sized>(sockfd: impl AsFd, addr: &A) -> Result<(), Errno> {
    let fd = sockfd.as_fd().as_raw_fd();
    // SAFETY: `addr` is a live SockAddr: `as_ptr` points to `size()` readable bytes
    // laid out as the kernel expects (the SockAddr contract), and bind(2) only reads them.
    Errno::result(unsafe { libc::bind(fd, addr.as_ptr(), addr.size()) }).map(drop)
}
// ANCHOR_END: bind
