//! Ctrl-C for the runner: `SIGINT`, `SIGTERM` and `SIGHUP` become a byte on a pipe that
//! the runner's `poll` loop watches (the self-pipe trick), so that it can stop its
//! programs and only then exit.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

use nix::fcntl::OFlag;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::pipe2;

/// The write end of the pipe, for the handler; -1 until installed.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
/// The last signal caught, for the exit status (128 + signal).
static CAUGHT: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    CAUGHT.store(sig, Ordering::Relaxed);
    let fd = WRITE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) is async-signal-safe, the byte is a live local, and `fd` is
        // the pipe's write end, which stays open for the life of the process.
        unsafe { libc::write(fd, [sig as u8].as_ptr().cast(), 1) };
    }
}

/// The read end of the self-pipe: readable once a signal has arrived.
pub struct Interrupts {
    read: OwnedFd,
}

impl Interrupts {
    /// Installs the handlers (once per process; the runner calls it at start).
    pub fn install() -> io::Result<Interrupts> {
        let (read, write) = pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
        // The handler may run at any time from now on: the write end must live forever.
        WRITE_FD.store(write.into_raw_fd(), Ordering::Relaxed);
        let action = SigAction::new(
            SigHandler::Handler(on_signal),
            SaFlags::SA_RESTART,
            SigSet::empty(),
        );
        for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            // SAFETY: `on_signal` only loads and stores atomics and calls write(2), all
            // async-signal-safe.
            unsafe { sigaction(sig, &action) }?;
        }
        Ok(Interrupts { read })
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// The signal caught, if any.
    pub fn caught() -> Option<Signal> {
        Signal::try_from(CAUGHT.load(Ordering::Relaxed)).ok()
    }
}
