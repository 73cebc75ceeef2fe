//! The `fork-echo` lesson (beyond the notes): one server, many clients at once, a child
//! process per client; with a `SIGCHLD` handler that reaps them, then without.
//!
//! For each of the two servers (`fork-echo/server.c` and `server-noreap.c`, or their Rust
//! twins):
//!
//! 1. The server starts; the runner waits for the kernel to show it listening, and counts
//!    its open descriptors and the sockets among them (`/proc/<pid>/fd`; see
//!    [`sockets_held`]).
//! 2. Clients come in batches ([`Plan`]: 20, 10 at a time, by default). Each client is
//!    the tcp-echo client, in the language asked for, one process each, as a student
//!    would start them in ten terminals, fed the lesson's input on its stdin. The runner
//!    keeps that stdin open: once a client has printed the echo of every word it stays
//!    connected, waiting for more input, and so does the server's child that serves it.
//!    That is when the runner shows the server's processes, from `/proc`: the parent,
//!    holding one socket (`listenfd`), and one child per connected client, each holding
//!    one (its `newconfd`); and, without the handler, the zombies of the batches before.
//! 3. The batch's input ends: the clients close their sockets and exit, each child reads
//!    the end of the stream and exits. The runner checks that every client printed
//!    exactly its words and exited with status 0, then waits, bounded, for the server's
//!    children to settle: all reaped by the handler, or all zombies for good.
//! 4. After the last batch: the descriptors again (the same number: the parent closes
//!    every connection it hands to a child), and the zombies: 0 with the handler, one per
//!    client without.
//!
//! Every number the runner prints is one that is the same on every run: counts taken
//! once the processes have settled, never a pid, a time or a count taken in passing. A
//! count that has not settled within the limit is printed as "some".
//!
//! Program clients are fast enough here: 200 Rust tcp-echo clients, 50 at a time, take
//! about 0.25 s on two cores, the C ones (under `stdbuf`) about 0.35 s. The tests' runs
//! of 200 clients use clients in threads instead (`tests/fork_echo.rs`), which can check
//! a whole byte stream, end included; the tcp-echo client only ever sends 100-byte
//! buffers and prints up to the first NUL.
//!
//! Every process ends: a client or a server is a [`Proc`], which kills its process group
//! when dropped, on every path; the server's group holds its children, and once the
//! server is gone, init reaps its zombies.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::process::{ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags};

use super::build::{Builds, CFlavor};
use super::kernel::{self, SocketEntry, Transport};
use super::lessons::Lesson;
use super::mux::Who;
use super::process::{describe, poll_timeout, Proc};
use super::run::{program, Input, Lang, Limits, Narrator, Program, Quiet, RunError, Session};
use super::signals::Interrupts;

/// How many clients, and how many at once.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Clients in all.
    pub clients: usize,
    /// Clients connected at the same time: one batch.
    pub at_once: usize,
    /// How long the server's children may take to settle (all reaped, or all zombies)
    /// once their clients have gone, and to be all there once their clients are in.
    pub settle: Duration,
    /// The other limits: binding, each batch's clients, stopping the server.
    pub limits: Limits,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            clients: 20,
            at_once: 10,
            settle: Duration::from_secs(5),
            limits: Limits {
                client: Duration::from_secs(20),
                ..Limits::default()
            },
        }
    }
}

/// A server's children, as `/proc` shows them: those still running (`alive`, of which
/// `sleeping` are in state `S`, waiting in a system call) and the `zombies` (state `Z`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tree {
    /// Children in any state but `Z`.
    pub alive: usize,
    /// Of those, the ones in state `S` (sleeping: for the lesson's, waiting in `read`).
    pub sleeping: usize,
    /// Children in state `Z`: ended, and not waited for.
    pub zombies: usize,
}

/// The server at one moment: its children, and the descriptors of each.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// Its children, by state.
    pub tree: Tree,
    /// The parent's open descriptors (all of them: compare, do not print).
    pub fds: usize,
    /// The sockets the parent holds, inherited ones aside ([`sockets_held`]): 1,
    /// `listenfd`.
    pub sockets: usize,
    /// For each child still alive, the sockets it holds ([`sockets_held`]), sorted.
    pub child_sockets: Vec<usize>,
}

/// What one server did with its clients.
#[derive(Clone, Debug)]
pub struct Served {
    /// The port it listened on.
    pub port: u16,
    /// How many clients were started.
    pub clients: usize,
    /// How many printed exactly the echo of their words and exited with status 0.
    pub echoed: usize,
    /// What the others printed, and how they ended, one line each.
    pub failures: Vec<String>,
    /// For each batch, the server while the batch's clients were connected and had their
    /// echoes.
    pub during: Vec<Snapshot>,
    /// The server's children once the last batch's had settled.
    pub after: Tree,
    /// Whether every settling finished within the limit (so `after` and every `during`
    /// is final, the same on every run).
    pub settled: bool,
    /// The server's open descriptors before the first client. (All of them, those it
    /// inherited from whoever started it included: compare, do not print.)
    pub fds_before: usize,
    /// The server's open descriptors after the last client and the settling.
    pub fds_after: usize,
    /// The sockets the server holds before the first client, inherited ones aside
    /// ([`sockets_held`]): 1, `listenfd`.
    pub sockets_before: usize,
    /// The same after the last client.
    pub sockets_after: usize,
    /// From the first client's start to the last one's end, settling excluded.
    pub elapsed: Duration,
    /// How the server ended (the runner stops it: it serves until killed).
    pub server_status: ExitStatus,
}

/// What the lesson showed: the server that reaps, then the one that does not.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `fork-echo/server.c` (or its twin).
    pub reaping: Served,
    /// `fork-echo/server-noreap.c` (or its twin).
    pub noreap: Served,
}

/// Runs the lesson: servers in `server`, clients (the tcp-echo client) in `client`, each
/// client fed `input`, as the default [`Plan`] says.
#[allow(clippy::too_many_arguments)]
pub fn run(
    lesson: &Lesson,
    builds: &Builds,
    server: Lang,
    client: Lang,
    flavor: CFlavor,
    input: &Input,
    narrator: &mut dyn Narrator,
    interrupts: Option<&Interrupts>,
) -> Result<Outcome, RunError> {
    let plan = &Plan::default();
    let Input::Bytes(input) = input else {
        return Err(RunError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "fork-echo feeds many clients at once: give it --input FILE, not --input -",
        )));
    };
    let reaping = program(builds, lesson, "server", server, flavor)?.0;
    let noreap = program(builds, lesson, "server-noreap", server, flavor)?.0;
    let client = program(builds, lesson, "client", client, flavor)?.0;
    let words = shown_words(input);
    let bench = Bench {
        client: &client,
        input,
        expected: echoed(input),
        plan,
        interrupts,
    };

    narrator.step(
        1,
        &format!(
            "the server that reaps its children (fork-echo server): {} clients, {} at a \
             time, each fed {words}",
            plan.clients, plan.at_once
        ),
    );
    let reaping = bench.serve(narrator, &reaping, true)?;
    narrator.step(
        2,
        "the same server without its SIGCHLD handler (fork-echo server-noreap), the same \
         clients",
    );
    let noreap = bench.serve(narrator, &noreap, false)?;
    narrator.remark(&format!(
        "with the handler: {}; without: {}",
        zombies_said(&reaping),
        zombies_said(&noreap)
    ));
    Ok(Outcome { reaping, noreap })
}

/// The server's children: (pid, state) of every process whose parent is `pid`, from
/// `/proc/*/stat`. A process that ends while the folder is read is skipped.
pub fn children(pid: u32) -> io::Result<Vec<(u32, char)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc")? {
        let Ok(entry) = entry else { continue };
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        if let Some((state, ppid)) = parse_stat(&stat) {
            if ppid == pid {
                found.push((child, state));
            }
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// `1234 (fork-echo-serve) S 1200 …` → ('S', 1200). The command name may hold spaces
/// and parentheses: the fields resume after the last `)`.
fn parse_stat(stat: &str) -> Option<(char, u32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// The sockets process `pid` holds open, less those in `inherited`: for a server, its
/// listening socket and its connections. A socket is known by its inode
/// (`/proc/<pid>/fd/N` → `socket:[inode]`), which a forked child shares with its parent:
/// so `inherited`, the server's sockets from before it opened any (its stdout and stderr,
/// when they are the runner's sockets; see [`inherited_sockets`]), are the children's
/// too, and are left out of both counts.
///
/// (Not read from the kernel's table, `/proc/net/tcp`: read while other connections come
/// and go, it may show a line twice or skip one, and it holds every `TIME_WAIT` of the
/// last minute.)
pub fn sockets_held(pid: u32, inherited: &HashSet<u64>) -> io::Result<usize> {
    Ok(kernel::socket_inodes(pid)?.difference(inherited).count())
}

/// The sockets server `pid` holds besides `listening`, its listening socket: those it
/// was started with, which its children inherit too.
pub fn inherited_sockets(pid: u32, listening: &SocketEntry) -> io::Result<HashSet<u64>> {
    let mut held = kernel::socket_inodes(pid)?;
    held.remove(&listening.inode);
    Ok(held)
}

/// The server `pid` now: [`tree`], [`fd_count`], and [`sockets_held`] by it and by each
/// of its live children.
pub fn snapshot(pid: u32, inherited: &HashSet<u64>) -> io::Result<Snapshot> {
    let mut child_sockets = Vec::new();
    for (child, state) in children(pid)? {
        if state != 'Z' {
            child_sockets.push(sockets_held(child, inherited)?);
        }
    }
    child_sockets.sort_unstable();
    Ok(Snapshot {
        tree: tree(pid)?,
        fds: fd_count(pid)?,
        sockets: sockets_held(pid, inherited)?,
        child_sockets,
    })
}

/// [`children`], counted by state.
pub fn tree(pid: u32) -> io::Result<Tree> {
    let mut tree = Tree::default();
    for (_, state) in children(pid)? {
        match state {
            'Z' => tree.zombies += 1,
            'S' => {
                tree.alive += 1;
                tree.sleeping += 1;
            }
            _ => tree.alive += 1,
        }
    }
    Ok(tree)
}

/// How many descriptors process `pid` has open: the entries of `/proc/<pid>/fd`.
pub fn fd_count(pid: u32) -> io::Result<usize> {
    Ok(fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

/// Looks at `pid`'s children every millisecond until `done` says the tree is as
/// wanted, for up to `limit`. Returns the last tree and whether `done` said yes.
pub fn wait_tree(
    pid: u32,
    limit: Duration,
    done: impl Fn(&Tree) -> bool,
) -> io::Result<(Tree, bool)> {
    let deadline = Instant::now() + limit;
    loop {
        let now = tree(pid)?;
        if done(&now) {
            return Ok((now, true));
        }
        if Instant::now() >= deadline {
            return Ok((now, false));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// What every server's run needs: the client, its input, the plan, Ctrl-C.
struct Bench<'a> {
    client: &'a Program,
    input: &'a [u8],
    /// What each client prints when every word comes back.
    expected: Vec<u8>,
    plan: &'a Plan,
    interrupts: Option<&'a Interrupts>,
}

/// One client program and what the runner knows of it.
struct Client {
    /// 1, 2, …: its number in the run.
    n: usize,
    proc: Proc,
    /// Its stdout and stderr, one pipe (non-blocking), read as it comes.
    out: File,
    got: Vec<u8>,
    eof: bool,
    status: Option<ExitStatus>,
    /// The thread writing its input; gives back the pipe, still open, when done.
    stdin: Option<JoinHandle<File>>,
}

impl Bench<'_> {
    /// Runs the plan's clients against `server`; `reaps`: whether it should reap its
    /// children (what "settled" means: none left, or none alive).
    fn serve(
        &self,
        narrator: &mut dyn Narrator,
        server: &Program,
        reaps: bool,
    ) -> Result<Served, RunError> {
        let plan = self.plan;
        let port = kernel::free_port(Transport::Tcp)?;
        // The server's output goes into this session's transcript; the runner hands it
        // to the narrator itself (see `Relay`), between its own remarks.
        let mut quiet = Quiet;
        let mut session = Session::new(&mut quiet, self.interrupts)?;
        let mut relay = Relay { seen: 0 };
        let args = [port.to_string()];
        let mut proc = session.start(server, &args, Who::Server, Stdio::null(), true)?;
        narrator.server_started(&server.shown(&args), port);
        let bound = session.wait_bound(&mut proc, Transport::Tcp, port, plan.limits.bind);
        relay.forward(&mut session, narrator)?;
        let bound = bound?;
        narrator.server_bound(&bound);
        let pid = proc.pid();
        let fds_before = fd_count(pid)?;
        let inherited = inherited_sockets(pid, &bound)?;
        let sockets_before = sockets_held(pid, &inherited)?;
        narrator.remark(&format!(
            "/proc/<pid>/fd: besides stdin, stdout and stderr, it holds {}",
            holding(sockets_before, "listenfd")
        ));

        let mut during = Vec::new();
        let mut settled = true;
        let mut echoed = 0;
        let mut failures = Vec::new();
        let mut elapsed = Duration::ZERO;
        let mut after = Tree::default();
        let mut zombies_so_far = 0;
        let mut first = 1;
        while first <= plan.clients {
            let last = (first + plan.at_once - 1).min(plan.clients);
            let count = last - first + 1;
            let started = Instant::now();
            let mut clients = self.start_clients(first..=last, port)?;
            let shown = self
                .client
                .shown(&["127.0.0.1".to_string(), port.to_string()]);
            narrator.remark(&format!("clients {first} to {last}, at once: {shown}"));

            // Until each has printed all its echoes (or ended).
            let expected = self.expected.len();
            self.pump(
                &mut session,
                &mut relay,
                narrator,
                &mut proc,
                &mut clients,
                |c| c.got.len() >= expected || c.status.is_some(),
            )?;
            // Every client still connected has a child: wait until all are there, each
            // waiting in read.
            let connected = clients.iter().filter(|c| c.status.is_none()).count();
            let (_, ok) = wait_tree(pid, plan.settle, |t| {
                t.alive == connected && t.sleeping == connected && t.zombies == zombies_so_far
            })?;
            settled &= ok;
            let now = snapshot(pid, &inherited)?;
            narrator.remark(&format!(
                "all {count} have their echoes and wait for more input, still connected; \
                 the server's processes (/proc/*/stat) and the sockets each holds besides stdio \
                 (/proc/<pid>/fd):\n{}",
                tree_lines(&now, ok, reaps)
            ));
            during.push(now);

            // End their input: they leave, and so do their children.
            for c in &mut clients {
                if let Some(writer) = c.stdin.take() {
                    drop(writer.join());
                }
            }
            self.pump(
                &mut session,
                &mut relay,
                narrator,
                &mut proc,
                &mut clients,
                |c| c.eof && c.status.is_some(),
            )?;
            elapsed += started.elapsed();
            let mut batch_ok = 0;
            let mut batch_failures = Vec::new();
            for c in &clients {
                let status = c.status.expect("pumped until every client ended");
                if c.got == self.expected && status.success() {
                    batch_ok += 1;
                } else {
                    batch_failures.push(format!(
                        "client {} {} after printing {:?}",
                        c.n,
                        describe(status),
                        String::from_utf8_lossy(&c.got)
                    ));
                }
            }
            echoed += batch_ok;
            drop(clients);

            let (_, ok) = wait_tree(pid, plan.settle, |t| {
                t.alive == 0 && (!reaps || t.zombies == 0)
            })?;
            settled &= ok;
            let now = snapshot(pid, &inherited)?;
            zombies_so_far = now.tree.zombies;
            narrator.remark(&format!(
                "input ended: {batch_ok} of {count} clients printed the echo of every word \
                 and exited with status 0; once their children had ended:\n{}",
                tree_lines(&now, ok, reaps)
            ));
            after = now.tree;
            for f in &batch_failures {
                narrator.remark(f);
            }
            failures.extend(batch_failures);
            first = last + 1;
        }

        let fds_after = fd_count(pid)?;
        let sockets_after = sockets_held(pid, &inherited)?;
        relay.forward(&mut session, narrator)?;
        let mut served = Served {
            port,
            clients: plan.clients,
            echoed,
            failures,
            during,
            after,
            settled,
            fds_before,
            fds_after,
            sockets_before,
            sockets_after,
            elapsed,
            server_status: ExitStatus::default(),
        };
        let fds = if fds_after == fds_before {
            "as many descriptors as before the first client".to_string()
        } else {
            format!(
                "{} descriptors more than before the first client",
                fds_after as isize - fds_before as isize
            )
        };
        narrator.remark(&format!(
            "summary: {} of {} clients got their words back; {}; the server holds {fds}",
            served.echoed,
            served.clients,
            zombies_said(&served)
        ));
        served.server_status = session.terminate(&mut proc, plan.limits.grace)?;
        relay.forward(&mut session, narrator)?;
        narrator.remark(&format!(
            "server {} (the runner stopped it and its children: it serves until killed{})",
            describe(served.server_status),
            if served.after.zombies > 0 {
                "; init inherits its zombies and reaps them"
            } else {
                ""
            }
        ));
        Ok(served)
    }

    /// Starts clients `numbers` on `port`, each fed the input from a thread that keeps
    /// the pipe open afterwards.
    fn start_clients(
        &self,
        numbers: std::ops::RangeInclusive<usize>,
        port: u16,
    ) -> io::Result<Vec<Client>> {
        let args = ["127.0.0.1".to_string(), port.to_string()];
        let mut clients = Vec::new();
        for n in numbers {
            let (stdin_read, stdin_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
            let (out_read, out_write) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
            fcntl(out_read.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
            let err_write = out_write.try_clone()?;
            let mut cmd = self.client.command(&args);
            cmd.stdin(Stdio::from(stdin_read))
                .stdout(Stdio::from(out_write))
                .stderr(Stdio::from(err_write));
            // Spawned from this thread, which outlives them: PR_SET_PDEATHSIG fires when
            // the thread that started a process ends.
            let proc = Proc::spawn(&mut cmd, true)?;
            drop(cmd); // our copies of its pipe ends
            let mut pipe = File::from(stdin_write);
            let bytes = self.input.to_vec();
            let stdin = std::thread::spawn(move || {
                // A client that ends early closes its end: EPIPE, ignored (the runner
                // ignores SIGPIPE, as Rust programs do).
                let _ = pipe.write_all(&bytes);
                pipe
            });
            clients.push(Client {
                n,
                proc,
                out: File::from(out_read),
                got: Vec::new(),
                eof: false,
                status: None,
                stdin: Some(stdin),
            });
        }
        Ok(clients)
    }

    /// Reads the clients' output and watches them end until `done` holds for every
    /// one, taking the server's output meanwhile. The server ending, a limit, or
    /// Ctrl-C stops it with an error (the clients are killed as they are dropped).
    fn pump(
        &self,
        session: &mut Session<'_>,
        relay: &mut Relay,
        narrator: &mut dyn Narrator,
        server: &mut Proc,
        clients: &mut [Client],
        done: impl Fn(&Client) -> bool,
    ) -> Result<(), RunError> {
        let deadline = Instant::now() + self.plan.limits.client;
        loop {
            for c in clients.iter_mut() {
                read_available(c)?;
                if c.status.is_none() {
                    c.status = c.proc.try_status()?;
                    if c.status.is_some() {
                        read_available(c)?; // what it wrote just before it ended
                    }
                }
            }
            relay.forward(session, narrator)?;
            if let Some(status) = server.try_status()? {
                relay.forward(session, narrator)?;
                return Err(RunError::Io(io::Error::other(format!(
                    "the server {} while it had clients",
                    describe(status)
                ))));
            }
            if clients.iter().all(&done) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(RunError::Timeout {
                    waiting_for: "the clients",
                    transcript: session.transcript.clone(),
                });
            }
            // Wake when a client writes or ends, or Ctrl-C; the server's output is
            // looked at every 10 ms.
            let mut fds: Vec<PollFd<'_>> = Vec::new();
            for c in clients.iter().filter(|c| !done(c)) {
                if !c.eof {
                    fds.push(PollFd::new(c.out.as_fd(), PollFlags::POLLIN));
                }
                if c.status.is_none() {
                    fds.push(PollFd::new(c.proc.exit_fd(), PollFlags::POLLIN));
                }
            }
            if let Some(int) = self.interrupts {
                fds.push(PollFd::new(int.fd(), PollFlags::POLLIN));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match poll(&mut fds, poll_timeout(left.min(Duration::from_millis(10)))) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(io::Error::from(e).into()),
            }
            let interrupted = self.interrupts.is_some()
                && fds
                    .last()
                    .and_then(PollFd::revents)
                    .is_some_and(|r| r.contains(PollFlags::POLLIN));
            drop(fds);
            if interrupted {
                relay.forward(session, narrator)?;
                return Err(RunError::Interrupted {
                    transcript: session.transcript.clone(),
                });
            }
        }
    }
}

/// Reads what client `c` has written so far, without blocking; notes the end of it.
fn read_available(c: &mut Client) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    while !c.eof {
        match c.out.read(&mut buf) {
            Ok(0) => c.eof = true,
            Ok(n) => c.got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Hands the server's output, as the session collects it, to the narrator. (The
/// session's own observer is [`Quiet`]: a session holds its observer for as long as it
/// lives, and this lesson's narrator has remarks to make in between.)
struct Relay {
    seen: usize,
}

impl Relay {
    fn forward(
        &mut self,
        session: &mut Session<'_>,
        narrator: &mut dyn Narrator,
    ) -> io::Result<()> {
        session.drain()?;
        for event in &session.transcript.events[self.seen..] {
            narrator.event(event);
        }
        self.seen = session.transcript.events.len();
        Ok(())
    }
}

/// The server's processes, drawn as `ps --forest` would, with counts in place of pids.
fn tree_lines(now: &Snapshot, settled: bool, reaps: bool) -> String {
    let t = &now.tree;
    if !settled {
        return "   server\n   └── some children, still changing (they did not settle in time)"
            .to_string();
    }
    let mut s = format!(
        "   server, the parent, waiting in accept, holding {}",
        holding(now.sockets, "listenfd")
    );
    let mut rows = Vec::new();
    if t.alive > 0 {
        let how = if t.sleeping == t.alive {
            "state S, each waiting in read"
        } else {
            "some running"
        };
        let each = match now.child_sockets.as_slice() {
            [first, ..] if now.child_sockets.iter().all(|n| n == first) => {
                format!("each holding {}", holding(*first, "newconfd"))
            }
            _ => format!("holding {:?} sockets", now.child_sockets),
        };
        rows.push(format!(
            "{} ({how}), {each}",
            plural(t.alive, "child", "children")
        ));
    }
    if t.zombies > 0 {
        rows.push(format!(
            "{} (state Z: ended, never waited for), no descriptors",
            plural(t.zombies, "zombie", "zombies")
        ));
    }
    if rows.is_empty() {
        s.push_str(if reaps {
            "\n   └── no children: the handler has reaped every one"
        } else {
            "\n   └── no children"
        });
    }
    let last = rows.len().saturating_sub(1);
    for (i, row) in rows.iter().enumerate() {
        s.push_str(if i == last {
            "\n   └── "
        } else {
            "\n   ├── "
        });
        s.push_str(row);
    }
    s
}

/// "1 socket, listenfd"; "3 sockets" when it is not the one expected.
fn holding(n: usize, the_one: &str) -> String {
    if n == 1 {
        format!("1 socket, {the_one}")
    } else {
        plural(n, "socket", "sockets")
    }
}

/// "0 zombies", "20 zombies", or "some zombies" when the count had not settled.
fn zombies_said(s: &Served) -> String {
    if s.settled {
        plural(s.after.zombies, "zombie", "zombies")
    } else {
        "some zombies (the count had not settled)".to_string()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The words of `input` as `scanf("%s")` splits them (at C's `isspace`), each followed by
/// a newline: what a tcp-echo client prints when every word comes back. A word of 100
/// bytes or more comes back in pieces of 99, as the Rust client (and C's `%99s`) reads it.
pub fn echoed(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for word in input
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
    {
        for piece in word.chunks(99) {
            out.extend_from_slice(piece);
            out.push(b'\n');
        }
    }
    out
}

/// The input as the lesson names it: `hello world` in backquotes, or its size.
fn shown_words(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        "no input".to_string()
    } else if text.len() <= 60 {
        format!("`{}`", words.join(" "))
    } else {
        format!("{} words", words.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stat_line_with_a_strange_name() {
        let line = "4242 (a (b) c) Z 4200 4200 4200 0 -1 4228172 0 0 0 0 0 0 0 0 20 0 1 0";
        assert_eq!(parse_stat(line), Some(('Z', 4200)));
    }

    #[test]
    fn echoed_splits_words_as_scanf_does() {
        assert_eq!(echoed(b"hello world\n"), b"hello\nworld\n");
        assert_eq!(echoed(b"  a\tb\x0bc\r\n"), b"a\nb\nc\n");
        assert_eq!(echoed(b""), b"");
        let long = [b'x'; 150];
        let mut want = vec![b'x'; 99];
        want.push(b'\n');
        want.extend_from_slice(&[b'x'; 51]);
        want.push(b'\n');
        assert_eq!(echoed(&long), want);
    }

    #[test]
    fn this_process_has_no_children_and_some_descriptors() {
        let me = std::process::id();
        assert!(fd_count(me).unwrap() >= 3);
        // The test harness may have children of its own (other tests'), but none is ours
        // in state Z for long; just check the call works and is consistent.
        let t = tree(me).unwrap();
        assert!(t.sleeping <= t.alive);
    }
}
