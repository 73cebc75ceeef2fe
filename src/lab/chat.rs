//! The `tcp-chat` lesson (notes §6, §6.2): a full-duplex chat, each side forked in two.
//!
//! The notes' §6.2 server and client each `fork` once connected: the **child** loops on
//! `scanf("%s")` from its stdin and `write`s each word to the connection; the **parent**
//! loops on `read` from the connection and `puts` what came. So each side can print what
//! arrives while it waits for its own user to type: the notes' "QQ聊天中，发送数据的同时可以
//! 接收数据". The runner plays both users, typing lines into both stdins (two pipes) at
//! the times of a [`Script`], and shows, from `/proc`, what each process is doing:
//!
//! 1. The server starts; the kernel's table shows it in `LISTEN`.
//! 2. The client connects; each side forks. From `/proc/<pid>/fd`: parent and child of
//!    each side hold the same descriptors (stdin, the connection, and on the server the
//!    listening socket). From `/proc/<pid>/syscall`: each parent waits in `read` on the
//!    connection, each child in `read(0, …)` on its stdin.
//! 3. The conversation. The proof of concurrency: the server prints the client's first
//!    line while the server's own child is still blocked in `read(0, …)`, nothing typed on
//!    the server's side yet; and the client prints the server's line while the client's
//!    child waits for the client's next line. Each arrival is recorded with the state of
//!    the printing side's child at that moment ([`Arrival`]).
//! 4. Both stdins are closed (at a terminal: Ctrl-D). Each child's `scanf` returns `EOF`,
//!    it leaves its loop (edit 3) and exits. Nobody `wait`s for it: `/proc/<pid>/stat`
//!    shows it `Z`, a zombie, beside its parent still blocked in `read`. And the
//!    connection stays `ESTABLISHED`: a socket is closed (a FIN sent) only when every
//!    process holding it has closed it, and each parent still holds its side's.
//! 5. The client is stopped (`SIGTERM` to its process group). Its kernel closes the
//!    connection; the server's `read` returns 0, the end of the stream, at once, every
//!    time, and the notes' parent, which does not look, prints an empty line each time:
//!    the runner counts them for 100 ms ([`SPIN_WINDOW`]), then
//! 6. stops the server. The zombies, orphaned when their parents died, are re-parented
//!    to the runner, which is a child subreaper while it stops them (as a container's
//!    init is, and pid 1 for the whole system), and reaped. The runner checks in `/proc`
//!    that no process of either side's group is left.
//!
//! With `Input::Inherit` (`cargo lesson tcp-chat --input -`) the student types as the
//! client: the client runs in the runner's process group, the terminal's foreground
//! group (a background process that reads the terminal is stopped by `SIGTTIN`), and the
//! server answers each word that arrives with its next line of the script; Ctrl-D ends
//! the client's input and the lesson goes on with step 4; Ctrl-C ends everything. With
//! `Input::Bytes` that are not empty (`--input FILE`), the file's lines are the client's,
//! one every 300 ms, and the script's server lines come in between.

use std::cell::RefCell;
use std::fs::{self, File};
use std::io::Write;
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;

use super::build::{Builds, CFlavor};
use super::kernel::{self, SocketEntry, TcpState, Transport};
use super::lessons::Lesson;
use super::mux::{Event, Stream, Transcript, Who};
use super::process::{describe, Proc};
use super::run::{program, Input, Lang, Limits, Narrator, Observer, Program, RunError, Session};
use super::signals::Interrupts;

/// The time between two lines of the lesson's script (and between a word arriving at
/// the server and its answer, at a terminal).
pub const GAP: Duration = Duration::from_millis(150);

/// The client's lines in the lesson's script: one word each (see [`Script`] on why).
pub const CLIENT_LINES: &[&str] = &["hello", "在吗？", "bye"];

/// The server's lines in the lesson's script, each typed [`GAP`] after the client's.
pub const SERVER_LINES: &[&str] = &["hi", "在", "再见"];

/// How long the runner counts the empty lines of the server's reader at end of file.
pub const SPIN_WINDOW: Duration = Duration::from_millis(100);

/// How long to wait for a typed word to be printed on the other side.
const ARRIVAL: Duration = Duration::from_secs(5);

/// Once a line's first word has arrived, how long to wait in silence for the others
/// before counting them lost (see [`Arrival`]).
const QUIET: Duration = Duration::from_millis(200);

/// How often the runner looks at `/proc` while it waits for a process to change state.
const POLL: Duration = Duration::from_millis(2);

/// One line of a script: who types it, and when, from the start of the conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Typed {
    /// The side whose stdin it is written to.
    pub who: Who,
    /// When, from the start of the conversation (step 3).
    pub at: Duration,
    /// The line, without its newline.
    pub text: Vec<u8>,
}

/// What both sides type, and when.
///
/// The lesson's lines are one word each. A line of several words is sent as several
/// messages (`scanf("%s")` reads words), written one right after the other; they may
/// arrive together, be read by one `read`, and `puts` prints up to the first NUL: the
/// first word only. The runner says so when it happens (`--input FILE`), and the
/// lesson's own script avoids it, so that its transcript is the same on every run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The lines, in the order of their times.
    pub lines: Vec<Typed>,
}

impl Script {
    /// The client's lines at 0, 2 [`GAP`], 4 [`GAP`]…, the server's at [`GAP`], 3 [`GAP`]…:
    /// they take turns, the client first.
    pub fn alternating(client: &[Vec<u8>], server: &[Vec<u8>]) -> Script {
        let at = |n: usize| GAP * u32::try_from(n).unwrap_or(u32::MAX);
        let mut lines: Vec<Typed> = client
            .iter()
            .enumerate()
            .map(|(i, text)| Typed {
                who: Who::Client,
                at: at(2 * i),
                text: text.clone(),
            })
            .chain(server.iter().enumerate().map(|(j, text)| Typed {
                who: Who::Server,
                at: at(2 * j + 1),
                text: text.clone(),
            }))
            .collect();
        lines.sort_by_key(|l| l.at);
        Script { lines }
    }

    /// The lesson's script: [`CLIENT_LINES`] and [`SERVER_LINES`], taking turns.
    pub fn lesson() -> Script {
        Script::alternating(&bytes_of(CLIENT_LINES), &bytes_of(SERVER_LINES))
    }

    /// The client's lines from `input` (each line of it, in turn), the lesson's server
    /// lines in between.
    pub fn with_client_input(input: &[u8]) -> Script {
        let client: Vec<Vec<u8>> = input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        // A final newline ends the last line; it does not start an empty one.
        let client = match client.split_last() {
            Some((last, rest)) if last.is_empty() => rest.to_vec(),
            _ => client,
        };
        Script::alternating(&client, &bytes_of(SERVER_LINES))
    }
}

fn bytes_of(lines: &[&str]) -> Vec<Vec<u8>> {
    lines.iter().map(|l| l.as_bytes().to_vec()).collect()
}

/// Who types what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The runner types both sides' lines, at their times.
    Script(Script),
    /// The student types as the client, at the terminal; the runner answers each word
    /// that arrives at the server with the server's next line, [`GAP`] later.
    Terminal {
        /// The server's lines.
        server: Vec<Vec<u8>>,
    },
}

impl Plan {
    /// The plan for `input`: the lesson's script for no input (the lesson's default is
    /// empty), the file's lines as the client's for some, the terminal for `Inherit`.
    pub fn for_input(input: &Input) -> Plan {
        match input {
            Input::Bytes(bytes) if bytes.is_empty() => Plan::Script(Script::lesson()),
            Input::Bytes(bytes) => Plan::Script(Script::with_client_input(bytes)),
            Input::Inherit => Plan::Terminal {
                server: bytes_of(SERVER_LINES),
            },
        }
    }
}

/// A process as `/proc/<pid>/stat` and `/proc/<pid>/syscall` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcView {
    /// Its id.
    pub pid: u32,
    /// Its parent's id.
    pub ppid: u32,
    /// Its process group.
    pub pgid: u32,
    /// Its state: `R` running, `S` sleeping (waiting), `Z` zombie (ended, not reaped)…
    pub state: char,
    /// When it started, in clock ticks after boot: with the pid, names one process for
    /// good (a pid is reused once its process is gone).
    pub start: u64,
    /// The system call it is blocked in, if it is.
    pub blocked: Option<Blocked>,
}

/// A system call a process is blocked in: its number and first argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The system call's number (`SYS_read`).
    pub nr: i64,
    /// Its first argument: for `read`, the descriptor.
    pub arg0: u64,
}

impl Blocked {
    /// Whether this is `read(fd, …)`.
    pub fn is_read(&self, fd: i32) -> bool {
        self.nr == libc::SYS_read && self.arg0 == fd as u64
    }

    /// `read(4, …)`.
    pub fn shown(&self) -> String {
        match self.nr {
            libc::SYS_read => format!("read({}, …)", self.arg0),
            libc::SYS_write => format!("write({}, …)", self.arg0),
            nr => format!("system call {nr}({:#x}, …)", self.arg0),
        }
    }
}

impl ProcView {
    /// Process `pid` as `/proc` shows it now, if it exists.
    pub fn read(pid: u32) -> Option<ProcView> {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) S ppid pgrp …`: the name may hold spaces and parentheses, so the
        // fields are counted from the last `)`.
        let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
        let view = ProcView {
            pid,
            state: fields.first()?.chars().next()?,
            ppid: fields.get(1)?.parse().ok()?,
            pgid: fields.get(2)?.parse().ok()?,
            start: fields.get(19)?.parse().ok()?,
            blocked: None,
        };
        if view.state == 'Z' {
            return Some(view);
        }
        // `0 0x4 0x7ffd… 0x64 …` (number, then the arguments) while in a system call;
        // `running` otherwise. Readable by a process that may ptrace it: its parent's
        // parent, the runner, may.
        let blocked = fs::read_to_string(format!("/proc/{pid}/syscall"))
            .ok()
            .and_then(|s| {
                let mut words = s.split_whitespace();
                let nr: i64 = words.next()?.parse().ok()?;
                let arg0 = u64::from_str_radix(words.next()?.trim_start_matches("0x"), 16).ok()?;
                (nr >= 0).then_some(Blocked { nr, arg0 })
            });
        Some(ProcView { blocked, ..view })
    }

    /// The same process (pid and start time) as `/proc` shows it now, if it still exists.
    pub fn again(&self) -> Option<ProcView> {
        ProcView::read(self.pid).filter(|v| v.start == self.start)
    }

    /// Whether it is blocked in `read(fd, …)`.
    pub fn in_read(&self, fd: i32) -> bool {
        self.state == 'S' && self.blocked.is_some_and(|b| b.is_read(fd))
    }

    /// `S (sleeping) in read(4, …)`, `Z (zombie)`.
    pub fn shown(&self) -> String {
        let state = match self.state {
            'R' => "R (running)",
            'S' => "S (sleeping)",
            'D' => "D (disk sleep)",
            'T' | 't' => "T (stopped)",
            'Z' => "Z (zombie)",
            _ => "?",
        };
        match self.blocked {
            Some(b) if self.state == 'S' => format!("{state} in {}", b.shown()),
            _ => state.to_string(),
        }
    }
}

/// Every process, as `/proc` shows it now.
pub fn processes() -> Vec<ProcView> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(ProcView::read)
        .collect()
}

/// The processes in process group `pgid`, as `/proc` shows them now: the group's leader
/// (the program the runner started) first, then the rest by pid. Not simply by pid: pids
/// wrap around, so a child's may be lower than its parent's.
pub fn group_members(pgid: u32) -> Vec<ProcView> {
    let mut members: Vec<ProcView> = processes().into_iter().filter(|p| p.pgid == pgid).collect();
    members.sort_by_key(|p| (p.pid != pgid, p.pid));
    members
}

/// One descriptor of a process, from `/proc/<pid>/fd`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fd {
    /// The number.
    pub fd: i32,
    /// What it links to: `socket:[12345]`, `pipe:[678]`, `/dev/pts/0`.
    pub target: String,
    /// What it is, in words: "the connection", "the listening socket", "a pipe".
    pub what: &'static str,
}

/// One side of the chat once it has forked.
#[derive(Clone, Debug)]
pub struct Side {
    /// Which side.
    pub who: Who,
    /// Its process group, when it has one of its own (with `Input::Inherit` the client
    /// is in the runner's, the terminal's foreground group).
    pub group: Option<u32>,
    /// The parent, which reads the connection, as it waited in `read` after the fork.
    pub parent: ProcView,
    /// The child, which reads stdin, as it waited in `read(0, …)` after the fork.
    pub child: ProcView,
    /// The connection's descriptor.
    pub conn_fd: i32,
    /// The parent's descriptors: 0, 1, and its sockets (2, stderr, is left out).
    pub parent_fds: Vec<Fd>,
    /// The child's.
    pub child_fds: Vec<Fd>,
}

impl Side {
    /// Its processes now: its group's, or, for a side in the runner's group, the parent
    /// and child if they still exist.
    pub fn members(&self) -> Vec<ProcView> {
        match self.group {
            Some(pgid) => group_members(pgid),
            None => [self.parent, self.child]
                .iter()
                .filter_map(ProcView::again)
                .collect(),
        }
    }
}

/// A typed line, as the runner typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedAt {
    /// The line of the script.
    pub line: Typed,
    /// When the runner wrote it to the side's stdin, from the start of the conversation:
    /// its time in the script, or later if the line before it arrived late.
    pub at: Duration,
}

/// A line printed by one side's parent: what it read from the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// The side that printed it.
    pub printer: Who,
    /// The line, without its newline.
    pub line: Vec<u8>,
    /// When the runner saw it, from the start of the conversation.
    pub at: Duration,
    /// How many lines had been typed on the printing side when the runner saw it (at a
    /// terminal, 0: the runner does not see what the student types).
    pub typed_here: usize,
    /// The printing side's child right then: blocked in `read(0, …)`, waiting for its own
    /// side's typing. Nothing was typed on that side between the line's arrival and this
    /// look, so the child was waiting there while its parent printed.
    pub child: Option<ProcView>,
}

/// One thing in the conversation, in the order the runner saw them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A line typed.
    Typed(TypedAt),
    /// A line printed.
    Printed(Arrival),
}

/// A child that outlived its parent, a zombie, and who reaped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Orphan {
    /// The child.
    pub pid: u32,
    /// Its state just before its parent was stopped (`Z`: the notes' unreaped child).
    pub state_before: char,
    /// Its parent once its own had died, if it was still there to see: the runner's pid
    /// when the runner was a child subreaper, else 1 (init) or some other subreaper.
    pub adopted_by: Option<u32>,
    /// Whether the runner reaped it (`waitpid`); else it vanished, reaped by its new
    /// parent, or is still there.
    pub reaped_by_runner: bool,
    /// Whether it was gone from `/proc` at the end.
    pub gone: bool,
}

/// The server's parent at end of file: the empty lines it printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spin {
    /// How long the runner counted.
    pub window: Duration,
    /// Empty lines the runner took in the window, from the first one.
    pub in_window: usize,
    /// Empty lines it took in all, until the server was stopped.
    pub total: usize,
    /// From the client's `SIGTERM` to the first empty line the runner saw.
    pub first_after: Duration,
}

/// What the lesson showed.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The server's port.
    pub port: u16,
    /// The server's side (step 2).
    pub server: Side,
    /// The client's side (step 2).
    pub client: Side,
    /// The connection's server end, as the kernel's table showed it at step 2.
    pub connection: SocketEntry,
    /// The conversation: what was typed and printed, in the order the runner saw it.
    pub log: Vec<Entry>,
    /// Step 4: the server's processes once both inputs had ended.
    pub server_after_eof: Vec<ProcView>,
    /// Step 4: the client's processes once both inputs had ended.
    pub client_after_eof: Vec<ProcView>,
    /// Step 4: the connection's server end then.
    pub connection_after_eof: Vec<SocketEntry>,
    /// Step 5: how the client ended.
    pub client_status: ExitStatus,
    /// Step 5: the client's child.
    pub client_orphan: Orphan,
    /// Step 5: the server's reader at end of file.
    pub spin: Spin,
    /// Step 5: the connection's server end while the server spun.
    pub connection_after_close: Vec<SocketEntry>,
    /// Step 6: how the server ended.
    pub server_status: ExitStatus,
    /// Step 6: the server's child.
    pub server_orphan: Orphan,
    /// Step 6: any process of the chat still there at the end (none, or a bug).
    pub left: Vec<ProcView>,
    /// Everything the programs wrote, in order, the empty lines of step 5 included.
    pub transcript: Transcript,
}

impl Outcome {
    /// The lines printed, in order.
    pub fn arrivals(&self) -> impl Iterator<Item = &Arrival> {
        self.log.iter().filter_map(|e| match e {
            Entry::Printed(a) => Some(a),
            Entry::Typed(_) => None,
        })
    }
}

/// Runs the lesson: the server in `server`, the client in `client`; `input` decides who
/// types ([`Plan::for_input`]).
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
    let server = program(builds, lesson, "server", server, flavor)?.0;
    let client = program(builds, lesson, "client", client, flavor)?.0;
    converse(
        &server,
        &client,
        &Plan::for_input(input),
        narrator,
        interrupts,
    )
}

/// What the relay and the runner share: the narrator, and the count of step 5.
struct Shared<'n> {
    narrator: &'n mut dyn Narrator,
    /// From step 5 on, the server's empty lines are counted, not shown: there are
    /// thousands, and how many varies.
    counting: bool,
    empty: usize,
    first_empty: Option<Instant>,
}

/// The session's observer: passes everything on to the narrator, but the empty lines.
struct Relay<'a, 'n>(&'a RefCell<Shared<'n>>);

impl Observer for Relay<'_, '_> {
    fn server_started(&mut self, shown: &str, port: u16) {
        self.0.borrow_mut().narrator.server_started(shown, port);
    }

    fn server_bound(&mut self, entry: &SocketEntry) {
        self.0.borrow_mut().narrator.server_bound(entry);
    }

    fn client_started(&mut self, shown: &str) {
        self.0.borrow_mut().narrator.client_started(shown);
    }

    fn event(&mut self, event: &Event) {
        let mut shared = self.0.borrow_mut();
        let empty_lines = event.who == Who::Server
            && event.stream == Stream::Stdout
            && !event.bytes.is_empty()
            && event.bytes.iter().all(|&b| b == b'\n');
        if shared.counting && empty_lines {
            shared.empty += event.bytes.len();
            shared.first_empty.get_or_insert_with(Instant::now);
            return;
        }
        shared.narrator.event(event);
    }
}

/// The runner's side of the lesson: the session, the narrator, the time.
struct Bench<'s, 'o, 'a, 'n> {
    session: &'s mut Session<'o>,
    shared: &'a RefCell<Shared<'n>>,
    stable: bool,
    t0: Instant,
}

impl Bench<'_, '_, '_, '_> {
    fn step(&self, n: u32, what: &str) {
        self.shared.borrow_mut().narrator.step(n, what);
    }

    fn say(&self, what: &str) {
        self.shared.borrow_mut().narrator.remark(what);
    }

    fn table(&self, port: u16, entries: &[SocketEntry]) {
        self.shared.borrow_mut().narrator.table(port, entries);
    }

    /// `(pid 1234)` when the output may vary, else nothing.
    fn pid(&self, pid: u32) -> String {
        if self.stable {
            String::new()
        } else {
            format!(" (pid {pid})")
        }
    }

    /// Takes output for `d`, or until `watch` ends, which is an error: the lesson's
    /// programs do not end by themselves until step 4, and their parents never.
    fn pause(&mut self, watch: &mut Proc, d: Duration, who: Who) -> Result<(), RunError> {
        match self.session.wait_exit(watch, Some(d))? {
            None => Ok(()),
            Some(status) => Err(RunError::Io(std::io::Error::other(format!(
                "the {} {} before the lesson stopped it",
                who.name(),
                describe(status)
            )))),
        }
    }

    /// Takes output until `done` holds, or `limit` passes (an error naming `what`).
    fn wait_until(
        &mut self,
        watch: &mut Proc,
        who: Who,
        limit: Option<Duration>,
        what: &'static str,
        mut done: impl FnMut(&Transcript) -> bool,
    ) -> Result<(), RunError> {
        let deadline = limit.map(|l| Instant::now() + l);
        loop {
            self.session.drain()?;
            if done(&self.session.transcript) {
                return Ok(());
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(RunError::Timeout {
                    waiting_for: what,
                    transcript: self.session.transcript.clone(),
                });
            }
            self.pause(watch, POLL, who)?;
        }
    }

    fn since_start(&self) -> Duration {
        self.t0.elapsed()
    }
}

/// The lines `who` printed on stdout so far.
fn printed(transcript: &Transcript, who: Who) -> Vec<Vec<u8>> {
    transcript
        .lines()
        .into_iter()
        .filter(|(w, s, _)| *w == who && *s == Stream::Stdout)
        .map(|(_, _, line)| line)
        .collect()
}

/// The words `scanf("%s")` reads from `line`: runs of bytes that are not C's `isspace`.
pub fn words(line: &[u8]) -> Vec<Vec<u8>> {
    line.split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn other(who: Who) -> Who {
    match who {
        Who::Server => Who::Client,
        Who::Client => Who::Server,
    }
}

/// Runs the chat between `server` and `client` by `plan`, telling `narrator`.
pub fn converse(
    server: &Program,
    client: &Program,
    plan: &Plan,
    narrator: &mut dyn Narrator,
    interrupts: Option<&Interrupts>,
) -> Result<Outcome, RunError> {
    let limits = Limits::default();
    let stable = narrator.stable_output();
    let shared = RefCell::new(Shared {
        narrator,
        counting: false,
        empty: 0,
        first_empty: None,
    });
    let mut relay = Relay(&shared);
    let mut session = Session::new(&mut relay, interrupts)?;
    let mut bench = Bench {
        session: &mut session,
        shared: &shared,
        stable,
        t0: Instant::now(),
    };
    let interactive = matches!(plan, Plan::Terminal { .. });

    // 1. The server, its stdin a pipe from the runner.
    let port = kernel::free_port(Transport::Tcp)?;
    bench.step(
        1,
        "the server starts: socket, bind, listen; accept waits for a client",
    );
    let (read_end, write_end) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let server_args = [port.to_string()];
    let mut server_proc = bench.session.start(
        server,
        &server_args,
        Who::Server,
        Stdio::from(read_end),
        true,
    )?;
    let mut server_stdin = Some(File::from(write_end));
    bench
        .session
        .observer()
        .server_started(&server.shown(&server_args), port);
    let bound = bench
        .session
        .wait_bound(&mut server_proc, Transport::Tcp, port, limits.bind)?;
    bench.session.observer().server_bound(&bound);

    // 2. The client; both sides fork.
    bench.step(
        2,
        "the client connects; each side forks: a child that reads its stdin and writes to \
         the connection, a parent that reads the connection and prints",
    );
    let (client_stdin_stdio, mut client_stdin) = if interactive {
        (Stdio::inherit(), None)
    } else {
        let (read_end, write_end) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
        (Stdio::from(read_end), Some(File::from(write_end)))
    };
    let client_args = ["127.0.0.1".to_string(), port.to_string()];
    let mut client_proc = bench.session.start(
        client,
        &client_args,
        Who::Client,
        client_stdin_stdio,
        !interactive,
    )?;
    bench
        .session
        .observer()
        .client_started(&client.shown(&client_args));
    let connection = wait_connected(&mut bench, &mut server_proc, port, limits)?;
    let server_side = wait_forked(
        &mut bench,
        &mut server_proc,
        Who::Server,
        true,
        &connection,
        limits,
    )?;
    // With the student at the terminal, the client's child is killed with the lesson if
    // the lesson ends early: it is in no group of its own that the runner would kill.
    let client_side = wait_forked(
        &mut bench,
        &mut client_proc,
        Who::Client,
        !interactive,
        &connection,
        limits,
    )?;
    let _straggler = Straggler(client_side.child);
    for side in [&server_side, &client_side] {
        show_side(&bench, side);
    }
    bench.table(port, &[connection]);

    // 3. The conversation.
    bench.t0 = Instant::now();
    let mut log = Vec::new();
    let mut procs = Procs {
        server: &mut server_proc,
        client: &mut client_proc,
    };
    let mut stdins = Stdins {
        server: &mut server_stdin,
        client: &mut client_stdin,
    };
    match plan {
        Plan::Script(script) => {
            bench.step(
                3,
                "the conversation: the runner types each side's lines into its stdin, at \
                 the times of the script",
            );
            if script.lines.iter().any(|l| l.who == Who::Client) && *script != Script::lesson() {
                bench.say(&format!(
                    "the client's lines come from the input, one every {} ms; the server's \
                     from the lesson's script, in between",
                    (GAP * 2).as_millis()
                ));
            }
            converse_by_script(
                &mut bench,
                &mut procs,
                &mut stdins,
                script,
                [&server_side, &client_side],
                &mut log,
            )?;
        }
        Plan::Terminal { server } => {
            bench.step(
                3,
                "the conversation: you are the client; the runner types the server's lines",
            );
            bench.say(
                "type words and press Enter: each word goes to the server as one message, \
                 and the server answers with its next line. Ctrl-D ends the client's input; \
                 Ctrl-C ends the lesson",
            );
            converse_at_terminal(
                &mut bench,
                &mut procs,
                &mut stdins,
                server,
                [&server_side, &client_side],
                &mut log,
            )?;
        }
    }

    // 4. The end of both inputs.
    bench.step(
        4,
        "both inputs end (the runner closes both stdins; at a terminal, Ctrl-D): each \
         child's scanf returns EOF, the child leaves its loop and exits",
    );
    drop(server_stdin.take());
    drop(client_stdin.take());
    let zombies = |_: &Transcript| {
        [&server_side, &client_side]
            .iter()
            .all(|s| s.child.again().is_some_and(|c| c.state == 'Z'))
    };
    bench.wait_until(
        procs.server,
        Who::Server,
        Some(limits.server_end),
        "the children to exit at the end of their input",
        zombies,
    )?;
    let server_after_eof = server_side.members();
    let client_after_eof = client_side.members();
    for (side, members) in [
        (&server_side, &server_after_eof),
        (&client_side, &client_after_eof),
    ] {
        show_members(&bench, side, members);
    }
    bench.say(
        "each child has exited, and stays a zombie: its parent, blocked in read, never \
         calls wait (the notes' bug); only the kernel's record of it is left",
    );
    let connection_after_eof = connection_now(port, connection.remote)?;
    bench.say(
        "and the connection is still open: a socket is closed only when every process \
         that holds it has closed it, and each parent still holds its side's",
    );
    bench.table(port, &connection_after_eof);

    // 5. The client stopped; the server's reader at end of file.
    bench.step(
        5,
        &format!(
            "the client is stopped (SIGTERM{}): its kernel closes the connection, and the \
             server's parent reads the end of the stream",
            if client_side.group.is_some() {
                " to its process group"
            } else {
                ", to its parent: it is in the terminal's group, and its child has exited"
            }
        ),
    );
    let subreaper = Subreaper::start();
    let before = client_side.child.again();
    bench.shared.borrow_mut().counting = true;
    let stopped_at = Instant::now();
    let client_status = bench.session.terminate(procs.client, limits.grace)?;
    let client_orphan = adopt(&client_side.child, before, limits.grace);
    bench.say(&format!("client {}", describe(client_status)));
    show_orphan(&bench, &client_side, &client_orphan);
    bench.wait_until(
        procs.server,
        Who::Server,
        Some(limits.server_end),
        "the server to read the end of the stream",
        |_| shared.borrow().first_empty.is_some(),
    )?;
    let first_empty = shared.borrow().first_empty.unwrap_or_else(Instant::now);
    let left_in_window = SPIN_WINDOW.saturating_sub(first_empty.elapsed());
    bench.pause(procs.server, left_in_window, Who::Server)?;
    let in_window = shared.borrow().empty;
    let connection_after_close = connection_now(port, connection.remote)?;
    // The empty lines were counted, not shown: show three, here, in their place.
    let shown = in_window.min(3);
    for _ in 0..shown {
        bench.shared.borrow_mut().narrator.event(&Event {
            who: Who::Server,
            stream: Stream::Stdout,
            bytes: b"\n".to_vec(),
        });
    }
    let count = if stable {
        "many".to_string()
    } else {
        in_window.to_string()
    };
    bench.say(&format!(
        "… and so on: read returns 0 at once, every time, the notes' loop does not look, \
         and puts prints the zeroed buf, an empty line. The server printed {count} empty \
         lines in the {} ms after the first (as fast as the runner took them), and would \
         for ever",
        SPIN_WINDOW.as_millis()
    ));
    bench.say(
        "the server's end of the connection is in CLOSE_WAIT: the peer has closed, this \
         end never will",
    );
    bench.table(port, &connection_after_close);

    // 6. The server stopped; nothing left.
    bench.step(6, "the server is stopped (SIGTERM to its process group)");
    let server_before = server_side.child.again();
    let server_status = bench.session.terminate(procs.server, limits.grace)?;
    let server_orphan = adopt(&server_side.child, server_before, limits.grace);
    let total = shared.borrow().empty;
    bench.say(&format!("server {}", describe(server_status)));
    show_orphan(&bench, &server_side, &server_orphan);
    drop(subreaper);
    let left = leftovers(&server_side, &client_side);
    if left.is_empty() {
        bench.say(if client_side.group.is_some() {
            "nothing of the chat is left: /proc shows no process in either side's group, and \
             both children were reaped"
        } else {
            "nothing of the chat is left: /proc shows no process in the server's group, nor \
             the client's two, and both children were reaped"
        });
    } else {
        bench.say(&format!("left over: {left:?}"));
    }

    let spin = Spin {
        window: SPIN_WINDOW,
        in_window,
        total,
        first_after: first_empty.saturating_duration_since(stopped_at),
    };
    let transcript = std::mem::take(&mut bench.session.transcript);
    Ok(Outcome {
        port,
        server: server_side,
        client: client_side,
        connection,
        log,
        server_after_eof,
        client_after_eof,
        connection_after_eof,
        client_status,
        client_orphan,
        spin,
        connection_after_close,
        server_status,
        server_orphan,
        left,
        transcript,
    })
}

/// Both sides' started programs.
struct Procs<'p> {
    server: &'p mut Proc,
    client: &'p mut Proc,
}

/// Both sides' stdins, as long as the runner holds them open.
struct Stdins<'f> {
    server: &'f mut Option<File>,
    client: &'f mut Option<File>,
}

impl Stdins<'_> {
    fn of(&mut self, who: Who) -> &mut Option<File> {
        match who {
            Who::Server => self.server,
            Who::Client => self.client,
        }
    }
}

/// Step 2: waits for the server's end of the connection in the kernel's table.
fn wait_connected(
    bench: &mut Bench<'_, '_, '_, '_>,
    server: &mut Proc,
    port: u16,
    limits: Limits,
) -> Result<SocketEntry, RunError> {
    let pid = server.pid();
    let mut found = None;
    bench.wait_until(
        server,
        Who::Server,
        Some(limits.client),
        "the client to connect",
        |_| {
            found = established(pid, port);
            found.is_some()
        },
    )?;
    Ok(found.expect("found"))
}

/// The established connection on local `port` that process `pid` holds.
fn established(pid: u32, port: u16) -> Option<SocketEntry> {
    let mine = kernel::socket_inodes(pid).ok()?;
    kernel::sockets(pid, Transport::Tcp)
        .ok()?
        .into_iter()
        .find(|s| s.local.1 == port && s.state == TcpState::ESTABLISHED && mine.contains(&s.inode))
}

/// The connection's server end now (local `port`, the client at `client_end`).
fn connection_now(
    port: u16,
    client_end: (std::net::Ipv4Addr, u16),
) -> std::io::Result<Vec<SocketEntry>> {
    Ok(kernel::sockets(std::process::id(), Transport::Tcp)?
        .into_iter()
        .filter(|s| s.local.1 == port && s.remote == client_end)
        .collect())
}

/// Step 2: waits until `proc` has forked, its child waits in `read(0, …)` and it in
/// `read` on the connection (whose server end is `server_end`); returns the side.
fn wait_forked(
    bench: &mut Bench<'_, '_, '_, '_>,
    proc: &mut Proc,
    who: Who,
    scripted: bool,
    server_end: &SocketEntry,
    limits: Limits,
) -> Result<Side, RunError> {
    let pid = proc.pid();
    let mut side = None;
    let what = match who {
        Who::Server => "the server to fork and wait in read",
        Who::Client => "the client to fork and wait in read",
    };
    bench.wait_until(proc, who, Some(limits.client), what, |_| {
        side = forked(pid, who, scripted, server_end);
        side.is_some()
    })?;
    Ok(side.expect("found"))
}

/// The side of `pid` once it has forked and both its processes wait where they should.
/// `scripted`: the runner types for this side, which runs in a process group of its own
/// (else the student types, and it runs in the terminal's).
fn forked(pid: u32, who: Who, scripted: bool, server_end: &SocketEntry) -> Option<Side> {
    // This side's end of the connection: the server's, or the one facing it.
    let connection = match who {
        Who::Server => *server_end,
        Who::Client => kernel::sockets(pid, Transport::Tcp)
            .ok()?
            .into_iter()
            .find(|s| s.local == server_end.remote && s.remote == server_end.local)?,
    };
    let parent = ProcView::read(pid)?;
    let child = processes().into_iter().find(|p| p.ppid == pid)?;
    let parent_fds = fds(pid, &connection);
    let child_fds = fds(child.pid, &connection);
    let conn_fd = parent_fds.iter().find(|f| f.what == CONNECTION)?.fd;
    // A side the runner types for has had nothing typed yet: both its processes must come
    // to wait in `read`. The student at the terminal may have typed already, or ended
    // the input (Ctrl-D): then its child may be anywhere, or gone.
    if scripted && !(parent.in_read(conn_fd) && child.in_read(0)) {
        return None;
    }
    Some(Side {
        who,
        group: scripted.then_some(parent.pgid),
        parent,
        child,
        conn_fd,
        parent_fds,
        child_fds,
    })
}

const CONNECTION: &str = "the connection";

/// The descriptors of `pid` that the lesson is about, each named: stdin, stdout, and
/// its sockets.
fn fds(pid: u32, connection: &SocketEntry) -> Vec<Fd> {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    let mut fds: Vec<Fd> = dir
        .flatten()
        .filter_map(|e| {
            let fd: i32 = e.file_name().to_str()?.parse().ok()?;
            let target = fs::read_link(e.path()).ok()?.to_string_lossy().into_owned();
            Some((fd, target))
        })
        .filter_map(|(fd, target)| {
            let inode: Option<u64> = target
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse().ok());
            let what = match (fd, inode) {
                (0, _) if target.starts_with("pipe:") => "stdin (a pipe from the runner)",
                (0, _) if target.starts_with("/dev/pts/") || target.starts_with("/dev/tty") => {
                    "stdin (the terminal)"
                }
                (0, _) => "stdin",
                (1, _) => "stdout (to the runner)",
                (2, _) => return None,
                (_, Some(i)) if i == connection.inode => CONNECTION,
                (_, Some(i)) if is_listening(pid, i, connection.local.1) => "the listening socket",
                (_, Some(_)) => "another socket",
                // Anything else was open in the runner's own parent and inherited (a
                // shell's descriptor without close-on-exec): not the program's.
                (_, None) => return None,
            };
            Some(Fd { fd, target, what })
        })
        .collect();
    fds.sort_by_key(|f| f.fd);
    fds
}

/// Whether `inode` is the socket listening on `port` (in `pid`'s network namespace).
fn is_listening(pid: u32, inode: u64, port: u16) -> bool {
    kernel::sockets(pid, Transport::Tcp).is_ok_and(|table| {
        table
            .iter()
            .any(|s| s.inode == inode && s.local.1 == port && s.state == TcpState::LISTEN)
    })
}

fn show_side(bench: &Bench<'_, '_, '_, '_>, side: &Side) {
    let name = side.who.name();
    let list = |fds: &[Fd]| {
        fds.iter()
            .map(|f| format!("{}: {}", f.fd, f.what))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let same = side.parent_fds == side.child_fds;
    let held = if same {
        format!(
            "{name}: parent{} and child{} hold the same descriptors (/proc/<pid>/fd): {}",
            bench.pid(side.parent.pid),
            bench.pid(side.child.pid),
            list(&side.parent_fds)
        )
    } else {
        format!(
            "{name}: the parent{} holds {}; the child{} holds {}",
            bench.pid(side.parent.pid),
            list(&side.parent_fds),
            bench.pid(side.child.pid),
            list(&side.child_fds)
        )
    };
    bench.say(&held);
    bench.say(&format!(
        "{name}: the parent waits in {}, the child in {} (/proc/<pid>/syscall)",
        side.parent.blocked.map_or("?".into(), |b| b.shown()),
        side.child.blocked.map_or("?".into(), |b| b.shown()),
    ));
}

fn show_members(bench: &Bench<'_, '_, '_, '_>, side: &Side, members: &[ProcView]) {
    let role = |p: &ProcView| {
        if p.pid == side.parent.pid && p.start == side.parent.start {
            "the parent"
        } else if p.pid == side.child.pid && p.start == side.child.start {
            "the child"
        } else {
            "another process"
        }
    };
    let list = members
        .iter()
        .map(|p| format!("{}{} {}", role(p), bench.pid(p.pid), p.shown()))
        .collect::<Vec<_>>()
        .join("; ");
    let whose = match side.group {
        Some(_) => format!("{}'s process group", side.who.name()),
        None => format!("{}'s processes", side.who.name()),
    };
    bench.say(&format!("{whose}, from /proc: {list}"));
}

fn show_orphan(bench: &Bench<'_, '_, '_, '_>, side: &Side, orphan: &Orphan) {
    let name = side.who.name();
    let by = match orphan.adopted_by {
        Some(pid) if pid == std::process::id() => {
            "re-parented to the runner, a child subreaper as init is for the whole system, \
             which reaped it"
                .to_string()
        }
        Some(1) => "re-parented to init (pid 1), which reaps orphans".to_string(),
        Some(pid) => format!("re-parented to pid {pid}"),
        None => "gone with it".to_string(),
    };
    let state = if orphan.state_before == 'Z' {
        "its zombie child"
    } else {
        "its child"
    };
    bench.say(&format!(
        "{name}: {state}{}, orphaned when its parent died, was {by}",
        bench.pid(orphan.pid)
    ));
}

/// Step 3 with a script: each line at its time, then its words' arrival on the other
/// side.
fn converse_by_script(
    bench: &mut Bench<'_, '_, '_, '_>,
    procs: &mut Procs<'_>,
    stdins: &mut Stdins<'_>,
    script: &Script,
    sides: [&Side; 2],
    log: &mut Vec<Entry>,
) -> Result<(), RunError> {
    let mut typed = [0usize; 2]; // server, client
    let mut told = [false; 2];
    for line in &script.lines {
        let wait = line.at.saturating_sub(bench.since_start());
        bench.pause(procs.server, wait, Who::Server)?;
        let peer = other(line.who);
        let before = printed(&bench.session.transcript, peer).len();
        type_line(bench, stdins, line, log);
        typed[index(line.who)] += 1;
        let what = if line.text.is_empty() {
            "an empty line (no word: scanf skips it)".to_string()
        } else {
            String::from_utf8_lossy(&line.text).into_owned()
        };
        bench.say(&format!(
            "at {} ms the {} types: {what}",
            line.at.as_millis(),
            line.who.name(),
        ));
        let expected = words(&line.text).len();
        if expected == 0 {
            continue;
        }
        let arrived = wait_arrivals(bench, procs, peer, before, expected)?;
        let child_side = sides[index(peer)];
        for text in &arrived {
            let child = wait_child_reading(bench, procs, child_side)?;
            let arrival = Arrival {
                printer: peer,
                line: text.clone(),
                at: bench.since_start(),
                typed_here: typed[index(peer)],
                child,
            };
            if !told[index(peer)] {
                told[index(peer)] = true;
                tell_concurrency(bench, &arrival);
            }
            log.push(Entry::Printed(arrival));
        }
        if arrived.len() < expected {
            bench.say(&format!(
                "{} word(s) typed, {} printed: words that arrive together are read by one \
                 read, and puts prints up to the first NUL, the first word only",
                expected,
                arrived.len()
            ));
        }
    }
    Ok(())
}

fn index(who: Who) -> usize {
    match who {
        Who::Server => 0,
        Who::Client => 1,
    }
}

/// Writes `line` and a newline to its side's stdin, and logs it.
fn type_line(
    bench: &Bench<'_, '_, '_, '_>,
    stdins: &mut Stdins<'_>,
    line: &Typed,
    log: &mut Vec<Entry>,
) {
    if let Some(stdin) = stdins.of(line.who) {
        let mut bytes = line.text.clone();
        bytes.push(b'\n');
        // A child that has died closed the pipe: the write fails (EPIPE; the runner
        // ignores SIGPIPE), and the words' arrival, awaited next, says the rest.
        let _ = stdin.write_all(&bytes);
    }
    log.push(Entry::Typed(TypedAt {
        line: line.clone(),
        at: bench.since_start(),
    }));
}

/// Waits for `who` to print the first new line after `before`, then for the rest of
/// `expected`, or [`QUIET`] without one. Returns the new lines.
fn wait_arrivals(
    bench: &mut Bench<'_, '_, '_, '_>,
    procs: &mut Procs<'_>,
    who: Who,
    before: usize,
    expected: usize,
) -> Result<Vec<Vec<u8>>, RunError> {
    bench.wait_until(
        procs.server,
        Who::Server,
        Some(ARRIVAL),
        "a typed word to be printed on the other side",
        |t| printed(t, who).len() > before,
    )?;
    let mut seen = printed(&bench.session.transcript, who).len();
    let mut last = Instant::now();
    while seen < before + expected && last.elapsed() < QUIET {
        bench.pause(procs.server, POLL, Who::Server)?;
        let now = printed(&bench.session.transcript, who).len();
        if now > seen {
            seen = now;
            last = Instant::now();
        }
    }
    let lines = printed(&bench.session.transcript, who);
    Ok(lines[before..].to_vec())
}

/// The side's child, once it waits in `read(0, …)` again. Nothing has been typed on its
/// side since its last word left, so it has nowhere else to go: the wait is for a child
/// that has just written its word and is on its way back (under a loaded machine, or
/// `strace`). Gives up after a second, and returns what it sees.
fn wait_child_reading(
    bench: &mut Bench<'_, '_, '_, '_>,
    procs: &mut Procs<'_>,
    side: &Side,
) -> Result<Option<ProcView>, RunError> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let child = side.child.again();
        if child.is_none_or(|c| c.in_read(0)) || Instant::now() >= deadline {
            return Ok(child);
        }
        bench.pause(procs.server, POLL, Who::Server)?;
    }
}

fn tell_concurrency(bench: &Bench<'_, '_, '_, '_>, arrival: &Arrival) {
    let printer = arrival.printer.name();
    let child = arrival.child.map_or("gone".to_string(), |c| {
        c.shown().replace("S (sleeping) ", "")
    });
    let typed = if arrival.typed_here == 0 {
        format!("nothing typed on the {printer}'s side yet")
    } else {
        format!("waiting for the {printer}'s next line")
    };
    bench.say(&format!(
        "the {printer}'s parent printed that while the {printer}'s own child was blocked {child}, \
         {typed}: two processes of one program, one printing, one waiting"
    ));
}

/// Step 3 at the terminal: the student types as the client; the server answers each word
/// that arrives with its next line, [`GAP`] later; until the client's child has exited
/// (Ctrl-D).
fn converse_at_terminal(
    bench: &mut Bench<'_, '_, '_, '_>,
    procs: &mut Procs<'_>,
    stdins: &mut Stdins<'_>,
    server_lines: &[Vec<u8>],
    sides: [&Side; 2],
    log: &mut Vec<Entry>,
) -> Result<(), RunError> {
    let client_side = sides[index(Who::Client)];
    let mut next = server_lines.iter();
    let mut reply_at: Option<Instant> = None;
    let mut seen = [0usize; 2];
    loop {
        bench.pause(procs.server, Duration::from_millis(10), Who::Server)?;
        if let Some(status) = procs.client.try_status()? {
            return Err(RunError::Io(std::io::Error::other(format!(
                "the client {} before its input ended",
                describe(status)
            ))));
        }
        for who in [Who::Server, Who::Client] {
            let lines = printed(&bench.session.transcript, who);
            for line in &lines[seen[index(who)]..] {
                let side = sides[index(who)];
                log.push(Entry::Printed(Arrival {
                    printer: who,
                    line: line.clone(),
                    at: bench.since_start(),
                    typed_here: 0,
                    child: side.child.again(),
                }));
                if who == Who::Server && reply_at.is_none() {
                    reply_at = Some(Instant::now() + GAP);
                }
            }
            seen[index(who)] = lines.len();
        }
        if reply_at.is_some_and(|at| Instant::now() >= at) {
            reply_at = None;
            if let Some(text) = next.next() {
                let line = Typed {
                    who: Who::Server,
                    at: bench.since_start(),
                    text: text.clone(),
                };
                type_line(bench, stdins, &line, log);
                bench.say(&format!(
                    "the server types: {}",
                    String::from_utf8_lossy(text)
                ));
            }
        }
        if client_side.child.again().is_none_or(|c| c.state == 'Z') {
            bench.say("the client's input has ended (Ctrl-D): its child has exited");
            return Ok(());
        }
    }
}

/// What became of `child` once its parent was stopped: who adopted it, and whether the
/// runner reaped it. `before` is how it was just before.
fn adopt(child: &ProcView, before: Option<ProcView>, limit: Duration) -> Orphan {
    let state_before = before.map_or('?', |b| b.state);
    let now = child.again();
    let adopted_by = now.map(|c| c.ppid);
    let mut reaped_by_runner = false;
    if adopted_by == Some(std::process::id()) {
        // It is the runner's child now, a zombie: collect it, by its pid only (never -1:
        // the runner's other children belong to their `Proc`s).
        let deadline = Instant::now() + limit;
        loop {
            let mut status = 0;
            // SAFETY: waitpid writes the status into a live int of ours.
            let got = unsafe { libc::waitpid(child.pid as i32, &mut status, libc::WNOHANG) };
            if got == child.pid as i32 {
                reaped_by_runner = true;
                break;
            }
            if got == -1 || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
    // Adopted by init or some other reaper: give it the time to do its work.
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.again().is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    Orphan {
        pid: child.pid,
        state_before,
        adopted_by,
        reaped_by_runner,
        gone: child.again().is_none(),
    }
}

/// Every process of the chat still there: in either side's own group, or one of the
/// four processes by pid and start time.
fn leftovers(server: &Side, client: &Side) -> Vec<ProcView> {
    let mut left: Vec<ProcView> = Vec::new();
    for side in [server, client] {
        for p in side.members() {
            if !left.contains(&p) {
                left.push(p);
            }
        }
        for p in [side.parent, side.child].iter().filter_map(ProcView::again) {
            if !left.iter().any(|l| l.pid == p.pid) {
                left.push(p);
            }
        }
    }
    left
}

/// While one lives, the runner is a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`):
/// a process orphaned below it is re-parented to it, not to init, and it may reap it.
/// Counted, so that lessons running at once in one process (the tests) share it.
struct Subreaper;

static SUBREAPERS: Mutex<usize> = Mutex::new(0);

impl Subreaper {
    fn start() -> Subreaper {
        let mut n = SUBREAPERS.lock().unwrap_or_else(|p| p.into_inner());
        if *n == 0 {
            // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer and touches no memory.
            unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) };
        }
        *n += 1;
        Subreaper
    }
}

impl Drop for Subreaper {
    fn drop(&mut self) {
        let mut n = SUBREAPERS.lock().unwrap_or_else(|p| p.into_inner());
        *n -= 1;
        if *n == 0 {
            // SAFETY: as above.
            unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 0) };
        }
    }
}

/// A child in no group of its own (the client's, at the terminal), killed if it is still
/// running when the lesson ends, whichever way it ends.
struct Straggler(ProcView);

impl Drop for Straggler {
    fn drop(&mut self) {
        if self.0.again().is_some_and(|p| p.state != 'Z') {
            // SAFETY: kill takes two integers; the pid is the same process (same start
            // time) that the runner's program forked.
            unsafe { libc::kill(self.0.pid as i32, libc::SIGKILL) };
        }
    }
}
