//! `--trace`: a program's system calls as it makes them, normalised as the comparison
//! tests normalise them ([`super::trace`]), shown among its output.
//!
//! `strace -o FILE` writes to a file; to read it as it is written, the file is a FIFO
//! (`mkfifo(3)`) that the runner holds open for reading *and* writing. Holding the write
//! end too means the FIFO never reports end-of-file or `POLLHUP` when `strace` closes it,
//! so the runner can poll it with the programs' output and simply stop when the trace is
//! complete: every process it showed has ended (`+++ exited with 0 +++`).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use nix::sys::stat::Mode;

use super::mux::{Event, Stream, Who};
use super::trace::{Normaliser, Parser, Record};

/// One traced program's trace, read from its FIFO.
pub struct TraceFeed {
    who: Who,
    fifo: File,
    dir: PathBuf,
    path: PathBuf,
    partial: Vec<u8>,
    parser: Parser,
    normaliser: Normaliser,
    seen: HashSet<u32>,
    ended: HashSet<u32>,
}

impl TraceFeed {
    /// A new FIFO for `who`'s trace, in a folder of its own under the temp directory;
    /// `port` is the lesson's, which the normaliser writes as PORT.
    pub fn open(who: Who, port: u16) -> io::Result<TraceFeed> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "socklab-trace-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.strace", who.name()));
        nix::unistd::mkfifo(&path, Mode::S_IRUSR | Mode::S_IWUSR)?;
        // Read and write: see the module's doc. Non-blocking: the runner polls it.
        let fifo = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)?;
        Ok(TraceFeed {
            who,
            fifo,
            dir,
            path,
            partial: Vec::new(),
            parser: Parser::new(),
            normaliser: Normaliser::new(Some(port)),
            seen: HashSet::new(),
            ended: HashSet::new(),
        })
    }

    /// Where `strace -o` must write.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fifo.as_fd()
    }

    /// Whether every process the trace has shown has ended.
    pub fn complete(&self) -> bool {
        !self.seen.is_empty() && self.seen == self.ended
    }

    /// What `strace` has written since the last call, as normalised lines, one event each.
    pub fn read(&mut self) -> io::Result<Vec<Event>> {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.fifo.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self.partial.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        let mut events = Vec::new();
        // Whole lines only: strace writes a call in progress without its newline.
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            let Some(record) = self.parser.line(&line) else {
                continue;
            };
            if let Some(pid) = record.pid() {
                self.seen.insert(pid);
                if matches!(record, Record::Exit { .. }) {
                    self.ended.insert(pid);
                }
            }
            if let Some(normalised) = self.normaliser.record(&record) {
                events.push(Event {
                    who: self.who,
                    stream: Stream::Trace,
                    bytes: format!("{normalised}\n").into_bytes(),
                });
            }
        }
        Ok(events)
    }
}

impl Drop for TraceFeed {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        let _ = fs::remove_dir(&self.dir);
    }
}
