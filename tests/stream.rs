//! `src/stream.rs` and `src/sockopt.rs`, grouped by C call, on loopback sockets bound to
//! port 0. The expected errors are the kernel's and glibc's own: `errno` values as the
//! calls return them, messages as glibc's `strerror` gives them.

use std::ffi::CStr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use socklab::apue::*;
use socklab::sockopt::{getsockopt, setsockopt, SOL_SOCKET, SO_BROADCAST, SO_REUSEADDR};
use socklab::stdio::strerror;

/// glibc's message for `e`, read through the C function itself.
fn glibc_strerror(e: Errno) -> String {
    // SAFETY: strerror returns a pointer to a NUL-terminated string that stays valid
    // until the next strerror call on this thread; we copy it at once.
    unsafe { CStr::from_ptr(libc::strerror(e as c_int)) }
        .to_string_lossy()
        .into_owned()
}

fn loopback(port: u16) -> sockaddr_in {
    sockaddr_in::new(port, INADDR_LOOPBACK)
}

/// The port a socket is bound to (getsockname), host order.
fn port_of(fd: &OwnedFd) -> u16 {
    let mut addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;
    // SAFETY: `addr` is a writable sockaddr_in and `len` says its size.
    let rc = unsafe { libc::getsockname(fd.as_raw_fd(), addr.as_mut_ptr(), &mut len) };
    assert_eq!(rc, 0, "getsockname");
    ntohs(addr.sin_port)
}

/// A TCP socket listening on 127.0.0.1, on a port the kernel chose.
fn listener() -> (OwnedFd, u16) {
    let fd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
    bind(&fd, &loopback(0)).unwrap();
    listen(&fd, 5).unwrap();
    let port = port_of(&fd);
    (fd, port)
}

/// A connected pair: (client, server's accepted socket).
fn connected() -> (OwnedFd, OwnedFd) {
    let (listenfd, port) = listener();
    let client = socket(AF_INET, SOCK_STREAM, 0).unwrap();
    connect(&client, &loopback(port)).unwrap();
    let server = accept(&listenfd, None).unwrap();
    (client, server)
}

/// Bytes waiting to be read on `fd` (`ioctl(FIONREAD)`).
fn queued(fd: &OwnedFd) -> usize {
    let mut n: c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer, which points to `n`.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut n) };
    assert_eq!(rc, 0, "ioctl(FIONREAD)");
    n as usize
}

/// Waits (bounded) until `fd` has `n` bytes queued: the kernel says when they arrived.
fn wait_queued(fd: &OwnedFd, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while queued(fd) < n {
        assert!(Instant::now() < deadline, "{n} bytes never arrived");
        std::thread::yield_now();
    }
}

mod listen {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn an_unbound_socket_listens_on_an_ephemeral_port() {
        // listen without bind: the kernel binds the socket to a port of its choosing.
        let fd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
        listen(&fd, 5).unwrap();
        assert_ne!(port_of(&fd), 0);
    }

    #[test]
    fn a_datagram_socket_cannot_listen() {
        let fd = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        assert_eq!(listen(&fd, 5), Err(Errno::EOPNOTSUPP));
    }
}

mod accept {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn gives_a_new_socket_and_the_peers_address() {
        let (listenfd, port) = listener();
        let client = socket(AF_INET, SOCK_STREAM, 0).unwrap();
        connect(&client, &loopback(port)).unwrap();
        let mut peer = sockaddr_in::default();
        let mut len = size_of::<sockaddr_in>() as socklen_t;
        let conn = accept(&listenfd, Some((&mut peer, &mut len))).unwrap();
        assert_ne!(conn.as_raw_fd(), listenfd.as_raw_fd(), "a new descriptor");
        assert_eq!(len, 16);
        assert_eq!(peer.sin_family, AF_INET as sa_family_t);
        assert_eq!(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
        assert_eq!(
            ntohs(peer.sin_port),
            port_of(&client),
            "the client's own port"
        );
    }

    #[test]
    fn on_a_socket_that_does_not_listen_is_einval() {
        let fd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
        assert_eq!(accept(&fd, None).map(drop), Err(Errno::EINVAL));
    }
}

mod connect {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn to_a_port_no_one_listens_on_is_refused() {
        // Take a port, then free it: no one listens there now.
        let (listenfd, port) = listener();
        drop(listenfd);
        let fd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
        let err = connect(&fd, &loopback(port)).unwrap_err();
        assert_eq!(err, Errno::ECONNREFUSED);
        assert_eq!(strerror(err), glibc_strerror(err));
        assert_eq!(strerror(err), "Connection refused");
    }
}

mod read_write {
    use super::*;
    use pretty_assertions::assert_eq;

    // ANCHOR: tcp_joins
    /// The notes' §5.1.2: TCP is a byte stream. Three writes, all arrived before the
    /// read: one read takes all three. The boundaries of the writes are gone.
    #[test]
    fn tcp_joins_small_writes_into_one_read() {
        let (client, server) = connected();
        for word in [&b"one "[..], b"two ", b"three"] {
            assert_eq!(write(&client, word), Ok(word.len()));
        }
        wait_queued(&server, 13);
        let mut buf = [0u8; 100];
        assert_eq!(read(&server, &mut buf), Ok(13));
        assert_eq!(&buf[..13], b"one two three");
    }
    // ANCHOR_END: tcp_joins

    // ANCHOR: udp_keeps
    /// The same three messages as UDP datagrams: three recvfrom, each one whole.
    #[test]
    fn udp_keeps_each_datagram_whole() {
        let rx = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        bind(&rx, &loopback(0)).unwrap();
        let to = loopback(port_of(&rx));
        let tx = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        for word in [&b"one "[..], b"two ", b"three"] {
            sendto(&tx, word, 0, &to).unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..3 {
            let mut buf = [0u8; 100];
            let n = recvfrom(&rx, &mut buf, 0, None).unwrap();
            got.push(buf[..n].to_vec());
        }
        assert_eq!(got, [&b"one "[..], b"two ", b"three"]);
    }
    // ANCHOR_END: udp_keeps

    /// One write of 100 bytes may be read in pieces: ask for 30, get 30, then the rest.
    #[test]
    fn a_read_takes_no_more_than_asked_and_the_rest_waits() {
        let (client, server) = connected();
        let buf = [b'x'; 100];
        assert_eq!(write(&client, &buf), Ok(100));
        wait_queued(&server, 100);
        let mut small = [0u8; 30];
        assert_eq!(read(&server, &mut small), Ok(30));
        assert_eq!(queued(&server), 70);
    }

    // ANCHOR: read_returns_0
    #[test]
    fn read_returns_0_once_the_peer_has_closed_and_forever_after() {
        let (client, server) = connected();
        close(client).unwrap();
        let mut buf = [0u8; 100];
        for _ in 0..3 {
            assert_eq!(read(&server, &mut buf), Ok(0));
        }
    }
    // ANCHOR_END: read_returns_0

    // ANCHOR: epipe
    /// What the notes' tcp-echo server meets when its client has gone: the first write
    /// is accepted (and answered by a RST), the next fails. In C it raises SIGPIPE;
    /// the Rust test harness, like every Rust program, ignores SIGPIPE, so it is EPIPE.
    #[test]
    fn writing_to_a_closed_peer_is_accepted_once_then_epipe() {
        let (client, server) = connected();
        close(client).unwrap();
        assert_eq!(write(&server, &[0u8; 100]), Ok(100));
        // The RST comes back over loopback; wait (bounded) for the kernel to say so.
        let deadline = Instant::now() + Duration::from_secs(5);
        let err = loop {
            match write(&server, &[0u8; 100]) {
                Err(e) => break e,
                Ok(_) => assert!(Instant::now() < deadline, "no error after the RST"),
            }
        };
        assert!(
            err == Errno::EPIPE || err == Errno::ECONNRESET,
            "{err:?}: {}",
            strerror(err)
        );
    }
    // ANCHOR_END: epipe
}

mod sockopt {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn so_reuseaddr_is_off_by_default_and_can_be_set() {
        let fd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
        assert_eq!(getsockopt(&fd, SOL_SOCKET, SO_REUSEADDR), Ok(0));
        let on: c_int = 1;
        setsockopt(&fd, SOL_SOCKET, SO_REUSEADDR, &on).unwrap();
        assert_eq!(getsockopt(&fd, SOL_SOCKET, SO_REUSEADDR), Ok(1));
        // The same, asked through libc directly: our call set the kernel's flag.
        let mut value: c_int = -1;
        let mut len = size_of::<c_int>() as socklen_t;
        // SAFETY: `value` is a writable int and `len` says its size.
        let rc = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&mut value as *mut c_int).cast(),
                &mut len,
            )
        };
        assert_eq!((rc, value, len), (0, 1, 4));
    }

    #[test]
    fn so_broadcast_can_be_set_and_read_back() {
        // Only the flag: nothing is sent, no broadcast ever leaves this machine.
        let fd = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        assert_eq!(getsockopt(&fd, SOL_SOCKET, SO_BROADCAST), Ok(0));
        setsockopt(&fd, SOL_SOCKET, SO_BROADCAST, &1).unwrap();
        assert_eq!(getsockopt(&fd, SOL_SOCKET, SO_BROADCAST), Ok(1));
    }

    #[test]
    fn on_a_file_that_is_not_a_socket_is_enotsock() {
        // A descriptor that is open but no socket. (A closed one would make a racy test:
        // another test's thread may be given the same number at any moment.)
        let file = std::fs::File::open("/dev/null").unwrap();
        let rc = setsockopt(&file, SOL_SOCKET, SO_REUSEADDR, &1);
        assert_eq!(rc, Err(Errno::ENOTSOCK));
        assert_eq!(strerror(Errno::ENOTSOCK), glibc_strerror(Errno::ENOTSOCK));
    }
}

mod accept_inherits {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Why the reuseaddr lesson's step 5 works: the connection socket that `accept`
    /// returns inherits SO_REUSEADDR from the listening socket, so its TIME_WAIT, too,
    /// was made "with SO_REUSEADDR".
    #[test]
    fn so_reuseaddr_from_the_listening_socket() {
        for on in [0, 1] {
            let listenfd = socket(AF_INET, SOCK_STREAM, 0).unwrap();
            setsockopt(&listenfd, SOL_SOCKET, SO_REUSEADDR, &on).unwrap();
            bind(&listenfd, &loopback(0)).unwrap();
            listen(&listenfd, 5).unwrap();
            let client = socket(AF_INET, SOCK_STREAM, 0).unwrap();
            connect(&client, &loopback(port_of(&listenfd))).unwrap();
            let conn = accept(&listenfd, None).unwrap();
            assert_eq!(getsockopt(&conn, SOL_SOCKET, SO_REUSEADDR), Ok(on));
            assert_eq!(getsockopt(&client, SOL_SOCKET, SO_REUSEADDR), Ok(0));
        }
    }
}

mod names {
    use super::*;
    use pretty_assertions::assert_eq;

    // ANCHOR: five_elements
    /// The five elements of a connection (notes §3.1), read from both ends: protocol
    /// (TCP), local address and port (getsockname), remote address and port
    /// (getpeername). Each end's local is the other's remote.
    #[test]
    fn getsockname_and_getpeername_give_the_five_elements() {
        let (client, server) = connected();
        let name = |f: fn(&OwnedFd, &mut sockaddr_in, &mut socklen_t) -> Result<(), Errno>,
                    fd: &OwnedFd| {
            let mut addr = sockaddr_in::default();
            let mut len = size_of::<sockaddr_in>() as socklen_t;
            f(fd, &mut addr, &mut len).unwrap();
            assert_eq!(len, 16);
            (addr.sin_addr.s_addr, ntohs(addr.sin_port))
        };
        let local = |fd: &OwnedFd| name(|fd, a, l| getsockname(fd, a, l), fd);
        let remote = |fd: &OwnedFd| name(|fd, a, l| getpeername(fd, a, l), fd);
        assert_eq!(local(&client), remote(&server));
        assert_eq!(remote(&client), local(&server));
        assert_eq!(local(&client).0, htonl(INADDR_LOOPBACK));
        // And against libc's own call, for the client's port.
        assert_eq!(local(&client).1, port_of(&client));
    }
    // ANCHOR_END: five_elements

    #[test]
    fn getpeername_of_an_unconnected_socket_is_enotconn() {
        let fd = socket(AF_INET, SOCK_DGRAM, 0).unwrap();
        let mut addr = sockaddr_in::default();
        let mut len = size_of::<sockaddr_in>() as socklen_t;
        assert_eq!(getpeername(&fd, &mut addr, &mut len), Err(Errno::ENOTCONN));
    }
}
