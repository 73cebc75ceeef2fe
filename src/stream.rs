//! Streams: `listen`, `accept`, `connect`, `read`, `write` (notes §5.2–5.3).
//!
//! A TCP socket is a connection between exactly two endpoints, set up by the three-way
//! handshake (notes §5.1.3) before any data moves:
//!
//! - the server makes its socket passive with [`listen`]: the kernel now completes
//!   handshakes on it by itself, and queues the finished connections;
//! - the client calls [`connect`], which sends the SYN and returns once the handshake is
//!   done (or has failed: `ECONNREFUSED` when no one listens on that port);
//! - the server's [`accept`] takes one finished connection off the queue and returns a
//!   **new** socket for it. The listening socket stays as it was, ready for the next
//!   client: the notes' "总机转分机", a switchboard handing a call to an extension.
//!
//! Then both sides [`read()`] and [`write()`] a **byte stream**: TCP keeps the bytes and their
//! order but not the boundaries of the writes. Three `write`s of 100 bytes may arrive as
//! one `read` of 300, or as 150 and 150; UDP's `recvfrom`, by contrast, always returns
//! one whole datagram. And `read` returning 0 means the peer has closed its end: the
//! end of the stream, for good.

use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

use libc::c_int;
use nix::errno::Errno;

use crate::sockaddr::{socklen_t, SockAddr};

/// Marks a socket as passive, ready to accept connections, with a queue of `backlog`.
///
/// Mirrors C `listen(2)`, notes §5.3.1. One system call. See
/// [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html).
///
/// The notes call `backlog` the number of connection requests that may wait. On Linux
/// it is the length of the queue of connections whose handshake is **complete** and that
/// `accept` has not yet taken (connections still in the handshake wait in another queue),
/// capped by `/proc/sys/net/core/somaxconn` (4096 on current kernels). When that queue is
/// full, the kernel stops answering new SYNs, and clients retry: nothing is refused.
// ANCHOR: listen
pub fn listen(sockfd: impl AsFd, backlog: c_int) -> Result<(), Errno> {
    // SAFETY: listen(2) takes two integers and touches no memory of ours.
    Errno::result(unsafe { libc::listen(sockfd.as_fd().as_raw_fd(), backlog) }).map(drop)
}
// ANCHOR_END: listen

/// Takes the first finished connection off a listening socket's queue, and returns a new
/// socket connected to the client.
///
/// Mirrors C `accept(2)`, notes §5.3.2. One system call. See
/// [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html).
///
/// Blocks until a client has connected. `addr` is C's last two arguments, as for
/// [`recvfrom`](crate::datagram::recvfrom): `None` is C's `NULL, NULL`, and
/// `Some((&mut addr, &mut len))` asks for the client's address ("来电显示", caller ID),
/// with `len` initialised to the size of `addr`, and set to the size of the address.
// ANCHOR: accept
pub fn accept(
    sockfd: impl AsFd,
    addr: Option<(&mut dyn SockAddr, &mut socklen_t)>,
) -> Result<OwnedFd, Errno> {
    let (addr_ptr, len_ptr) = match addr {
        Some((addr, len)) => {
            *len = (*len).min(addr.size());
            (addr.as_mut_ptr(), len as *mut socklen_t)
        }
        None => (std::ptr::null_mut(), std::ptr::null_mut()),
    };
    // SAFETY: `addr_ptr` is null (with `len_ptr` null) or points to a SockAddr of at
    // least `*len_ptr` writable bytes, as clamped above.
    let fd = Errno::result(unsafe { libc::accept(sockfd.as_fd().as_raw_fd(), addr_ptr, len_ptr) })?;
    // SAFETY: the kernel just returned `fd`, a new socket owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
// ANCHOR_END: accept

/// Connects a socket to the address `addr`: for TCP, the three-way handshake.
///
/// Mirrors C `connect(2)`, notes §5.3.4. One system call. See
/// [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html).
///
/// The errors a student meets: `ECONNREFUSED` ("Connection refused": nothing listens on
/// that port; the server answered the SYN with a RST), `ETIMEDOUT` (no answer at all),
/// `ENETUNREACH` (no route to that address).
// ANCHOR: connect
pub fn connect<A: SockAddr + ?Sized>(sockfd: impl AsFd, addr: &A) -> Result<(), Errno> {
    let fd = sockfd.as_fd().as_raw_fd();
    // SAFETY: `addr` is readable for `size()` bytes (the SockAddr contract); connect(2)
    // only reads them.
    Errno::result(unsafe { libc::connect(fd, addr.as_ptr(), addr.size()) }).map(drop)
}
// ANCHOR_END: connect

/// Reads up to `buf.len()` bytes from a file descriptor; for a stream socket, what has
/// arrived so far (at least one byte, unless the peer has closed: then 0).
///
/// Mirrors C `read(2)`, notes §5.3.3. One system call. See
/// [read(2)](https://man7.org/linux/man-pages/man2/read.2.html).
///
/// Returns the number of bytes read, 0 at the end of the stream. The notes' programs
/// ignore this value; the book shows what that costs.
// ANCHOR: read
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    let n = unsafe { libc::read(fd.as_fd().as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    Errno::result(n).map(|n| n as usize)
}
// ANCHOR_END: read

/// Writes up to `buf.len()` bytes to a file descriptor.
///
/// Mirrors C `write(2)`, notes §5.3.3. One system call. See
/// [write(2)](https://man7.org/linux/man-pages/man2/write.2.html).
///
/// Returns the number of bytes written, which for a socket may be fewer than asked
/// (a real program loops). Writing to a connection the peer has closed raises `SIGPIPE`,
/// which kills a C program; a Rust program ignores `SIGPIPE` (its runtime does so before
/// `main`), so the same write returns `EPIPE` ("Broken pipe") instead.
// ANCHOR: write
pub fn write(fd: impl AsFd, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is readable for `buf.len()` bytes.
    let n = unsafe { libc::write(fd.as_fd().as_raw_fd(), buf.as_ptr().cast(), buf.len()) };
    Errno::result(n).map(|n| n as usize)
}
// ANCHOR_END: write
