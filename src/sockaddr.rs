//! Socket addresses: `struct sockaddr_in`, `struct in_addr`, `struct sockaddr` (notes §4.4.2–4.4.3).
//!
//! These are the C structs, field for field, so that the notes' three lines
//!
//! ```c
//! server_addr.sin_family = AF_INET;
//! server_addr.sin_port = htons(5678);
//! server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
//! ```
//!
//! read almost the same in Rust (see `sockaddr_in`'s example). Their size, alignment and
//! field offsets are checked against the C compiler's in `tests/sockaddr.rs`.
//!
//! Erratum (notes §4.4.3): the notes' comment calls `in_addr_t` a short integer.
//! It is `uint32_t`, 32 bits: an IPv4 address is four bytes.

#![allow(non_camel_case_types)] // The C names, on purpose: a student finds them by name.

use std::mem;

// ANCHOR: types
/// An address family, as stored in a socket address (`sa_family_t`, an `unsigned short`).
pub type sa_family_t = libc::sa_family_t;

/// A port number, in **network** byte order (`in_port_t`, `uint16_t`).
pub type in_port_t = libc::in_port_t;

/// An IPv4 address, in **network** byte order (`in_addr_t`, `uint32_t`).
pub type in_addr_t = libc::in_addr_t;

/// The length of a socket address, in bytes (`socklen_t`, `unsigned int`).
pub type socklen_t = libc::socklen_t;
// ANCHOR_END: types

// ANCHOR: inaddr
/// `INADDR_ANY`, 0.0.0.0: "every address of this host", for `bind`. Host byte order,
/// as in C: write `htonl(INADDR_ANY)` (it is 0 in either order, but say what you mean).
pub const INADDR_ANY: in_addr_t = 0x0000_0000;

/// `INADDR_LOOPBACK`, 127.0.0.1, in **host** byte order: write `htonl(INADDR_LOOPBACK)`.
pub const INADDR_LOOPBACK: in_addr_t = 0x7f00_0001;

/// `INADDR_BROADCAST`, 255.255.255.255, host byte order.
pub const INADDR_BROADCAST: in_addr_t = 0xffff_ffff;

/// `INADDR_NONE`, what `inet_addr` returns for a string it cannot parse. It is the same
/// value as `INADDR_BROADCAST`: `inet_addr("255.255.255.255")` cannot be told from an error.
pub const INADDR_NONE: in_addr_t = 0xffff_ffff;
// ANCHOR_END: inaddr

/// `struct in_addr`: an IPv4 address, wrapped in a struct for historical reasons.
///
/// Mirrors C `struct in_addr` from `<netinet/in.h>`, notes §4.4.3.
/// See [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html).
// ANCHOR: in_addr
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct in_addr {
    /// The address, in **network** byte order.
    pub s_addr: in_addr_t,
}
// ANCHOR_END: in_addr

/// `struct in6_addr`: an IPv6 address, sixteen bytes in network order.
///
/// Mirrors C `struct in6_addr` from `<netinet/in.h>` (its `s6_addr` view); beyond the
/// notes, here because `inet_pton` and `inet_ntop` take `AF_INET6` too.
/// See [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html).
///
/// glibc declares it a union of `uint8_t[16]`, `uint16_t[8]` and `uint32_t[4]`, so it
/// is aligned to 4 bytes: `align(4)` keeps that, and a struct that holds one lays out
/// as in C.
#[repr(C, align(4))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct in6_addr {
    /// The address's bytes, most significant first (network order).
    pub s6_addr: [u8; 16],
}

/// `struct sockaddr_in`: an IPv4 socket address, the family, a port and an address.
///
/// Mirrors C `struct sockaddr_in` from `<netinet/in.h>`, notes §4.4.3.
/// See [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html).
///
/// C leaves a local `struct sockaddr_in` uninitialised and the notes fill three fields;
/// the fourth, `sin_zero`, keeps whatever was on the stack (Linux ignores it). Rust has no
/// uninitialised locals: start from [`sockaddr_in::default()`], all zeros, then fill the
/// same three fields:
///
/// ```
/// use socklab::apue::*;
///
/// let mut server_addr = sockaddr_in::default();
/// server_addr.sin_family = AF_INET as sa_family_t;
/// server_addr.sin_port = htons(5678);
/// server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
///
/// assert_eq!(server_addr.sin_port.to_ne_bytes(), [0x16, 0x2e]); // 5678 = 0x162e, big end first
/// ```
// ANCHOR: sockaddr_in
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct sockaddr_in {
    /// The address family: always `AF_INET` for this struct.
    pub sin_family: sa_family_t,
    /// The port, in **network** byte order: fill it with `htons`.
    pub sin_port: in_port_t,
    /// The IPv4 address, in **network** byte order: `htonl(INADDR_ANY)` or `inet_addr(..)`.
    pub sin_addr: in_addr,
    /// Padding up to the size of `struct sockaddr` (16 bytes). Unused.
    pub sin_zero: [u8; 8],
}
// ANCHOR_END: sockaddr_in

/// `struct sockaddr`: the generic socket address that `bind`, `sendto` and friends take.
///
/// Mirrors C `struct sockaddr` from `<sys/socket.h>`, notes §4.4.3. C code casts a
/// `struct sockaddr_in *` to `struct sockaddr *` at every call; in this crate the calls
/// take any [`SockAddr`] instead, so no cast is written (see [`SockAddr`]).
// ANCHOR: sockaddr
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct sockaddr {
    /// The address family, which says how to read `sa_data`.
    pub sa_family: sa_family_t,
    /// The family's address bytes: for `AF_INET`, the port and then the address.
    pub sa_data: [u8; 14],
}
// ANCHOR_END: sockaddr

/// A C socket address struct that may be passed where C takes `struct sockaddr *`.
///
/// In C, `bind(fd, (struct sockaddr *)&addr, sizeof(addr))` passes a pointer and a
/// length that must agree. Here the struct gives both, so they always do.
///
/// # Safety
///
/// An implementor must be a `#[repr(C)]` struct that the kernel may read and write as a
/// socket address: any bit pattern of its `size_of` bytes is a valid value, and it begins
/// with a `sa_family_t`.
// ANCHOR: SockAddr
pub unsafe trait SockAddr {
    /// The size of the struct in bytes: what C writes as `sizeof(addr)`.
    fn size(&self) -> socklen_t {
        mem::size_of_val(self) as socklen_t
    }

    /// The struct as C's `const struct sockaddr *`.
    fn as_ptr(&self) -> *const libc::sockaddr {
        (self as *const Self).cast()
    }

    /// The struct as C's `struct sockaddr *`, for the kernel to fill in.
    fn as_mut_ptr(&mut self) -> *mut libc::sockaddr {
        (self as *mut Self).cast()
    }
}

// SAFETY: `#[repr(C)]`, begins with `sin_family: sa_family_t`, and every field is plain
// integers or bytes, so any 16 bytes the kernel writes are a valid value.
unsafe impl SockAddr for sockaddr_in {}

// SAFETY: `#[repr(C)]`, begins with `sa_family: sa_family_t`, plain bytes after it.
unsafe impl SockAddr for sockaddr {}
// ANCHOR_END: SockAddr

impl sockaddr_in {
    /// A `sockaddr_in` for `AF_INET`, with `port` and `addr` given in **host** byte order
    /// (`sockaddr_in::new(5678, INADDR_LOOPBACK)`): a convenience, not a C function; the
    /// lessons fill the fields one by one as the notes do.
    pub const fn new(port: u16, addr: in_addr_t) -> Self {
        sockaddr_in {
            sin_family: libc::AF_INET as sa_family_t,
            sin_port: port.to_be(),
            sin_addr: in_addr {
                s_addr: addr.to_be(),
            },
            sin_zero: [0; 8],
        }
    }
}

// ANCHOR: getsockname
/// Gets the address a socket is bound to: its local address and port.
///
/// Mirrors C `getsockname(2)`, notes §3.1 (two of the five elements: the local address
/// and port). `addr` and `len` are as for `recvfrom`: `len` in, the size of `addr`; out,
/// the size of the address. One system call. See
/// [getsockname(2)](https://man7.org/linux/man-pages/man2/getsockname.2.html).
///
/// After `bind(fd, port 0)` or a first `sendto`, it tells the port the kernel chose.
pub fn getsockname(
    sockfd: impl std::os::fd::AsFd,
    addr: &mut dyn SockAddr,
    len: &mut socklen_t,
) -> Result<(), nix::errno::Errno> {
    use std::os::fd::AsRawFd;
    *len = (*len).min(addr.size());
    // SAFETY: `addr` is writable for `*len` bytes (clamped above to its size).
    let rc = unsafe { libc::getsockname(sockfd.as_fd().as_raw_fd(), addr.as_mut_ptr(), len) };
    nix::errno::Errno::result(rc).map(drop)
}
// ANCHOR_END: getsockname

// ANCHOR: getpeername
/// Gets the address of the peer a socket is connected to.
///
/// Mirrors C `getpeername(2)`, notes §3.1 (the remote address and port). `ENOTCONN` for
/// a socket that is not connected. One system call. See
/// [getpeername(2)](https://man7.org/linux/man-pages/man2/getpeername.2.html).
pub fn getpeername(
    sockfd: impl std::os::fd::AsFd,
    addr: &mut dyn SockAddr,
    len: &mut socklen_t,
) -> Result<(), nix::errno::Errno> {
    use std::os::fd::AsRawFd;
    *len = (*len).min(addr.size());
    // SAFETY: `addr` is writable for `*len` bytes (clamped above to its size).
    let rc = unsafe { libc::getpeername(sockfd.as_fd().as_raw_fd(), addr.as_mut_ptr(), len) };
    nix::errno::Errno::result(rc).map(drop)
}
// ANCHOR_END: getpeername
