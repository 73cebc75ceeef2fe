//! One ordered transcript of several processes' stdout and stderr.
//!
//! Two pipes read by one runner cannot say which of two lines was written first: each
//! pipe keeps its own order, and the reader sees whichever it happens to poll first. The
//! lesson runner needs the true order ("recv: hello" before the client's "hello") to show
//! a conversation, and its generated transcripts in the book must come out the same on
//! every run. So it uses a socket, the subject of this crate:
//!
//! - one `AF_UNIX` datagram socket, the receiver, bound to an abstract name;
//! - for each (process, stream), a datagram socket bound to a name of its own, connected
//!   to the receiver, and given to the process as its stdout or stderr.
//!
//! Every `write(2)` a process makes becomes one datagram. All of them queue at the one
//! receiver in the order they were written, and `recvfrom` names the sending socket,
//! hence who wrote it and on which stream. C's line-buffered `printf` and Rust's
//! `println!` make one `write` per line, so the lines come out in the order they were
//! printed.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

use nix::errno::Errno;
use nix::sys::socket::{
    bind, connect, recvfrom, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockType,
    UnixAddr,
};

/// Which side of a lesson wrote something. A forked child writes as its parent's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    /// The server program (and any child it forks).
    Server,
    /// The client program (and any child it forks).
    Client,
}

impl Who {
    /// `"server"` or `"client"`.
    pub fn name(self) -> &'static str {
        match self {
            Who::Server => "server",
            Who::Client => "client",
        }
    }
}

/// Which output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output, fd 1.
    Stdout,
    /// Standard error, fd 2.
    Stderr,
    /// Its system calls, normalised, with `--trace` (see [`super::live_trace`]): not
    /// written by the program itself but by `strace`.
    Trace,
}

/// One `write(2)` of one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Who wrote it.
    pub who: Who,
    /// Where.
    pub stream: Stream,
    /// The bytes, as written.
    pub bytes: Vec<u8>,
}

const CHANNELS: [(Who, Stream); 4] = [
    (Who::Server, Stream::Stdout),
    (Who::Server, Stream::Stderr),
    (Who::Client, Stream::Stdout),
    (Who::Client, Stream::Stderr),
];

/// The largest single write we take whole: a write is one datagram, and a datagram
/// longer than the receive buffer would be cut short.
const MAX_WRITE: usize = 256 * 1024;

/// The receiving end of a transcript.
pub struct Mux {
    receiver: OwnedFd,
    name: String,
    buf: Vec<u8>,
}

impl Mux {
    /// A new receiver, under an abstract name unique to this process and call.
    pub fn new() -> io::Result<Mux> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "socklab-mux-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        // Non-blocking: the runner polls it, and takes what is queued without waiting.
        let receiver = dgram_socket(SockFlag::SOCK_NONBLOCK)?;
        bind(
            receiver.as_raw_fd(),
            &UnixAddr::new_abstract(name.as_bytes())?,
        )?;
        setsockopt(&receiver, sockopt::RcvBuf, &(4 * MAX_WRITE))?;
        Ok(Mux {
            receiver,
            name,
            buf: vec![0; MAX_WRITE],
        })
    }

    /// A socket to give to `who` as its `stream`: what it writes arrives here, labelled.
    pub fn sender(&self, who: Who, stream: Stream) -> io::Result<OwnedFd> {
        // Blocking, as a pipe is: the kernel queues only a few datagrams per receiver
        // (`/proc/sys/net/unix/max_dgram_qlen`, 10 by default), and a program that writes
        // faster than the runner reads must wait for it, not lose lines to EAGAIN.
        let sender = dgram_socket(SockFlag::empty())?;
        bind(sender.as_raw_fd(), &self.channel_addr(who, stream)?)?;
        connect(
            sender.as_raw_fd(),
            &UnixAddr::new_abstract(self.name.as_bytes())?,
        )?;
        setsockopt(&sender, sockopt::SndBuf, &MAX_WRITE)?;
        Ok(sender)
    }

    /// The descriptor to `poll` for readability.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.receiver.as_fd()
    }

    /// The next write, if one is queued; never blocks.
    pub fn try_recv(&mut self) -> io::Result<Option<Event>> {
        let (n, from) = match recvfrom::<UnixAddr>(self.receiver.as_raw_fd(), &mut self.buf) {
            Ok(got) => got,
            Err(Errno::EAGAIN) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let from = from.and_then(|a| a.as_abstract().map(<[u8]>::to_vec));
        let (who, stream) = CHANNELS
            .into_iter()
            .find(|&(who, stream)| {
                self.channel_addr(who, stream)
                    .ok()
                    .and_then(|a| a.as_abstract().map(<[u8]>::to_vec))
                    == from
            })
            .ok_or_else(|| io::Error::other("a datagram from an unknown sender"))?;
        Ok(Some(Event {
            who,
            stream,
            bytes: self.buf[..n].to_vec(),
        }))
    }

    fn channel_addr(&self, who: Who, stream: Stream) -> io::Result<UnixAddr> {
        let stream = match stream {
            Stream::Stdout => "out",
            Stream::Stderr => "err",
            Stream::Trace => unreachable!("no program is given a socket for its trace"),
        };
        Ok(UnixAddr::new_abstract(
            format!("{}-{}-{stream}", self.name, who.name()).as_bytes(),
        )?)
    }
}

fn dgram_socket(flags: SockFlag) -> io::Result<OwnedFd> {
    Ok(socket(
        AddressFamily::Unix,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC | flags,
        None,
    )?)
}

/// Everything the processes of a run wrote, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    /// Every write, in the order the kernel queued them.
    pub events: Vec<Event>,
}

impl Transcript {
    /// All bytes `who` wrote to `stream`, joined: what a pipe would have collected.
    pub fn bytes(&self, who: Who, stream: Stream) -> Vec<u8> {
        self.events
            .iter()
            .filter(|e| e.who == who && e.stream == stream)
            .flat_map(|e| e.bytes.iter().copied())
            .collect()
    }

    /// [`Transcript::bytes`] as text (invalid UTF-8 shown as U+FFFD).
    pub fn text(&self, who: Who, stream: Stream) -> String {
        String::from_utf8_lossy(&self.bytes(who, stream)).into_owned()
    }

    /// The transcript as lines, each labelled, in order. A write that holds several lines
    /// gives several; a line written in pieces is joined (up to its newline, or the end).
    pub fn lines(&self) -> Vec<(Who, Stream, Vec<u8>)> {
        let mut lines = Vec::new();
        let mut partial: Vec<((Who, Stream), Vec<u8>)> = Vec::new();
        for e in &self.events {
            let key = (e.who, e.stream);
            let at = match partial.iter().position(|(k, _)| *k == key) {
                Some(at) => at,
                None => {
                    partial.push((key, Vec::new()));
                    partial.len() - 1
                }
            };
            for &b in &e.bytes {
                if b == b'\n' {
                    lines.push((e.who, e.stream, std::mem::take(&mut partial[at].1)));
                } else {
                    partial[at].1.push(b);
                }
            }
        }
        for ((who, stream), rest) in partial {
            if !rest.is_empty() {
                lines.push((who, stream, rest));
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::unistd::write;

    #[test]
    fn keeps_the_order_of_writes_across_senders() {
        let mut mux = Mux::new().unwrap();
        let server = mux.sender(Who::Server, Stream::Stdout).unwrap();
        let client = mux.sender(Who::Client, Stream::Stdout).unwrap();
        let client_err = mux.sender(Who::Client, Stream::Stderr).unwrap();
        write(&server, b"recv: hello\n").unwrap();
        write(&client, b"hello\n").unwrap();
        write(&client_err, b"oops\n").unwrap();
        write(&server, b"recv: world\n").unwrap();
        let mut got = Transcript::default();
        while let Some(e) = mux.try_recv().unwrap() {
            got.events.push(e);
        }
        assert_eq!(
            got.lines(),
            [
                (Who::Server, Stream::Stdout, b"recv: hello".to_vec()),
                (Who::Client, Stream::Stdout, b"hello".to_vec()),
                (Who::Client, Stream::Stderr, b"oops".to_vec()),
                (Who::Server, Stream::Stdout, b"recv: world".to_vec()),
            ]
        );
        assert_eq!(
            got.bytes(Who::Server, Stream::Stdout),
            b"recv: hello\nrecv: world\n"
        );
    }

    #[test]
    fn a_writer_faster_than_the_reader_waits_and_loses_nothing() {
        let mut mux = Mux::new().unwrap();
        let out = mux.sender(Who::Server, Stream::Stdout).unwrap();
        // Far more than the kernel queues (max_dgram_qlen, 10 by default): the writer
        // must block until the reader catches up, as it would on a pipe.
        let writer = std::thread::spawn(move || {
            for i in 0..1000 {
                write(&out, format!("{i}\n").as_bytes()).unwrap();
            }
        });
        let mut got = Transcript::default();
        while got.events.len() < 1000 {
            match mux.try_recv().unwrap() {
                Some(e) => got.events.push(e),
                None => std::thread::yield_now(),
            }
        }
        writer.join().unwrap();
        let expected: String = (0..1000).map(|i| format!("{i}\n")).collect();
        assert_eq!(got.text(Who::Server, Stream::Stdout), expected);
    }
}
