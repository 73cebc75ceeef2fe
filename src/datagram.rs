//! Datagrams: `recvfrom` and `sendto` (notes §4.4.6, §4.4.9).
//!
//! A UDP socket sends and receives whole messages. Each `sendto` names its destination
//! and becomes one datagram; each `recvfrom` takes exactly one datagram off the queue
//! and says who sent it. A datagram longer than the buffer is **truncated**, and the rest
//! is lost (its length is told only with `MSG_TRUNC`): the notes' 100-byte buffers hold
//! at most 100 bytes of a message.

use std::os::fd::{AsFd, AsRawFd};

use libc::c_int;
use nix::errno::Errno;

use crate::sockaddr::{socklen_t, SockAddr};

/// `MSG_DONTWAIT`: for this call only, fail with `EAGAIN` instead of blocking.
pub const MSG_DONTWAIT: c_int = libc::MSG_DONTWAIT;
/// `MSG_PEEK`: return the next datagram without taking it off the queue.
pub const MSG_PEEK: c_int = libc::MSG_PEEK;
/// `MSG_TRUNC`: with `recvfrom` on a datagram socket, return the datagram's real length,
/// even when it was longer than the buffer.
pub const MSG_TRUNC: c_int = libc::MSG_TRUNC;

/// Receives a message from a socket, and the address it came from.
///
/// Mirrors C `recvfrom(2)`, notes §4.4.6. One system call. See
/// [recvfrom(2)](https://man7.org/linux/man-pages/man2/recvfrom.2.html).
///
/// Returns the number of bytes written into `buf` (with `MSG_TRUNC`, the datagram's
/// full length). It blocks until a datagram arrives, unless `flags` has `MSG_DONTWAIT`.
///
/// `src_addr` is C's last two arguments: `None` is C's `NULL, NULL` ("I don't care who
/// sent it"); `Some((&mut addr, &mut len))` asks the kernel to fill `addr`. As in C,
/// `len` goes both ways and must be initialised (notes: "传的实参必须初始化"): in, the
/// size of `addr` (`size_of::<sockaddr_in>()`); out, the size of the sender's address.
/// If `len` says more than `addr`'s real size, only `addr`'s size is passed to the kernel:
/// safe Rust cannot be made to write past `addr`.
// ANCHOR: recvfrom
pub fn recvfrom(
    sockfd: impl AsFd,
    buf: &mut [u8],
    flags: c_int,
    src_addr: Option<(&mut dyn SockAddr, &mut socklen_t)>,
) -> Result<usize, Errno> {
    let fd = sockfd.as_fd().as_raw_fd();
    let (addr_ptr, len_ptr) = match src_addr {
        Some((addr, len)) => {
            *len = (*len).min(addr.size());
            (addr.as_mut_ptr(), len as *mut socklen_t)
        }
        None => (std::ptr::null_mut(), std::ptr::null_mut()),
    };
    // SAFETY: `buf` is writable for `buf.len()` bytes; `addr_ptr` is null (with `len_ptr`
    // null) or points to a SockAddr of at least `*len_ptr` writable bytes, as clamped above.
    let n = unsafe {
        libc::recvfrom(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            flags,
            addr_ptr,
            len_ptr,
        )
    };
    Errno::result(n).map(|n| n as usize)
}
// ANCHOR_END: recvfrom

/// Sends a message on a socket, to the address `dest_addr`.
///
/// Mirrors C `sendto(2)`, notes §4.4.9. One system call. See
/// [sendto(2)](https://man7.org/linux/man-pages/man2/sendto.2.html).
///
/// Returns the number of bytes sent: for UDP, all of `buf`, as one datagram, or an error.
/// The length C passes as `sizeof(dest_addr)` comes from `dest_addr` itself.
///
/// The errors a student meets: `EACCES` ("Permission denied") sending to a broadcast
/// address such as 255.255.255.255 (which is also `inet_addr`'s error value!) without
/// `SO_BROADCAST`; `EMSGSIZE` for a datagram over 65 507 bytes; `ECONNREFUSED` from an
/// earlier datagram's ICMP "port unreachable", on a connected socket.
// ANCHOR: sendto
pub fn sendto<A: SockAddr + ?Sized>(
    sockfd: impl AsFd,
    buf: &[u8],
    flags: c_int,
    dest_addr: &A,
) -> Result<usize, Errno> {
    let fd = sockfd.as_fd().as_raw_fd();
    // SAFETY: `buf` is readable for `buf.len()` bytes and `dest_addr` for `size()` bytes
    // (the SockAddr contract); sendto(2) only reads them.
    let n = unsafe {
        libc::sendto(
            fd,
            buf.as_ptr().cast(),
            buf.len(),
            flags,
            dest_addr.as_ptr(),
            dest_addr.size(),
        )
    };
    Errno::result(n).map(|n| n as usize)
}
// ANCHOR_END: sendto
