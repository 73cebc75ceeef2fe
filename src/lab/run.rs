//! Running a lesson: a server and a client, each in C or in Rust, talking on loopback.
//!
//! 1. The server starts on the port given (or one the kernel says is free).
//! 2. The runner waits until the kernel's socket table shows the server's socket bound
//!    (for TCP, listening). If the server ends first, its stderr says why.
//! 3. The client starts, with `127.0.0.1 PORT` and its input on stdin. (With
//!    [`Pair::hosts`], each runs on a host of its own and the client is given the
//!    server host's address: see [`super::hosts`].)
//! 4. Everything both print is collected in order ([`super::mux`]), and shown as it comes.
//! 5. When the client has ended, the server is given a moment to end by itself (if the
//!    lesson's does), then stopped with `SIGTERM`. Nothing is left running, whatever
//!    happens: see [`super::process`].

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::BorrowedFd;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags};

use super::build::{relative, Builds, CFlavor};
use super::hosts::{Host, Hosts, Netns};
use super::kernel::{self, SocketEntry};
use super::lessons::Lesson;
use super::mux::{Event, Mux, Stream, Transcript, Who};
use super::process::{poll_timeout, Proc};

/// The language of one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// The notes' C, from `c-reference/`.
    C,
    /// The Rust twin, from `src/bin/`.
    Rust,
    /// A program no one here wrote (Python's `socket` module, `nc`), named.
    Other(&'static str),
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::C => "C",
            Lang::Rust => "Rust",
            Lang::Other(name) => name,
        })
    }
}

/// What the client reads on its stdin.
#[derive(Clone, Debug)]
pub enum Input {
    /// These bytes, then end of input.
    Bytes(Vec<u8>),
    /// The runner's own stdin: the terminal, so the student types as the client.
    Inherit,
}

/// How long things may take before the runner gives up on them.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// For the server's socket to appear in the kernel's table.
    pub bind: Duration,
    /// For the client to finish (with `Input::Inherit`, no limit).
    pub client: Duration,
    /// For a server that ends by itself to do so once its client is done.
    pub server_end: Duration,
    /// Between `SIGTERM` and `SIGKILL`.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bind: Duration::from_secs(10),
            client: Duration::from_secs(30),
            server_end: Duration::from_secs(5),
            grace: Duration::from_secs(2),
        }
    }
}

/// A run to make: which lesson, which languages, on which port, with what input.
#[derive(Clone, Debug)]
pub struct Pair<'a> {
    /// The lesson.
    pub lesson: &'a Lesson,
    /// The server's language.
    pub server: Lang,
    /// The client's language.
    pub client: Lang,
    /// The port; `None`: one the kernel says is free.
    pub port: Option<u16>,
    /// The client's input.
    pub input: Input,
    /// How the C is compiled.
    pub c_flavor: CFlavor,
    /// Time limits.
    pub limits: Limits,
    /// Run both programs under `strace` and show their socket calls (`--trace`).
    pub trace: bool,
    /// `--two-hosts`: the server on the one host, the client on the other, given the
    /// server host's address; `None`: both on this machine, the client given 127.0.0.1.
    pub hosts: Option<&'a Hosts>,
}

impl<'a> Pair<'a> {
    /// A run of `lesson` with its default input on a free port.
    pub fn new(lesson: &'a Lesson, server: Lang, client: Lang) -> Self {
        Pair {
            lesson,
            server,
            client,
            port: None,
            input: Input::Bytes(lesson.default_input.as_bytes().to_vec()),
            c_flavor: CFlavor::Plain,
            limits: Limits::default(),
            trace: false,
            hosts: None,
        }
    }
}

/// What a run gave.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The port the server was bound to.
    pub port: u16,
    /// The server's socket as the kernel's table showed it once bound.
    pub bound: SocketEntry,
    /// All they printed, in order.
    pub transcript: Transcript,
    /// How the server ended.
    pub server_status: ExitStatus,
    /// Whether the runner had to stop the server (it did not end by itself).
    pub server_stopped: bool,
    /// How the client ended.
    pub client_status: ExitStatus,
}

/// Why a run did not complete.
#[derive(Debug)]
pub enum RunError {
    /// The server ended before its socket was bound: its status and what it printed.
    ServerEnded {
        /// The port it was given.
        port: u16,
        /// How it ended.
        status: ExitStatus,
        /// What it printed (its stderr says why: `bind: Address already in use`).
        transcript: Transcript,
    },
    /// A limit ran out; everything started was stopped.
    Timeout {
        /// What was being waited for.
        waiting_for: &'static str,
        /// What was printed until then.
        transcript: Transcript,
    },
    /// A signal (Ctrl-C) arrived; everything started was stopped.
    Interrupted {
        /// What was printed until then.
        transcript: Transcript,
    },
    /// Building or starting a program, or the runner's own plumbing, failed.
    Io(io::Error),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        RunError::Io(e)
    }
}

impl From<Errno> for RunError {
    fn from(e: Errno) -> Self {
        RunError::Io(e.into())
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::ServerEnded { port, status, .. } => write!(
                f,
                "the server {} before its socket was bound on port {port}",
                super::process::describe(*status)
            ),
            RunError::Timeout { waiting_for, .. } => {
                write!(f, "gave up waiting for {waiting_for}; stopped everything")
            }
            RunError::Interrupted { .. } => write!(f, "interrupted; stopped everything"),
            RunError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// One side's program, ready to start.
#[derive(Clone, Debug)]
pub struct Program {
    /// The executable.
    pub path: PathBuf,
    /// The language.
    pub lang: Lang,
    /// Arguments that come before the lesson's (`PORT`, or `IP PORT`): a script for an
    /// interpreter, options for `nc`.
    pub leading_args: Vec<String>,
    /// When set, the program runs under `strace`, which writes its trace to this file
    /// (see [`super::trace`]).
    pub trace: Option<PathBuf>,
    /// When set, the program runs in this network namespace, one of [`Hosts`]
    /// ([`Netns::apply`]); else in the runner's.
    pub netns: Option<Netns>,
}

impl Program {
    /// A C or Rust twin at `path`.
    pub fn new(path: PathBuf, lang: Lang) -> Program {
        Program {
            path,
            lang,
            leading_args: Vec::new(),
            trace: None,
            netns: None,
        }
    }

    /// The command that runs it with `args`. The C runs under `stdbuf -oL` when the
    /// machine has it, so that its `printf` lines come out as they are printed, as
    /// Rust's do, instead of in one block at exit (C's stdio buffers a pipe or socket
    /// 4096 bytes at a time; a server that is killed would lose its output).
    pub fn command(&self, args: &[String]) -> Command {
        let mut argv: Vec<std::ffi::OsString> = Vec::new();
        if let Some(out) = &self.trace {
            argv.extend(super::trace::strace_prefix(out));
        }
        let stdbuf = self.lang == Lang::C && has_stdbuf();
        if stdbuf {
            argv.extend(["stdbuf".into(), "-oL".into()]);
        }
        argv.push(self.path.clone().into());
        argv.extend(self.leading_args.iter().map(Into::into));
        argv.extend(args.iter().map(Into::into));
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]);
        if let Some(netns) = &self.netns {
            netns.apply(&mut cmd);
        }
        if stdbuf {
            // stdbuf works by preloading a library; AddressSanitizer (`--asan`) insists
            // on being loaded first, and says so and exits, unless told not to check.
            // The preloaded library only calls setvbuf, which ASan has no quarrel with.
            let mut asan = std::ffi::OsString::from("verify_asan_link_order=0");
            if let Some(more) = std::env::var_os("ASAN_OPTIONS") {
                asan.push(":");
                asan.push(more);
            }
            cmd.env("ASAN_OPTIONS", asan);
        }
        cmd
    }

    /// How to show it to a student: `stdbuf -oL target/c-reference/udp-echo/server 40123`,
    /// followed by ` (on the server host, 10.77.0.1)` when it runs on one.
    pub fn shown(&self, args: &[String]) -> String {
        let mut s = String::new();
        if self.lang == Lang::C && has_stdbuf() {
            s.push_str("stdbuf -oL ");
        }
        s.push_str(&relative(&self.path));
        for a in self.leading_args.iter().chain(args) {
            s.push(' ');
            s.push_str(a);
        }
        if let Some(netns) = &self.netns {
            let host = netns.host();
            s.push_str(&format!("  (on the {} host, {})", host.name(), host.ip()));
        }
        s
    }
}

fn has_stdbuf() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        Command::new("stdbuf")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Finds (building if needed) `lesson`'s `program` ("server" or "client") in `lang`.
/// Returns the program and, when the C compiler ran, its command line.
pub fn program(
    builds: &Builds,
    lesson: &Lesson,
    program: &str,
    lang: Lang,
    flavor: CFlavor,
) -> io::Result<(Program, Option<String>)> {
    match lang {
        Lang::C => {
            let (path, compiled) = builds.build_c(lesson.owner_of(program), program, flavor)?;
            Ok((Program::new(path, lang), compiled))
        }
        Lang::Rust => Ok((
            Program::new(builds.rust_bin(&lesson.rust_bin(program)), lang),
            None,
        )),
        Lang::Other(name) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name} is not one of the lesson's own programs"),
        )),
    }
}

/// Observes a run as it happens: the runner prints, the tests stay quiet.
pub trait Observer {
    /// The server is started on `port` (`shown` is its command line).
    fn server_started(&mut self, _shown: &str, _port: u16) {}
    /// The kernel's table shows the server's socket.
    fn server_bound(&mut self, _entry: &SocketEntry) {}
    /// The client is started.
    fn client_started(&mut self, _shown: &str) {}
    /// Someone wrote something.
    fn event(&mut self, _event: &Event) {}
}

/// What a lesson with steps of its own (`reuseaddr`, `tcp-chat`, `fork-echo`) tells its
/// observer besides the programs' output.
pub trait Narrator: Observer {
    /// A step begins: its number and what it does.
    fn step(&mut self, _n: u32, _what: &str) {}
    /// A remark on what just happened.
    fn remark(&mut self, _what: &str) {}
    /// The kernel's table for the lesson's port.
    fn table(&mut self, _port: u16, _entries: &[SocketEntry]) {}
    /// Whether what it shows must be the same on every run (`--stable-output`): a lesson
    /// then says "many" where it would give a count that varies from run to run.
    fn stable_output(&self) -> bool {
        false
    }
}

/// An observer that observes nothing, and a narrator that says nothing (for tests).
pub struct Quiet;
impl Observer for Quiet {}
impl Narrator for Quiet {}

/// The bench on which programs run: one transcript for all of them, the observer that
/// watches, and Ctrl-C. [`run`] is one use of it; a lesson with steps of its own (the
/// `reuseaddr` lesson) is another.
pub struct Session<'o> {
    mux: Mux,
    /// With [`Session::trace`]: the port to normalise, and one feed per traced program.
    trace_port: Option<u16>,
    traces: Vec<super::live_trace::TraceFeed>,
    /// Everything written so far, in order.
    pub transcript: Transcript,
    observer: &'o mut dyn Observer,
    interrupts: Option<&'o super::signals::Interrupts>,
}

impl<'o> Session<'o> {
    /// A new session; `interrupts`, when given, is watched for Ctrl-C.
    pub fn new(
        observer: &'o mut dyn Observer,
        interrupts: Option<&'o super::signals::Interrupts>,
    ) -> io::Result<Session<'o>> {
        Ok(Session {
            mux: Mux::new()?,
            trace_port: None,
            traces: Vec::new(),
            transcript: Transcript::default(),
            observer,
            interrupts,
        })
    }

    /// Starts `program` with `args` as `who`, its stdout and stderr into the transcript.
    /// With `own_group` false it stays in the terminal's foreground group (to read it).
    pub fn start(
        &mut self,
        program: &Program,
        args: &[String],
        who: Who,
        stdin: Stdio,
        own_group: bool,
    ) -> io::Result<Proc> {
        let mut traced;
        let program = match self.trace_port {
            Some(port) if matches!(program.lang, Lang::C | Lang::Rust) => {
                let feed = super::live_trace::TraceFeed::open(who, port)?;
                traced = program.clone();
                traced.trace = Some(feed.path().to_path_buf());
                self.traces.push(feed);
                &traced
            }
            _ => program,
        };
        let mut cmd = program.command(args);
        cmd.stdin(stdin)
            .stdout(self.mux.sender(who, Stream::Stdout)?)
            .stderr(self.mux.sender(who, Stream::Stderr)?);
        let proc = Proc::spawn(&mut cmd, own_group)?;
        drop(cmd); // closes our copies of its stdin, stdout and stderr
        Ok(proc)
    }

    /// Takes every queued write into the transcript, telling the observer; with
    /// [`Session::trace`], the system calls traced so far too.
    pub fn drain(&mut self) -> io::Result<()> {
        while let Some(event) = self.mux.try_recv()? {
            self.observer.event(&event);
            self.transcript.events.push(event);
        }
        for i in 0..self.traces.len() {
            for event in self.traces[i].read()? {
                self.observer.event(&event);
                self.transcript.events.push(event);
            }
        }
        Ok(())
    }

    /// From now on, programs the session starts (C and Rust twins) run under `strace`, and
    /// their socket calls, normalised with `port` as PORT, join the transcript as
    /// [`Stream::Trace`] events.
    pub fn trace(&mut self, port: u16) {
        self.trace_port = Some(port);
    }

    /// Waits up to `limit` for every trace to be complete: `strace` writes a process's last
    /// lines after the runner may have seen it end.
    pub fn finish_traces(&mut self, limit: Duration) -> Result<(), RunError> {
        let deadline = Instant::now() + limit;
        loop {
            self.drain()?;
            if self.traces.iter().all(|t| t.complete()) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.timeout("strace to finish its traces"));
            }
            self.wait_for(&[], deadline - Instant::now())?;
        }
    }

    /// The observer, to tell it something.
    pub fn observer(&mut self) -> &mut dyn Observer {
        &mut *self.observer
    }

    /// Waits until `proc`'s socket on `port` shows in the kernel's table (for TCP, in
    /// `LISTEN`), taking its output meanwhile. If it ends first: `RunError::ServerEnded`.
    pub fn wait_bound(
        &mut self,
        proc: &mut Proc,
        transport: super::kernel::Transport,
        port: u16,
        limit: Duration,
    ) -> Result<SocketEntry, RunError> {
        let deadline = Instant::now() + limit;
        loop {
            self.drain()?;
            if let Some(entry) = kernel::bound_socket(proc.pid(), transport, port)
                .ok()
                .flatten()
            {
                // What it printed before `bind` is queued by now (it printed first):
                // take it, so that it is shown before the news that it is bound.
                self.drain()?;
                return Ok(entry);
            }
            if let Some(status) = proc.try_status()? {
                // It may have printed its last words just before ending.
                self.drain()?;
                return Err(RunError::ServerEnded {
                    port,
                    status,
                    transcript: self.transcript.clone(),
                });
            }
            if Instant::now() >= deadline {
                return Err(self.timeout("the server's socket to be bound"));
            }
            // Wake at once if it ends, prints, or a signal arrives; else look at the
            // table again in a millisecond: the table cannot be waited on.
            self.wait_for(&[proc.exit_fd()], Duration::from_millis(1))?;
        }
    }

    /// Waits up to `limit` for `proc` to end, taking the output meanwhile.
    /// `Ok(None)`: it is still running.
    pub fn wait_exit(
        &mut self,
        proc: &mut Proc,
        limit: Option<Duration>,
    ) -> Result<Option<ExitStatus>, RunError> {
        let deadline = limit.map(|l| Instant::now() + l);
        loop {
            self.drain()?;
            if let Some(status) = proc.try_status()? {
                self.drain()?;
                return Ok(Some(status));
            }
            let left = match deadline {
                Some(d) if Instant::now() >= d => return Ok(None),
                Some(d) => d - Instant::now(),
                None => Duration::from_secs(3600),
            };
            self.wait_for(&[proc.exit_fd()], left)?;
        }
    }

    /// Waits up to `limit` until `who` has written `needle` (counting all it wrote so
    /// far), taking the output meanwhile.
    pub fn wait_output(
        &mut self,
        who: Who,
        needle: &[u8],
        limit: Duration,
    ) -> Result<(), RunError> {
        let deadline = Instant::now() + limit;
        loop {
            self.drain()?;
            let seen = self.transcript.bytes(who, Stream::Stdout);
            if seen.windows(needle.len().max(1)).any(|w| w == needle) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.timeout("a program's output"));
            }
            self.wait_for(&[], deadline - Instant::now())?;
        }
    }

    /// Ends `proc` (`SIGTERM`, then `SIGKILL` after `grace`), taking its last output.
    pub fn terminate(&mut self, proc: &mut Proc, grace: Duration) -> io::Result<ExitStatus> {
        let status = proc.terminate(grace)?;
        self.drain()?;
        Ok(status)
    }

    fn timeout(&self, waiting_for: &'static str) -> RunError {
        RunError::Timeout {
            waiting_for,
            transcript: self.transcript.clone(),
        }
    }

    /// Waits until one of `fds` or the transcript is readable, or `timeout` passes.
    /// A signal (Ctrl-C) makes it return `RunError::Interrupted`.
    fn wait_for(&mut self, fds: &[BorrowedFd<'_>], timeout: Duration) -> Result<(), RunError> {
        let mut polled: Vec<PollFd<'_>> = fds
            .iter()
            .copied()
            .chain([self.mux.fd()])
            .chain(self.traces.iter().map(|t| t.fd()))
            .map(|fd| PollFd::new(fd, PollFlags::POLLIN))
            .collect();
        if let Some(int) = self.interrupts {
            polled.push(PollFd::new(int.fd(), PollFlags::POLLIN));
        }
        match poll(&mut polled, poll_timeout(timeout)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(io::Error::from(e).into()),
        }
        let interrupted = self.interrupts.is_some()
            && polled
                .last()
                .and_then(PollFd::revents)
                .is_some_and(|r| r.contains(PollFlags::POLLIN));
        drop(polled);
        if interrupted {
            self.drain()?;
            return Err(RunError::Interrupted {
                transcript: self.transcript.clone(),
            });
        }
        Ok(())
    }
}

/// Runs `pair` with `server` and `client`. `interrupts`, when given, is polled for Ctrl-C.
pub fn run(
    pair: &Pair<'_>,
    server: &Program,
    client: &Program,
    observer: &mut dyn Observer,
    interrupts: Option<&super::signals::Interrupts>,
) -> Result<Outcome, RunError> {
    let lesson = pair.lesson;
    // With two hosts, each program runs on its own, and the client is given the server
    // host's address; `on` gives a program its host.
    let on = |program: &Program, host: Host| Program {
        netns: match pair.hosts {
            Some(hosts) => Some(hosts.netns(host).clone()),
            None => program.netns.clone(),
        },
        ..program.clone()
    };
    let (server, client) = (&on(server, Host::Server), &on(client, Host::Client));
    let server_ip = match pair.hosts {
        Some(_) => Host::Server.ip(),
        None => std::net::Ipv4Addr::LOCALHOST,
    };

    // 1. The server, and the kernel's word that its socket is bound. A port the kernel
    //    said was free may be taken by someone else before the server binds it (another
    //    test, running at the same time): then ask again, a few times.
    let mut attempts = 0;
    let (mut session, mut server_proc, port, bound) = loop {
        attempts += 1;
        let port = match (pair.port, pair.hosts) {
            (Some(port), _) => port,
            (None, None) => kernel::free_port(lesson.transport)?,
            // A port free on the server host, asked there: no address of this machine's.
            (None, Some(hosts)) => {
                hosts.within(Host::Server, || kernel::free_port(lesson.transport))??
            }
        };
        let mut session = Session::new(&mut *observer, interrupts)?;
        if pair.trace {
            session.trace(port);
        }
        let server_args = vec![port.to_string()];
        let mut server_proc =
            session.start(server, &server_args, Who::Server, Stdio::null(), true)?;
        session
            .observer()
            .server_started(&server.shown(&server_args), port);
        match session.wait_bound(&mut server_proc, lesson.transport, port, pair.limits.bind) {
            Ok(bound) => break (session, server_proc, port, bound),
            Err(RunError::ServerEnded { transcript, .. })
                if pair.port.is_none()
                    && attempts < 3
                    && transcript
                        .text(Who::Server, Stream::Stderr)
                        .contains("Address already in use") => {}
            Err(e) => return Err(e),
        }
    };
    session.observer().server_bound(&bound);

    // 2. The client, fed its input from a thread, so that a client that prints a lot
    //    while we feed it cannot block us both. A client that ends before reading it all
    //    closes the pipe: the rest is dropped (EPIPE: the runner ignores SIGPIPE).
    let client_args = vec![server_ip.to_string(), port.to_string()];
    let (stdin, feed) = match &pair.input {
        Input::Bytes(bytes) => {
            let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
            (Stdio::from(read), Some((File::from(write), bytes.clone())))
        }
        Input::Inherit => (Stdio::inherit(), None),
    };
    let interactive = feed.is_none();
    let mut client_proc = session.start(client, &client_args, Who::Client, stdin, !interactive)?;
    session
        .observer()
        .client_started(&client.shown(&client_args));
    let feeder = feed.map(|(mut pipe, bytes)| {
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });

    // 3. Until the client ends.
    let limit = (!interactive).then_some(pair.limits.client);
    let client_status = match session.wait_exit(&mut client_proc, limit)? {
        Some(status) => status,
        None => return Err(session.timeout("the client to end")),
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }

    // 4. The server: let it end by itself if it does, else stop it.
    let ended = if lesson.server_ends {
        session.wait_exit(&mut server_proc, Some(pair.limits.server_end))?
    } else {
        None
    };
    let server_stopped = ended.is_none();
    let server_status = match ended {
        Some(status) => status,
        None => session.terminate(&mut server_proc, pair.limits.grace)?,
    };

    if pair.trace {
        session.finish_traces(pair.limits.grace)?;
    }

    Ok(Outcome {
        port,
        bound,
        transcript: session.transcript,
        server_status,
        server_stopped,
        client_status,
    })
}
