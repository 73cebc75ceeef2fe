//! Tests for `src/sockaddr.rs` and the calls that take its structs, grouped by C call.
//!
//! Two C oracles (see `tests/common/mod.rs`):
//!
//! - `tests/oracle/layout.c`: the C compiler's size, alignment and field offsets of
//!   `struct sockaddr_in`, `in_addr`, `in6_addr`, `sockaddr`; the sizes of
//!   `sa_family_t`, `in_port_t`, `in_addr_t`, `socklen_t`; the values of every constant
//!   the crate exports; glibc's `strerror` messages; the bytes of the notes' filled-in
//!   `struct sockaddr_in`.
//! - `tests/oracle/calls.c`: the socket calls tested here, made by C on loopback, with
//!   what each returned and the errno it left.
//!
//! The socket tests bind 127.0.0.1 port 0 and read the port the kernel chose back with
//! `getsockname` (glibc's, through the libc crate); no fixed port, nothing leaves the
//! host. Where a test names an errno (`Errno::EINVAL`), it is the one the man page
//! documents, and the same test checks that C's call gave that errno too.

mod common;

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::mem::{align_of, offset_of, size_of};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::{mpsc, OnceLock};
use std::thread;
use std::time::Duration;

use libc::c_char;
use nix::errno::Errno;
use pretty_assertions::assert_eq;

use socklab::byteorder::{htonl, htons, ntohs};
use socklab::datagram::{recvfrom, sendto, MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC};
use socklab::sockaddr::{
    in6_addr, in_addr, in_addr_t, in_port_t, sa_family_t, sockaddr, sockaddr_in, socklen_t,
    INADDR_ANY, INADDR_BROADCAST, INADDR_LOOPBACK, INADDR_NONE,
};
use socklab::socket::{
    close, socket, AF_INET, AF_INET6, AF_PACKET, AF_UNIX, IPPROTO_TCP, IPPROTO_UDP, SOCK_CLOEXEC,
    SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_STREAM,
};
use socklab::stdio::{strerror, EOF};

/// `tests/oracle/layout.c`'s `name value` lines, run once per test process.
fn layout() -> &'static BTreeMap<String, String> {
    static VALUES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    VALUES.get_or_init(|| common::oracle_values("layout"))
}

/// The C value `name` as a number. Panics if the oracle did not print it.
fn c_num(name: &str) -> i64 {
    let value = layout()
        .get(name)
        .unwrap_or_else(|| panic!("tests/oracle/layout.c prints no {name}"));
    value
        .parse()
        .unwrap_or_else(|e| panic!("{name} {value:?}: {e}"))
}

/// The C value `name` as text (a `strerror.*` message). Panics if it was not printed.
fn c_text(name: &str) -> &'static str {
    layout()
        .get(name)
        .unwrap_or_else(|| panic!("tests/oracle/layout.c prints no {name}"))
}

/// What C's call `name` in `tests/oracle/calls.c` gave: `Ok(return value)`, or
/// `Err(errno)` if it returned -1. Its output is read once per test process.
fn c_call(name: &str) -> Result<i64, Errno> {
    static CALLS: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    let value = CALLS
        .get_or_init(|| common::oracle_values("calls"))
        .get(name)
        .unwrap_or_else(|| panic!("tests/oracle/calls.c prints no {name}"));
    let (ret, errno) = value
        .split_once(' ')
        .unwrap_or_else(|| panic!("calls.c {name}: not `RET ERRNO`: {value:?}"));
    let ret: i64 = ret.parse().unwrap();
    let errno: i32 = errno.parse().unwrap();
    match (ret, errno) {
        (-1, e) if e != 0 => Err(Errno::from_raw(e)),
        (r, 0) if r >= 0 => Ok(r),
        _ => panic!("calls.c {name}: returned {ret} with errno {errno}"),
    }
}

/// `sizeof(x.field)` for a field given as `|x: &T| &x.field`.
fn field_size<T, F>(_field: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// The bytes of a `sockaddr_in`, in memory order, as C's `unsigned char *` sees them.
fn bytes_of(addr: sockaddr_in) -> [u8; 16] {
    // SAFETY: `sockaddr_in` is `#[repr(C)]` with fields of 2 + 2 + 4 + 8 bytes and no
    // padding (16 bytes in all: `transmute` refuses any other size, and the layout test
    // checks every offset against C), so all 16 bytes are initialised, and any bytes are
    // a valid `[u8; 16]`.
    unsafe { std::mem::transmute::<sockaddr_in, [u8; 16]>(addr) }
}

/// Hex digits, two a byte, to bytes.
fn unhex(hex: &str) -> Vec<u8> {
    assert_eq!(hex.len() % 2, 0, "odd number of hex digits: {hex:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// C's `sizeof(struct sockaddr_in)`, as a `socklen_t`.
fn c_sizeof_sockaddr_in() -> socklen_t {
    socklen_t::try_from(c_num("size.sockaddr_in")).unwrap()
}

/// `getsockname(fd, &addr, &len)` through glibc: the address the kernel bound, and the
/// length it reported.
fn getsockname(fd: impl AsFd) -> (sockaddr_in, socklen_t) {
    let mut addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;
    // SAFETY: `addr` is a writable `#[repr(C)]` struct of `len` bytes laid out as C's
    // `struct sockaddr_in` (checked below against C); getsockname writes at most `len`
    // bytes there and the length into `len`.
    let rc = unsafe {
        libc::getsockname(
            fd.as_fd().as_raw_fd(),
            (&mut addr as *mut sockaddr_in).cast(),
            &mut len,
        )
    };
    assert_eq!(rc, 0, "getsockname: {}", Errno::last());
    (addr, len)
}

/// Our `recvfrom(fd, buf, MSG_DONTWAIT, NULL, NULL)` into a 100-byte buffer, made on a
/// duplicate of `fd` in another thread: if it blocks, as it would were `MSG_DONTWAIT`
/// not passed on, the test fails after 10 seconds instead of hanging (the blocked thread
/// is left behind).
fn recvfrom_dontwait(fd: &OwnedFd) -> Result<usize, Errno> {
    let dup = fd.try_clone().expect("dup the socket");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 100];
        let _ = tx.send(recvfrom(&dup, &mut buf, MSG_DONTWAIT, None));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("recvfrom with MSG_DONTWAIT blocked")
}

/// A UDP socket bound to 127.0.0.1 port 0, and the address the kernel gave it.
fn udp_on_loopback() -> (OwnedFd, sockaddr_in) {
    let fd = socket(AF_INET, SOCK_DGRAM, 0).expect("socket(AF_INET, SOCK_DGRAM, 0)");
    socklab::bind::bind(&fd, &sockaddr_in::new(0, INADDR_LOOPBACK)).expect("bind 127.0.0.1:0");
    let (addr, _) = getsockname(&fd);
    (fd, addr)
}

mod layout {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Checks a struct's size and alignment and each field's offset and size against
    /// C's: `check!(sockaddr_in { sin_family, sin_port, .. })`. Compared as a table of
    /// `(C expression, value)` rows, ours beside C's, so a failure shows every row.
    macro_rules! check {
        ($t:ident { $($f:ident),+ $(,)? }) => {{
            let name = stringify!($t);
            let mut ours: Vec<(String, i64)> = vec![
                (format!("size.{name}"), size_of::<$t>() as i64),
                (format!("align.{name}"), align_of::<$t>() as i64),
            ];
            $(
                let field = stringify!($f);
                ours.push((format!("offset.{name}.{field}"), offset_of!($t, $f) as i64));
                ours.push((
                    format!("size.{name}.{field}"),
                    field_size(|x: &$t| &x.$f) as i64,
                ));
            )+
            let c: Vec<(String, i64)> =
                ours.iter().map(|(key, _)| (key.clone(), c_num(key))).collect();
            assert_eq!(ours, c, "struct {name}: ours (left), C's (right)");
        }};
    }

    #[test]
    fn sockaddr_in_is_c_layout() {
        check!(sockaddr_in {
            sin_family,
            sin_port,
            sin_addr,
            sin_zero
        });
    }

    #[test]
    fn in_addr_is_c_layout() {
        check!(in_addr { s_addr });
    }

    /// C's `struct in6_addr` is a union of `uint8_t[16]`, `uint16_t[8]` and
    /// `uint32_t[4]`, so it has the alignment of a `uint32_t`.
    #[test]
    fn in6_addr_is_c_layout() {
        check!(in6_addr { s6_addr });
    }

    #[test]
    fn sockaddr_is_c_layout() {
        check!(sockaddr { sa_family, sa_data });
    }

    /// `sa_family_t`, `in_port_t`, `in_addr_t`, `socklen_t`: size, alignment, and
    /// signedness (all four are unsigned in C; a signed `socklen_t` would let a length
    /// be negative).
    #[test]
    fn types_are_c_sizes() {
        macro_rules! rows {
            ($($t:ident),+) => {{
                let mut rows: Vec<(String, i64)> = Vec::new();
                $(
                    let name = stringify!($t);
                    rows.push((format!("size.{name}"), size_of::<$t>() as i64));
                    rows.push((format!("align.{name}"), align_of::<$t>() as i64));
                    rows.push((format!("signed.{name}"), i64::from(<$t>::MIN != 0)));
                )+
                rows
            }};
        }
        let ours = rows!(sa_family_t, in_port_t, in_addr_t, socklen_t);
        let c: Vec<(String, i64)> = ours
            .iter()
            .map(|(key, _)| (key.clone(), c_num(key)))
            .collect();
        assert_eq!(ours, c, "ours (left), C's (right)");
    }
}

mod constants {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Every constant the crate exports, by its C name, with C's value: the constants
    /// from `socket.rs`, `sockaddr.rs`, `datagram.rs` and `stdio.rs`. The list must be
    /// the oracle's list, name for name, so neither can grow alone.
    #[test]
    fn every_constant_is_c_value() {
        let ours: Vec<(&str, i64)> = vec![
            ("AF_INET", AF_INET.into()),
            ("AF_INET6", AF_INET6.into()),
            ("AF_UNIX", AF_UNIX.into()),
            ("AF_PACKET", AF_PACKET.into()),
            ("SOCK_STREAM", SOCK_STREAM.into()),
            ("SOCK_DGRAM", SOCK_DGRAM.into()),
            ("SOCK_RAW", SOCK_RAW.into()),
            ("SOCK_CLOEXEC", SOCK_CLOEXEC.into()),
            ("SOCK_NONBLOCK", SOCK_NONBLOCK.into()),
            ("IPPROTO_TCP", IPPROTO_TCP.into()),
            ("IPPROTO_UDP", IPPROTO_UDP.into()),
            ("INADDR_ANY", INADDR_ANY.into()),
            ("INADDR_LOOPBACK", INADDR_LOOPBACK.into()),
            ("INADDR_BROADCAST", INADDR_BROADCAST.into()),
            ("INADDR_NONE", INADDR_NONE.into()),
            ("MSG_DONTWAIT", MSG_DONTWAIT.into()),
            ("MSG_PEEK", MSG_PEEK.into()),
            ("MSG_TRUNC", MSG_TRUNC.into()),
            ("EOF", EOF.into()),
        ];
        let c: Vec<(&str, i64)> = ours
            .iter()
            .map(|&(name, _)| (name, c_num(&format!("const.{name}"))))
            .collect();
        assert_eq!(ours, c, "ours (left), C's (right)");

        let mut ours_names: Vec<&str> = ours.iter().map(|&(name, _)| name).collect();
        ours_names.sort_unstable();
        let c_names: Vec<&str> = layout()
            .keys()
            .filter_map(|key| key.strip_prefix("const."))
            .collect();
        assert_eq!(
            ours_names, c_names,
            "the constants checked here and in layout.c"
        );
    }

    /// The errnos these tests name are C's numbers, and our `strerror` gives glibc's
    /// message for each, as C's `strerror` (and so `perror`) prints it.
    #[test]
    fn errnos_and_strerror_are_c_values() {
        for (name, errno) in [
            ("EINVAL", Errno::EINVAL),
            ("EADDRINUSE", Errno::EADDRINUSE),
            ("EACCES", Errno::EACCES),
            ("EAGAIN", Errno::EAGAIN),
        ] {
            assert_eq!(errno as i64, c_num(&format!("errno.{name}")), "{name}");
            assert_eq!(
                strerror(errno),
                c_text(&format!("strerror.{name}")),
                "{name}"
            );
        }
    }
}

/// The notes' three lines (§4.4.5) fill the same 16 bytes in Rust as in C.
mod notes_sockaddr_in {
    use super::*;
    use pretty_assertions::assert_eq;

    /// The notes' way, field by field, with our `htons` and `htonl`.
    #[allow(clippy::field_reassign_with_default)] // C's order of statements, on purpose
    fn filled(port: u16, addr: in_addr_t) -> sockaddr_in {
        let mut server_addr = sockaddr_in::default();
        server_addr.sin_family = AF_INET as sa_family_t;
        server_addr.sin_port = htons(port);
        server_addr.sin_addr.s_addr = htonl(addr);
        server_addr
    }

    #[test]
    fn loopback_5678_has_c_bytes() {
        let c = unhex(c_text("bytes.notes_sockaddr_in_5678_loopback"));
        assert_eq!(
            bytes_of(filled(5678, INADDR_LOOPBACK)).to_vec(),
            c,
            "filled"
        );
        assert_eq!(
            bytes_of(sockaddr_in::new(5678, INADDR_LOOPBACK)).to_vec(),
            c,
            "sockaddr_in::new"
        );
    }

    #[test]
    fn any_5678_has_c_bytes() {
        let c = unhex(c_text("bytes.notes_sockaddr_in_5678_any"));
        assert_eq!(bytes_of(filled(5678, INADDR_ANY)).to_vec(), c, "filled");
        assert_eq!(
            bytes_of(sockaddr_in::new(5678, INADDR_ANY)).to_vec(),
            c,
            "sockaddr_in::new"
        );
    }
}

mod socket_call {
    use super::*;
    use pretty_assertions::assert_eq;

    /// socket(2): "EINVAL Unknown protocol, or protocol family not available. EINVAL
    /// Invalid flags in type." 12345 is no type, and has bits that are no flag.
    #[test]
    fn unknown_type_is_einval() {
        let ours = socket(AF_INET, 12345, 0).map(|fd| fd.as_raw_fd());
        assert_eq!(c_call("socket.bad_type"), Err(Errno::EINVAL), "C");
        assert_eq!(ours, Err(Errno::EINVAL), "ours");
    }
}

mod bind {
    use super::*;
    use pretty_assertions::assert_eq;

    use socklab::bind::bind;

    /// Port 0 asks the kernel for a free port; `getsockname` shows which, in network
    /// order: glibc's `getnameinfo`, which reads `sin_port` as network order, prints the
    /// number our `ntohs` gives.
    #[test]
    fn port_0_gets_a_port_in_network_order() {
        let fd = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        assert_eq!(bind(&fd, &sockaddr_in::new(0, INADDR_LOOPBACK)), Ok(()));
        let (addr, len) = getsockname(&fd);
        assert_eq!(len, c_sizeof_sockaddr_in());
        assert_eq!(i64::from(addr.sin_family), c_num("const.AF_INET"));
        assert_ne!(addr.sin_port, 0, "the kernel chose no port");

        let mut host = [0 as c_char; 64];
        let mut serv = [0 as c_char; 16];
        // SAFETY: `addr` is a `struct sockaddr_in` of `len` readable bytes; `host` and
        // `serv` are writable for the lengths passed, and getnameinfo NUL-terminates
        // what it writes there. NI_NUMERIC* make it look nothing up.
        let rc = unsafe {
            libc::getnameinfo(
                (&addr as *const sockaddr_in).cast(),
                len,
                host.as_mut_ptr(),
                host.len() as socklen_t,
                serv.as_mut_ptr(),
                serv.len() as socklen_t,
                libc::NI_NUMERICHOST | libc::NI_NUMERICSERV,
            )
        };
        assert_eq!(rc, 0, "getnameinfo");
        // SAFETY: getnameinfo succeeded, so both are NUL-terminated within their arrays.
        let (host, serv) =
            unsafe { (CStr::from_ptr(host.as_ptr()), CStr::from_ptr(serv.as_ptr())) };
        assert_eq!(host.to_str(), Ok("127.0.0.1"));
        assert_eq!(serv.to_str().unwrap(), ntohs(addr.sin_port).to_string());
    }

    /// bind(2): "EINVAL The socket is already bound to an address."
    #[test]
    fn twice_is_einval() {
        let (fd, _) = udp_on_loopback();
        let ours = bind(&fd, &sockaddr_in::new(0, INADDR_LOOPBACK));
        assert_eq!(c_call("bind.twice"), Err(Errno::EINVAL), "C");
        assert_eq!(ours, Err(Errno::EINVAL), "ours");
    }

    /// bind(2): "EADDRINUSE The given address is already in use", with C's message.
    #[test]
    fn taken_port_is_eaddrinuse() {
        let (_first, addr) = udp_on_loopback();
        let second = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        let ours = bind(&second, &addr);
        assert_eq!(c_call("bind.in_use"), Err(Errno::EADDRINUSE), "C");
        assert_eq!(ours, Err(Errno::EADDRINUSE), "ours");

        assert_eq!(c_text("strerror.EADDRINUSE"), "Address already in use", "C");
        assert_eq!(
            strerror(Errno::EADDRINUSE),
            c_text("strerror.EADDRINUSE"),
            "ours"
        );
    }
}

mod recvfrom_call {
    use super::*;
    use pretty_assertions::assert_eq;

    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};

    /// One datagram from one loopback socket to another: `recvfrom` returns its length
    /// and bytes, fills in the sender's address (the one the kernel bound it to, as
    /// `getsockname` tells) and sets `len` to C's `sizeof(struct sockaddr_in)`.
    #[test]
    fn round_trip_fills_in_the_sender() {
        let (receiver, receiver_addr) = udp_on_loopback();
        let (sender, sender_addr) = udp_on_loopback();
        assert_eq!(sendto(&sender, b"hello", 0, &receiver_addr), Ok(5));

        let mut buf = [0u8; 100];
        // Not all zeros, so that a `from` left alone cannot pass for one filled in.
        let mut from = sockaddr_in {
            sin_family: 0xaaaa,
            sin_port: 0xaaaa,
            sin_addr: in_addr {
                s_addr: 0xaaaa_aaaa,
            },
            sin_zero: [0xaa; 8],
        };
        let mut len = size_of::<sockaddr_in>() as socklen_t;
        let n = recvfrom(&receiver, &mut buf, 0, Some((&mut from, &mut len)));
        assert_eq!(n, Ok(5));
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(buf[5..], [0u8; 95], "nothing written past the datagram");
        assert_eq!(from, sender_addr);
        assert_eq!(len, c_sizeof_sockaddr_in());
    }

    /// A `len` larger than the struct is cut to the struct's size before the call, so
    /// the kernel cannot write past it. The sender here is a unix socket with a long
    /// (abstract) name, whose address is longer than a `sockaddr_in`: told the larger
    /// `len`, the kernel would write all of it. It writes the first 16 bytes, and says
    /// in `len` how long the whole address was, as recvfrom(2) documents.
    #[test]
    fn len_larger_than_the_struct_is_clamped() {
        /// A `sockaddr_in` with guard bytes after it, which must stay as they are.
        #[repr(C)]
        struct Guarded {
            addr: sockaddr_in,
            guard: [u8; 64],
        }

        let tag = format!("socklab-test-recvfrom-clamp-{}", std::process::id());
        let receiver =
            UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(format!("{tag}-r")).unwrap())
                .unwrap();
        let sender =
            UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(format!("{tag}-s")).unwrap())
                .unwrap();
        sender
            .send_to_addr(b"hi", &receiver.local_addr().unwrap())
            .unwrap();

        // The sender's address as the kernel has it: family, then NUL and the name.
        // SAFETY: `sockaddr_un` is plain integers and bytes; all zeros is a valid value.
        let mut sender_addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        let mut sender_len = size_of::<libc::sockaddr_un>() as socklen_t;
        // SAFETY: `sender_addr` is writable for `sender_len` bytes, which getsockname
        // writes at most, with the length into `sender_len`.
        let rc = unsafe {
            libc::getsockname(
                sender.as_raw_fd(),
                (&mut sender_addr as *mut libc::sockaddr_un).cast(),
                &mut sender_len,
            )
        };
        assert_eq!(rc, 0, "getsockname: {}", Errno::last());
        assert!(
            sender_len as usize > size_of::<sockaddr_in>(),
            "a long name"
        );
        // SAFETY: `sockaddr_un` is `#[repr(C)]` plain integers and bytes, all initialised
        // (zeroed, then written by the kernel); reading them as bytes is valid.
        let sender_bytes: &[u8] = unsafe {
            std::slice::from_raw_parts(
                (&sender_addr as *const libc::sockaddr_un).cast(),
                size_of::<libc::sockaddr_un>(),
            )
        };

        let mut guarded = Guarded {
            addr: sockaddr_in::default(),
            guard: [0xaa; 64],
        };
        let mut len = size_of::<Guarded>() as socklen_t;
        let mut buf = [0u8; 100];
        let n = recvfrom(&receiver, &mut buf, 0, Some((&mut guarded.addr, &mut len)));
        assert_eq!(n, Ok(2));
        assert_eq!(&buf[..2], b"hi");
        assert_eq!(guarded.guard, [0xaa; 64], "written past the sockaddr_in");
        assert_eq!(
            bytes_of(guarded.addr),
            sender_bytes[..16],
            "the address, cut"
        );
        assert_eq!(len, sender_len, "the whole address's length");
    }

    /// recvfrom(2): "EAGAIN or EWOULDBLOCK The socket is marked nonblocking and the
    /// receive operation would block"; `MSG_DONTWAIT` marks this one call so.
    #[test]
    fn dontwait_on_an_empty_socket_is_eagain() {
        let (fd, _) = udp_on_loopback();
        let ours = recvfrom_dontwait(&fd);
        assert_eq!(c_call("recvfrom.dontwait_empty"), Err(Errno::EAGAIN), "C");
        assert_eq!(ours, Err(Errno::EAGAIN), "ours");
        assert_eq!(strerror(Errno::EAGAIN), c_text("strerror.EAGAIN"));
    }

    /// A 150-byte datagram into the notes' 100-byte buffer: 100 bytes, and the other 50
    /// are lost, not left for the next call; with `MSG_TRUNC`, the datagram's real length.
    #[test]
    fn long_datagram_is_truncated() {
        let (receiver, receiver_addr) = udp_on_loopback();
        let (sender, _) = udp_on_loopback();
        let message: Vec<u8> = (0..150u8).collect();

        assert_eq!(sendto(&sender, &message, 0, &receiver_addr), Ok(150));
        let mut buf = [0u8; 100];
        let ours = recvfrom(&receiver, &mut buf, 0, None);
        assert_eq!(c_call("recvfrom.short_buffer"), Ok(100), "C");
        assert_eq!(ours, Ok(100), "ours");
        assert_eq!(buf[..], message[..100]);

        let ours = recvfrom_dontwait(&receiver);
        assert_eq!(
            c_call("recvfrom.short_buffer_rest"),
            Err(Errno::EAGAIN),
            "C"
        );
        assert_eq!(ours, Err(Errno::EAGAIN), "ours: the rest is gone");

        assert_eq!(sendto(&sender, &message, 0, &receiver_addr), Ok(150));
        let mut buf = [0u8; 100];
        let ours = recvfrom(&receiver, &mut buf, MSG_TRUNC, None);
        assert_eq!(c_call("recvfrom.short_buffer_trunc"), Ok(150), "C");
        assert_eq!(ours, Ok(150), "ours");
        assert_eq!(buf[..], message[..100], "still only 100 bytes written");
    }
}

mod sendto_call {
    use super::*;
    use pretty_assertions::assert_eq;

    /// sendto(2): "EACCES (For UDP sockets) An attempt was made to send to a
    /// network/broadcast address as though it was a unicast address." Without
    /// `SO_BROADCAST` the kernel refuses before anything is sent. The port is one bound
    /// on 127.0.0.1 here, so that even a packet that did go would find only this test;
    /// none arrives there.
    #[test]
    #[allow(clippy::field_reassign_with_default)] // filled as the notes fill one
    fn broadcast_without_so_broadcast_is_eacces() {
        let (receiver, receiver_addr) = udp_on_loopback();
        let (sender, _) = udp_on_loopback();
        let mut dest = sockaddr_in::default();
        dest.sin_family = AF_INET as sa_family_t;
        dest.sin_port = receiver_addr.sin_port;
        dest.sin_addr.s_addr = htonl(INADDR_BROADCAST);

        let ours = sendto(&sender, b"hello", 0, &dest);
        assert_eq!(c_call("sendto.broadcast"), Err(Errno::EACCES), "C");
        assert_eq!(ours, Err(Errno::EACCES), "ours");
        assert_eq!(c_text("strerror.EACCES"), "Permission denied", "C");
        assert_eq!(strerror(Errno::EACCES), c_text("strerror.EACCES"), "ours");

        assert_eq!(
            recvfrom_dontwait(&receiver),
            Err(Errno::EAGAIN),
            "nothing arrived"
        );
    }
}

mod close_call {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn close_of_a_socket_is_ok() {
        let (fd, _) = udp_on_loopback();
        assert_eq!(c_call("close"), Ok(0), "C");
        assert_eq!(close(fd), Ok(()), "ours");
    }
}
