//! UDP helpers shared by `tests/errors.rs` and `tests/bad_input.rs` (included in each
//! with `#[path = "support/udp.rs"] mod udp;`): a socket of the test's own, and an echo
//! server of the test's own that records what it receives.

#![allow(dead_code)] // Each test file uses its part.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a test waits for a reply that should come at once on loopback.
pub const REPLY_WITHIN: Duration = Duration::from_secs(5);

/// A UDP socket of the test's on 127.0.0.1, on a port the kernel chose, whose reads give
/// up after `REPLY_WITHIN`.
pub fn udp_socket() -> (UdpSocket, u16) {
    let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    sock.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
    let port = sock.local_addr().unwrap().port();
    (sock, port)
}

/// A datagram and who sent it.
pub type Datagram = (Vec<u8>, SocketAddr);

/// A UDP echo server of the test's own, on 127.0.0.1, that records what it receives:
/// someone for a client to talk to that is neither twin. It stops when dropped, after
/// `max` datagrams, or after a minute.
pub struct Recorder {
    pub port: u16,
    got: Arc<Mutex<Vec<Datagram>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Recorder {
    pub fn start(max: usize) -> Recorder {
        let (sock, port) = udp_socket();
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (got, stop) = (got.clone(), stop.clone());
            thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut buf = [0u8; 65536];
                let mut count = 0;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline && count < max {
                    if let Ok((n, from)) = sock.recv_from(&mut buf) {
                        count += 1;
                        got.lock().unwrap().push((buf[..n].to_vec(), from));
                        let _ = sock.send_to(&buf[..n], from);
                    }
                }
            })
        };
        Recorder {
            port,
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// The datagrams received so far, with their senders.
    pub fn received(&self) -> Vec<Datagram> {
        self.got.lock().unwrap().clone()
    }

    /// The datagrams received so far.
    pub fn datagrams(&self) -> Vec<Vec<u8>> {
        self.received().into_iter().map(|(d, _)| d).collect()
    }

    /// Waits until `n` datagrams have arrived, or `REPLY_WITHIN` has passed: the
    /// recorder's thread may take them a moment after a client has ended.
    fn wait(&self, n: usize) {
        let deadline = Instant::now() + REPLY_WITHIN;
        while self.got.lock().unwrap().len() < n && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// The datagrams received, once there are `n` (or after `REPLY_WITHIN`).
    pub fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        self.wait(n);
        self.datagrams()
    }

    /// What arrived, with senders, once `n` datagrams have (or after `REPLY_WITHIN`),
    /// and cleared.
    pub fn take(&self, n: usize) -> Vec<Datagram> {
        self.wait(n);
        std::mem::take(&mut *self.got.lock().unwrap())
    }

    /// The datagrams received, after a moment for any in flight to arrive: for "nothing
    /// was sent".
    pub fn settled(&self) -> Vec<Vec<u8>> {
        thread::sleep(Duration::from_millis(50));
        self.datagrams()
    }

    pub fn clear(&self) {
        self.got.lock().unwrap().clear();
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
