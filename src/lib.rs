//! # socklab: Linux socket programming, the C API call for call
//!
//! This crate follows a student's course notes on sockets in C (in Chinese), section by
//! section. Every C call of the notes has a Rust function under the same name that makes
//! the same system call (one call per function, unless its doc says otherwise), with the
//! C's arguments in the C's order, made safe where Rust can make it safe: descriptors are
//! owned (`OwnedFd`), errors are values (`Result<_, Errno>`), buffers are slices.
//!
//! Beside the crate: `c-reference/` holds the notes' C programs, `src/bin/` a Rust twin
//! of each, written statement by statement in the same order, and `tests/` checks that
//! the two print the same bytes and make the same system calls, with the real C and
//! glibc as the oracle. The book (`book/`) puts them side by side.
//!
//! # Layout
//!
//! - [`byteorder`]: `htons`, `htonl`, `ntohs`, `ntohl`. Notes §4.4.4.
//! - [`sockaddr`]: `struct sockaddr_in`, `in_addr`, `sockaddr`, `INADDR_ANY`. Notes §4.4.2–4.4.3.
//! - [`inet`]: `inet_addr`, `inet_ntoa`, `inet_aton`, `inet_pton`, `inet_ntop`. Notes §4.4.6.1, §4.4.10.
//! - [`socket`]: `socket`, `close`, `AF_INET`, `SOCK_STREAM`/`DGRAM`/`RAW`. Notes §3.2, §4.4.1, §4.4.7.
//! - [`bind`]: `bind`. Notes §4.4.5.
//! - [`datagram`]: `recvfrom`, `sendto`. Notes §4.4.6, §4.4.9.
//! - [`stream`]: `listen`, `accept`, `connect`, `read`, `write`. Notes §5.2–5.3.
//! - [`sockopt`]: `setsockopt`, `getsockopt`, `SO_REUSEADDR`, `SO_BROADCAST`, typed. Notes §6.
//! - [`process`]: `signal` (to start as a C program starts: `SIGPIPE` at its default). Notes §6.
//! - [`stdio`]: `perror`, `printf`, `puts`, `scanf("%s")`, `bzero`: the C library calls
//!   around the sockets, on bytes, so the twins print what the C prints.
//! - [`apue`]: everything above in one `use`, as the notes' `#include "apue.h"`, and the
//!   lessons' arguments (`server [PORT]`, `client [IP [PORT]]`).
//! - [`wire`]: Ethernet, IPv4, UDP and TCP headers, viewed field by field. Notes §1.3, §5.1.3.
//! - [`lab`]: the lesson runner's machinery (not a C mirror): building the C, starting
//!   twins, waiting for a socket in the kernel's table, transcripts, cleaning up.
//!
//! # Example
//!
//! The notes' UDP server, up to `bind` (§4.5):
//!
//! ```no_run
//! use socklab::apue::*;
//!
//! let sockfd = match socket(AF_INET, SOCK_DGRAM, 0) {
//!     Ok(fd) => fd,
//!     Err(e) => {
//!         perror("socket", e);
//!         exit(-1);
//!     }
//! };
//! let mut server_addr = sockaddr_in::default();
//! server_addr.sin_family = AF_INET as sa_family_t;
//! server_addr.sin_port = htons(5678);
//! server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
//! if let Err(e) = bind(&sockfd, &server_addr) {
//!     perror("bind", e); // bind: Address already in use
//!     let _ = close(sockfd);
//!     exit(-1);
//! }
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod apue;
pub mod bind;
pub mod byteorder;
pub mod datagram;
pub mod inet;
pub mod lab;
pub mod process;
pub mod sockaddr;
pub mod socket;
pub mod sockopt;
pub mod stdio;
pub mod stream;
pub mod wire;
