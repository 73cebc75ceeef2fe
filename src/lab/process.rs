//! The processes a lesson starts, and the guarantee that it ends them.
//!
//! Each program runs in a process group of its own, so that it and any child it forks
//! can be signalled together (`kill(-pgid, …)`), and with `PR_SET_PDEATHSIG`, so that the
//! kernel kills it if the runner dies without cleaning up (even by `SIGKILL`). Dropping a
//! [`Proc`] that is still running kills its group and reaps it: every early return, error
//! and panic path ends what was started.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

/// A started program.
pub struct Proc {
    child: Child,
    pidfd: OwnedFd,
    own_group: bool,
    status: Option<ExitStatus>,
}

impl Proc {
    /// Starts `cmd`. With `own_group`, in a new process group (the usual case); without,
    /// in the runner's, which is the terminal's foreground group: a program that reads
    /// the terminal must be there, or the terminal stops it with `SIGTTIN`.
    pub fn spawn(cmd: &mut Command, own_group: bool) -> io::Result<Proc> {
        if own_group {
            cmd.process_group(0);
        }
        // SAFETY: the closure runs in the child between fork and exec, and calls only
        // prctl(2) and close_range(2), which are async-signal-safe; it touches no memory
        // of the parent's.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(io::Error::last_os_error());
                }
                // A program starts with stdin, stdout and stderr, as from a shell, and
                // nothing else: whatever the runner inherited without close-on-exec
                // (cargo's jobserver pipes, say) is closed at exec. Marked, not closed
                // now, so that std's own pipe that reports a failed exec still works.
                // Before Linux 5.11 the flag is unknown (EINVAL): then nothing is marked.
                libc::syscall(
                    libc::SYS_close_range,
                    3u32,
                    u32::MAX,
                    libc::CLOSE_RANGE_CLOEXEC,
                );
                Ok(())
            });
        }
        let child = cmd.spawn()?;
        let pidfd = pidfd_open(child.id())?;
        Ok(Proc {
            child,
            pidfd,
            own_group,
            status: None,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A descriptor that `poll` reports readable once the process has ended.
    pub fn exit_fd(&self) -> BorrowedFd<'_> {
        self.pidfd.as_fd()
    }

    /// Its exit status, if it has ended (and reaps it then).
    pub fn try_status(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.child.try_wait()?;
        }
        Ok(self.status)
    }

    /// Waits up to `timeout` for it to end.
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_status()? {
                return Ok(Some(status));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let mut fds = [PollFd::new(self.pidfd.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, poll_timeout(left)) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Sends `signal` to its process group (or, in the runner's group, to it alone).
    pub fn signal(&self, signal: Signal) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        let pid = Pid::from_raw(self.child.id() as i32);
        let sent = if self.own_group {
            killpg(pid, signal)
        } else {
            nix::sys::signal::kill(pid, signal)
        };
        match sent {
            Ok(()) | Err(Errno::ESRCH) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Ends it: `SIGTERM`, up to `grace` to go, then `SIGKILL`. Returns how it ended.
    pub fn terminate(&mut self, grace: Duration) -> io::Result<ExitStatus> {
        if let Some(status) = self.try_status()? {
            self.reap_group();
            return Ok(status);
        }
        self.signal(Signal::SIGTERM)?;
        let status = match self.wait_timeout(grace)? {
            Some(status) => status,
            None => {
                self.signal(Signal::SIGKILL)?;
                let status = self.child.wait()?;
                self.status = Some(status);
                status
            }
        };
        self.reap_group();
        Ok(status)
    }

    /// Kills whatever is left of its process group (children it forked and did not
    /// reap are re-parented to init, which reaps them).
    fn reap_group(&self) {
        if self.own_group {
            let _ = killpg(Pid::from_raw(self.child.id() as i32), Signal::SIGKILL);
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.signal(Signal::SIGKILL);
            if let Ok(status) = self.child.wait() {
                self.status = Some(status);
            }
        }
        self.reap_group();
    }
}

/// How a process ended, in words: "exited with status 0", "killed by SIGTERM".
pub fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => match Signal::try_from(sig) {
            Ok(s) => format!("killed by {}", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        },
        _ => format!("{status}"),
    }
}

/// A poll timeout for `d`, rounded up to the millisecond and capped.
pub fn poll_timeout(d: Duration) -> PollTimeout {
    let ms = d.as_millis().saturating_add(1).min(i32::MAX as u128) as i32;
    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
}

/// `pidfd_open(2)`: a descriptor for process `pid` that polls readable when it ends.
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    let fd = Errno::result(fd)? as i32;
    // SAFETY: the kernel just returned `fd`, open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
