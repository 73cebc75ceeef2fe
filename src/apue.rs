//! What `c-reference/apue.h` gives the C twins: everything in one `use`.
//!
//! The notes' programs start with `#include "apue.h"`, the header of Stevens and Rago's
//! *Advanced Programming in the UNIX Environment*, which pulls in the system headers.
//! The Rust twins start with `use socklab::apue::*;` and get the same names: the socket
//! calls, the structs, the constants, `perror`, `printf!`, `exit`.
//!
//! It also holds the one addition to the notes' `main`s that `c-reference/README.md`
//! allows, the lessons' arguments, in the same words as `apue.h`'s C:
//!
//! ```text
//! server [PORT]        client [IP [PORT]]
//! ```
//!
//! `PORT` defaults to the notes' 5678, `IP` to 127.0.0.1 (the notes' 192.168.x.x was a
//! machine of theirs). A bad argument prints one line on stderr and exits with status 2,
//! the C's line to the byte.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

pub use std::os::fd::{AsFd, AsRawFd, OwnedFd};

pub use libc::c_int;
pub use nix::errno::Errno;

pub use crate::bind::bind;
pub use crate::byteorder::{htonl, htons, ntohl, ntohs};
pub use crate::datagram::{recvfrom, sendto, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC};
pub use crate::inet::{inet_addr, inet_aton, inet_ntoa, inet_ntop, inet_pton, InetAddr};
pub use crate::printf;
pub use crate::process::{
    fork, rd_op, reap_children, sigaction, signal, waitpid, ForkResult, SA_RESTART, SIGCHLD,
    SIGPIPE, SIG_DFL, SIG_IGN, WNOHANG,
};
pub use crate::sockaddr::{
    getpeername, getsockname, in6_addr, in_addr, in_addr_t, in_port_t, sa_family_t, sockaddr,
    sockaddr_in, socklen_t, SockAddr, INADDR_ANY, INADDR_BROADCAST, INADDR_LOOPBACK, INADDR_NONE,
};
pub use crate::socket::{
    close, socket, AF_INET, AF_INET6, AF_PACKET, AF_UNIX, IPPROTO_TCP, IPPROTO_UDP, SOCK_CLOEXEC,
    SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_STREAM,
};
pub use crate::sockopt::{getsockopt, setsockopt, SOL_SOCKET, SO_BROADCAST, SO_REUSEADDR};
pub use crate::stdio::{bzero, cstr, perror, puts, scanf_word, strlen, EOF};
pub use crate::stream::{accept, connect, listen, read, write};

/// Ends the process with `status`, as C's `exit` does.
///
/// Mirrors C `exit(3)`: the notes' `exit(-1)` ends with status 255. Rust's stdout buffer
/// is flushed first (C's `exit` flushes C's stdio; Rust's is its own), then glibc's `exit`
/// runs. Not `std::process::exit`, which also runs Rust's runtime cleanup (it unmaps the
/// main thread's signal stack: a `sigaltstack` and a `munmap` more than the C makes, and
/// in a freshly forked child each page it touches is a page fault: `just bench` measured
/// the fork-echo twin 10% slower per connection with it).
/// See [exit(3)](https://man7.org/linux/man-pages/man3/exit.3.html).
pub fn exit(status: c_int) -> ! {
    let _ = std::io::stdout().flush();
    // SAFETY: exit(3) runs the atexit handlers and ends the process; the twins are
    // single-threaded, and nothing of Rust's needs to run after this point.
    unsafe { libc::exit(status) }
}

/// The notes' port, 5678, for a twin given none.
pub const DEFAULT_PORT: u16 = 5678;

/// The client's address when it is given none: this host, over loopback.
pub const DEFAULT_IP: &str = "127.0.0.1";

/// The status a twin exits with when its arguments are wrong (`apue.h`: `exit(2)`).
pub const USAGE_STATUS: i32 = 2;

/// The server's port: `server [PORT]`, in **host** byte order, 5678 by default.
///
/// Mirrors `server_port(argc, argv)` in `c-reference/apue.h`: more than one argument
/// prints `usage: server [PORT]`, a bad one `bad port '…': want a number from 0 to
/// 65535`, both on stderr, and exits with status 2.
pub fn server_port() -> u16 {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if argv.len() > 2 {
        usage(b"usage: server [PORT]\n");
    }
    argv.get(1)
        .map_or(DEFAULT_PORT, |arg| parse_port(arg.as_bytes()))
}

/// The client's server address: `client [IP [PORT]]`, as the bytes given (127.0.0.1 by
/// default), to be read by `inet_addr`, which is where a malformed one is found out.
///
/// Mirrors `client_ip(argc, argv)` in `c-reference/apue.h`: more than two arguments
/// print `usage: client [IP [PORT]]` and exit with status 2.
pub fn client_ip() -> Vec<u8> {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if argv.len() > 3 {
        usage(b"usage: client [IP [PORT]]\n");
    }
    argv.get(1)
        .map_or(DEFAULT_IP.as_bytes(), |arg| arg.as_bytes())
        .to_vec()
}

/// The client's server port: `client [IP [PORT]]`, host byte order, 5678 by default.
///
/// Mirrors `client_port(argc, argv)` in `c-reference/apue.h`.
pub fn client_port() -> u16 {
    std::env::args_os()
        .nth(2)
        .map_or(DEFAULT_PORT, |arg| parse_port(arg.as_bytes()))
}

/// A port given on the command line: decimal digits only, 0 to 65535.
///
/// Stricter than C's `atoi`, which reads "abc" as 0 and "65536" as 65536 (that `htons`
/// then truncates to 0): a mistyped port should say so, not bind somewhere else.
fn parse_port(arg: &[u8]) -> u16 {
    let digits_only = !arg.is_empty() && arg.iter().all(u8::is_ascii_digit);
    let value = std::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse::<u16>().ok());
    match value {
        Some(port) if digits_only => port,
        _ => {
            let mut msg = b"bad port '".to_vec();
            msg.extend_from_slice(arg);
            msg.extend_from_slice(b"': want a number from 0 to 65535\n");
            usage(&msg)
        }
    }
}

fn usage(msg: &[u8]) -> ! {
    let _ = std::io::stderr().write_all(msg);
    exit(USAGE_STATUS)
}
