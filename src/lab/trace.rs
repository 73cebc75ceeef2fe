//! System-call traces with `strace`, parsed and normalised so that the C twin's and the
//! Rust twin's socket calls can be compared line by line.
//!
//! A [`Program`](super::run::Program) with `trace: Some(path)` runs under
//! [`strace_prefix`]: `strace -DD -f -q -s 65535 -o PATH -e
//! trace=%network,close,read,write`. The trace keeps every socket call (`%network`:
//! `socket`, `bind`, `sendto`, `recvfrom`, `listen`, `accept`, `connect`, `setsockopt`,
//! …), `close`, and `read` and `write`, with the arguments as the kernel saw them: the
//! buffer's bytes (whole: `-s 65535`), lengths, flags, addresses, return values and
//! errors. `read` and `write` are there because the notes' TCP programs (§5.4, §5.5)
//! move their data with them, not with `send`/`recv`, and strace's `%network` class does
//! not hold them: without them a TCP trace would show the connection made and closed and
//! nothing of what went over it.
//!
//! `-DD` makes the traced program the runner's own child (the tracer runs as its
//! grandchild, in a process group of its own), so the runner's pid, its look at
//! `/proc/<pid>/fd`, and its `SIGTERM` to the group reach the program and not `strace`.
//! Since the tracer is not the runner's child, the runner may see the program end before
//! `strace` has written its last lines: [`wait_for_trace`] waits for them.
//!
//! # Reading: [`Parser`], [`read_trace`]
//!
//! Each line of the file becomes a [`Record`]: a [`Syscall`] (a call split by `strace -f`
//! into `… <unfinished ...>` and `<... name resumed> …` is joined back into one), a
//! signal delivered (`--- SIGTERM {…} ---`), or a process's end (`+++ killed by SIGTERM
//! +++`). Nothing is dropped at this stage: the records are what `strace` wrote.
//!
//! # Normalising: [`Normaliser`], [`normalise`]
//!
//! The same program, run twice, makes the same calls with some different numbers; the C
//! and the Rust twin make the same calls *plus* what their runtimes do. The normaliser
//! turns records into lines (`bind(3, {…, sin_port=htons(PORT), …}, 16) = 0`) that are
//! equal when, and only when, the programs' socket calls are. What it drops or rewrites,
//! and why:
//!
//! - **Process ids** (the `12345 ` before each line): the kernel's, new every run. When a
//!   trace holds several processes (a forking server), the first one's lines are left
//!   bare and the others' are marked `[proc 2] `, `[proc 3] ` in order of appearance.
//! - **`close` of a descriptor that is not a socket**: the dynamic loader opens and
//!   closes each shared library before `main` (the C under `stdbuf` closes about twenty:
//!   `stdbuf` itself, `libstdbuf.so`, libc, then again for the program; the Rust twin
//!   about four), and a program may close files. A descriptor is a socket when the trace
//!   shows it returned by `socket`, `accept`, `accept4` or `socketpair`; its `close` is
//!   kept, and after it the number is free again. Descriptors the program inherited
//!   (its stdin, stdout, stderr: the runner's stdout and stderr are `AF_UNIX` sockets)
//!   were not opened in the trace, so their `close` is dropped too.
//! - **`read` and `write` (and `readv`, `writev`) on a descriptor that is not a socket**,
//!   by the same test as `close`: the loader reads each shared library (`read(3,
//!   "\177ELF…", 832)`), `stdbuf` reads the locale's alias file, `scanf` reads stdin
//!   (C's stdio 4096 bytes at a time, the Rust twin's its own way), and `printf`/`puts`
//!   write stdout: none of it is a socket call, and how each runtime buffers its stdio is
//!   not the lesson (the transcripts compare what was printed). A `read`/`write` on a
//!   descriptor that `socket`, `accept` or `socketpair` returned is kept whole: the bytes
//!   that went over the connection, and what each call returned (`0` at the end of the
//!   stream, `-1 EPIPE`). So a `read`/`write` on an inherited socket (stdout is the
//!   runner's `AF_UNIX` socket) is dropped, as its `close` is.
//! - **`execve`**, if a caller traces it: the C starts as `stdbuf`, which `exec`s the
//!   program; the Rust twin starts as itself. Not a socket call. (The default filter
//!   does not trace it, so this rule is a guard.)
//! - **A call that did not return to the program**: its result is `?` (`= ?
//!   ERESTARTSYS`, a call a signal interrupted), or the trace ends before it finished.
//!   The echo server is killed by `SIGTERM` while it waits in `recvfrom`, or, if the
//!   signal comes a moment earlier, between its `sendto` and that `recvfrom`: whether the
//!   last call shows depends on timing, not on the program. A call that a handler
//!   interrupted and the kernel restarted shows again, whole, when it returns.
//! - **Ports**: the lesson's port (the runner picks a free one each run) becomes `PORT`;
//!   a port in the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`:
//!   the one a client's first `sendto` is given) becomes `EPHEMERAL1`, `EPHEMERAL2`, …
//!   numbered by first appearance, so that "the reply went to the port the request came
//!   from" still shows. Other ports (a fixed 5678, port 0) are kept as they are.
//! - **Memory addresses** (`0x7ffc8d3dc210`, hexadecimal numbers of 0x10000 and more
//!   outside quoted strings): where the stack lies changes every run (ASLR), and the C's
//!   stack is not the Rust's. `strace` prints them for buffers it did not decode (a
//!   `recvfrom` that failed); they become `ADDR`.
//! - **The signal's details**: `--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER,
//!   si_pid=4242, si_uid=0} ---` names the sender's pid; it becomes `--- SIGTERM ---`.
//! - **`strace`'s column padding** before `=`: one space is kept.
//!
//! Everything else stays, byte for byte as `strace` printed it: the call's name, the
//! descriptor numbers, the buffers' contents (`"hello\0"`), the lengths, the flags, the
//! addresses, the return values and `errno` names, and how each process ended (`+++
//! exited with 0 +++`). Nothing else is dropped: Rust's runtime makes no socket call
//! before `main` (its start-up closes only the loader's files, see above); if it did,
//! the call would show, and a comparison with the C would fail.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::ops::RangeInclusive;
use std::path::Path;
use std::time::{Duration, Instant};

/// The words that put a program under `strace`, writing its trace to `out`.
///
/// - `-DD`: the tracer runs as the program's grandchild, in a process group of its own:
///   the runner's child is the program itself (its pid is the one whose sockets the
///   runner looks for in `/proc`), and the runner's `SIGTERM` to the program's group
///   does not reach `strace`, which outlives the program long enough to write its end.
/// - `-f`: follow `fork`s (the later lessons' servers fork).
/// - `-q`: no "attached"/"detached" messages; the "+++ exited with N +++" lines stay, so
///   [`wait_for_trace`] can tell the trace is complete.
/// - `-s 65535`: whole buffers (the default shows 32 bytes), up to a datagram's largest.
/// - `-e trace=%network,close,read,write`: every socket call, `close`, and the `read`
///   and `write` with which the TCP lessons move their data (the normaliser keeps them
///   only for sockets: see the module documentation).
pub fn strace_prefix(out: &Path) -> Vec<OsString> {
    vec![
        "strace".into(),
        "-DD".into(),
        "-f".into(),
        "-q".into(),
        "-s".into(),
        "65535".into(),
        "-o".into(),
        out.into(),
        "-e".into(),
        "trace=%network,close,read,write".into(),
    ]
}

/// One system call as `strace` showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Syscall {
    /// The process (or thread) that made it.
    pub pid: u32,
    /// The call's name: `recvfrom`.
    pub name: String,
    /// The arguments, as `strace` printed them between the parentheses:
    /// `3, "hello\0", 100, 0, {sa_family=AF_INET, …}, [16]`.
    pub args: String,
    /// What it returned, as printed after `= `: `6`, `-1 EADDRINUSE (Address already in
    /// use)`, `? ERESTARTSYS (To be restarted if SA_RESTART is set)`. `None` when the
    /// trace ends before the call did (`<unfinished ...>` never resumed).
    pub ret: Option<String>,
}

impl Syscall {
    /// The return value, when the call returned one (`Some(-1)` for an error).
    pub fn returned(&self) -> Option<i64> {
        self.ret.as_deref()?.split_whitespace().next()?.parse().ok()
    }

    /// The `errno` name of a failed call: `EADDRINUSE`.
    pub fn errno(&self) -> Option<&str> {
        let mut words = self.ret.as_deref()?.split_whitespace();
        words.next().filter(|w| *w == "-1")?;
        words.next().filter(|w| w.starts_with('E'))
    }

    /// Whether the call came back to the program: it has a result, and not `?` (a call
    /// interrupted by a signal, to be restarted or abandoned).
    pub fn completed(&self) -> bool {
        self.ret.as_deref().is_some_and(|r| !r.starts_with('?'))
    }

    /// The first argument as a descriptor number, for calls whose first argument is one.
    pub fn fd(&self) -> Option<i32> {
        self.args.split(',').next()?.trim().parse().ok()
    }

    /// The arguments, one by one: [`Syscall::args`] split at the commas that are not
    /// inside a string, a struct `{…}` or an array `[…]`.
    pub fn arg_list(&self) -> Vec<&str> {
        let mut list = Vec::new();
        let mut depth = 0usize;
        let mut start = 0;
        let mut bytes = self.args.bytes().enumerate();
        while let Some((i, b)) = bytes.next() {
            match b {
                b'"' => {
                    // Skip to the closing quote.
                    let end = string_end(&self.args[i..]);
                    for _ in 1..end {
                        bytes.next();
                    }
                }
                b'(' | b'{' | b'[' => depth += 1,
                b')' | b'}' | b']' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    list.push(self.args[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        let last = self.args[start..].trim();
        if !last.is_empty() || !list.is_empty() {
            list.push(last);
        }
        list
    }
}

impl fmt::Display for Syscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ret {
            Some(ret) => write!(f, "{}({}) = {ret}", self.name, self.args),
            None => write!(f, "{}({} <unfinished ...>", self.name, self.args),
        }
    }
}

/// How a traced process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `+++ exited with N +++`.
    Exited(i32),
    /// `+++ killed by SIGTERM +++` (the text after "killed by", `(core dumped)` included).
    Killed(String),
}

/// One line of a trace, or two joined (an unfinished call and its resumption).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A system call.
    Call(Syscall),
    /// A signal delivered: `--- SIGTERM {si_signo=SIGTERM, …} ---`.
    Signal {
        /// The process it was delivered to.
        pid: u32,
        /// Its name: `SIGTERM`.
        name: String,
        /// The rest, as printed: `{si_signo=SIGTERM, si_code=SI_USER, si_pid=…}`.
        info: String,
    },
    /// A process ended.
    Exit {
        /// The process.
        pid: u32,
        /// How.
        how: Exit,
    },
    /// A line this parser does not know, kept whole (pid included).
    Other(String),
}

impl Record {
    /// The process the record is about (`None` for [`Record::Other`]).
    pub fn pid(&self) -> Option<u32> {
        match self {
            Record::Call(call) => Some(call.pid),
            Record::Signal { pid, .. } | Record::Exit { pid, .. } => Some(*pid),
            Record::Other(_) => None,
        }
    }
}

/// Reads a trace line by line, joining calls that `strace -f` split in two.
///
/// For a trace that is still being written (a live view), feed it whole lines only: a
/// call in progress is written as `recvfrom(3, ` with no newline until it returns.
#[derive(Debug, Default)]
pub struct Parser {
    /// Per process, the call it started and has not finished: name and arguments so far.
    pending: HashMap<u32, (String, String)>,
    /// The order in which the pending calls were started, for [`Parser::finish`].
    order: Vec<u32>,
}

impl Parser {
    /// A parser with nothing pending.
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Parses one line (without its newline). Returns `None` for an empty line and for
    /// the first half of a split call, which comes back joined with its second half.
    pub fn line(&mut self, line: &str) -> Option<Record> {
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            return None;
        }
        let (pid, rest) = split_pid(line);
        if let Some(signal) = rest
            .strip_prefix("--- ")
            .and_then(|s| s.strip_suffix(" ---"))
        {
            let (name, info) = signal.split_once(' ').unwrap_or((signal, ""));
            return Some(Record::Signal {
                pid,
                name: name.to_owned(),
                info: info.to_owned(),
            });
        }
        if let Some(end) = rest
            .strip_prefix("+++ ")
            .and_then(|s| s.strip_suffix(" +++"))
        {
            let how = if let Some(code) = end.strip_prefix("exited with ") {
                match code.trim().parse() {
                    Ok(code) => Exit::Exited(code),
                    Err(_) => return Some(Record::Other(line.to_owned())),
                }
            } else if let Some(sig) = end.strip_prefix("killed by ") {
                Exit::Killed(sig.to_owned())
            } else {
                return Some(Record::Other(line.to_owned()));
            };
            return Some(Record::Exit { pid, how });
        }
        if let Some(resumed) = rest.strip_prefix("<... ") {
            // `<... recvfrom resumed>"hello\0", 100, …) = 6`
            let Some((name, tail)) = resumed.split_once(" resumed>") else {
                return Some(Record::Other(line.to_owned()));
            };
            let (head_name, head) = match self.pending.remove(&pid) {
                Some(pending) => {
                    self.order.retain(|p| *p != pid);
                    pending
                }
                // The trace began mid-call: only the second half is known.
                None => (name.to_owned(), String::new()),
            };
            if head_name != name {
                return Some(Record::Other(line.to_owned()));
            }
            return Some(finish_call(pid, name, &head, tail, line));
        }
        // `recvfrom(3, ` + (`"hello\0", …) = 6` | ` <unfinished ...>`)
        let Some(open) = rest.find('(') else {
            return Some(Record::Other(line.to_owned()));
        };
        let name = &rest[..open];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Some(Record::Other(line.to_owned()));
        }
        let after = &rest[open + 1..];
        if let Some(head) = after.strip_suffix("<unfinished ...>") {
            let head = head.strip_suffix(' ').unwrap_or(head);
            self.pending.insert(pid, (name.to_owned(), head.to_owned()));
            self.order.retain(|p| *p != pid);
            self.order.push(pid);
            return None;
        }
        Some(finish_call(pid, name, "", after, line))
    }

    /// The calls still unfinished when the trace ended, as [`Syscall`]s with no result,
    /// in the order they were started.
    pub fn finish(self) -> Vec<Record> {
        let mut pending = self.pending;
        self.order
            .into_iter()
            .filter_map(|pid| {
                let (name, args) = pending.remove(&pid)?;
                Some(Record::Call(Syscall {
                    pid,
                    name,
                    args: args.trim_end().trim_end_matches(',').to_owned(),
                    ret: None,
                }))
            })
            .collect()
    }
}

/// `12345 rest` → (12345, rest); a line without a pid (`strace` without `-f`) → (0, line).
fn split_pid(line: &str) -> (u32, &str) {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line.as_bytes().get(digits) == Some(&b' ') {
        if let Ok(pid) = line[..digits].parse() {
            return (pid, line[digits..].trim_start());
        }
    }
    (0, line)
}

/// Joins `head` (arguments printed at entry) and `tail` (`…) = ret`, the rest) into a
/// call; a line whose parentheses do not close is kept as [`Record::Other`].
fn finish_call(pid: u32, name: &str, head: &str, tail: &str, line: &str) -> Record {
    let text = format!("{head}{tail}");
    let Some(close) = closing_paren(&text) else {
        // The trace ended in the middle of the line (a call in progress).
        return Record::Call(Syscall {
            pid,
            name: name.to_owned(),
            args: text.trim_end().to_owned(),
            ret: None,
        });
    };
    let args = text[..close].to_owned();
    let after = text[close + 1..].trim_start();
    let ret = match after.strip_prefix('=') {
        Some(ret) => Some(ret.trim().to_owned()),
        None if after.is_empty() => None,
        None => return Record::Other(line.to_owned()),
    };
    Record::Call(Syscall {
        pid,
        name: name.to_owned(),
        args,
        ret,
    })
}

/// The index of the `)` that closes an argument list (the `(` already consumed): the
/// first one at depth 0 outside a quoted string. `strace` quotes strings with `"` and
/// escapes `"` and `\` inside them.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'(' | b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b')' if depth == 0 => return Some(i),
            b')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Parses a whole trace. A call the trace ends in the middle of comes last, with no
/// result.
pub fn parse_trace(text: &str) -> Vec<Record> {
    let mut parser = Parser::new();
    let mut records: Vec<Record> = text.lines().filter_map(|l| parser.line(l)).collect();
    records.extend(parser.finish());
    records
}

/// Reads and parses the trace file `path` as it is now. `strace` writes bytes that are
/// not ASCII as `\345` escapes, so the file is text; anything else is read lossily.
pub fn read_trace(path: &Path) -> io::Result<Vec<Record>> {
    let bytes = fs::read(path)?;
    Ok(parse_trace(&String::from_utf8_lossy(&bytes)))
}

/// Whether a trace is complete: it shows some process, and every process it shows has
/// ended (`+++ exited with N +++` or `+++ killed by … +++`). `strace` writes those lines
/// after the process is gone, so a caller that saw the process end may read the file
/// before they are there.
///
/// A forked child that made no traced call before its parent ended is not shown yet, so
/// cannot be waited for; the lessons' servers are stopped as a process group, all at once.
pub fn is_complete(records: &[Record]) -> bool {
    let mut seen = HashSet::new();
    let mut ended = HashSet::new();
    for r in records {
        if let Some(pid) = r.pid() {
            seen.insert(pid);
            if matches!(r, Record::Exit { .. }) {
                ended.insert(pid);
            }
        }
    }
    !seen.is_empty() && seen == ended
}

/// Reads the trace `path` once it is complete ([`is_complete`]), waiting up to
/// `timeout` for `strace` to write its last lines. A trace still incomplete then is an
/// error (`TimedOut`): its program is still running, or `strace` died.
pub fn wait_for_trace(path: &Path, timeout: Duration) -> io::Result<Vec<Record>> {
    let deadline = Instant::now() + timeout;
    loop {
        let records = match read_trace(path) {
            Ok(records) => records,
            // strace creates the file when it starts; give it a moment to.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        if is_complete(&records) {
            return Ok(records);
        }
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the trace {} is incomplete after {timeout:?}: its program has not \
                     ended, or strace stopped",
                    path.display()
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The kernel's ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`), from
/// which it picks a port for a socket that sends before it binds, and for `bind` to port
/// 0. Linux's default, 32768–60999, if the file cannot be read.
pub fn ephemeral_ports() -> RangeInclusive<u16> {
    fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|w| w.parse::<u16>());
            Some(it.next()?.ok()?..=it.next()?.ok()?)
        })
        .unwrap_or(32768..=60999)
}

/// Turns records into comparable lines, one record at a time (so a live view can use it
/// as the trace grows). The rules are in the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Normaliser {
    port: Option<u16>,
    ephemeral: RangeInclusive<u16>,
    /// Ephemeral ports met so far, in order: the first is `EPHEMERAL1`.
    ports: Vec<u16>,
    /// Processes met so far, in order: the first is unmarked, the next `[proc 2]`.
    pids: Vec<u32>,
    /// Descriptors that are sockets now (one table for all processes: a forked child
    /// inherits its parent's).
    sockets: HashSet<i32>,
}

impl Normaliser {
    /// A normaliser for a run on `port` (`None`: no lesson port to name), with the
    /// kernel's ephemeral range ([`ephemeral_ports`]).
    pub fn new(port: Option<u16>) -> Normaliser {
        Normaliser::with_ephemeral(port, ephemeral_ports())
    }

    /// A normaliser with the ephemeral range given (for tests on fixed lines).
    pub fn with_ephemeral(port: Option<u16>, ephemeral: RangeInclusive<u16>) -> Normaliser {
        Normaliser {
            port,
            ephemeral,
            ports: Vec::new(),
            pids: Vec::new(),
            sockets: HashSet::new(),
        }
    }

    /// The normalised line for `record`, or `None` if the rules drop it.
    pub fn record(&mut self, record: &Record) -> Option<String> {
        let line = match record {
            Record::Call(call) => self.call(call)?,
            Record::Signal { name, .. } => format!("--- {name} ---"),
            Record::Exit { how, .. } => match how {
                Exit::Exited(code) => format!("+++ exited with {code} +++"),
                Exit::Killed(sig) => format!("+++ killed by {sig} +++"),
            },
            Record::Other(line) => return Some(line.clone()),
        };
        let pid = record.pid()?;
        let nth = match self.pids.iter().position(|p| *p == pid) {
            Some(at) => at + 1,
            None => {
                self.pids.push(pid);
                self.pids.len()
            }
        };
        Some(if nth == 1 {
            line
        } else {
            format!("[proc {nth}] {line}")
        })
    }

    /// All of `records`, normalised.
    pub fn all(&mut self, records: &[Record]) -> Vec<String> {
        records.iter().filter_map(|r| self.record(r)).collect()
    }

    fn call(&mut self, call: &Syscall) -> Option<String> {
        if !call.completed() || matches!(call.name.as_str(), "execve" | "execveat") {
            return None;
        }
        let ok = call.returned().is_some_and(|r| r >= 0);
        match call.name.as_str() {
            "close" => {
                let fd = call.fd()?;
                if !self.sockets.contains(&fd) {
                    return None;
                }
                if ok {
                    self.sockets.remove(&fd);
                }
            }
            "read" | "write" | "readv" | "writev" if !self.sockets.contains(&call.fd()?) => {
                return None;
            }
            "socket" | "accept" | "accept4" if ok => {
                self.sockets.insert(call.returned()? as i32);
            }
            "socketpair" if ok => {
                // socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
                if let Some(pair) = call
                    .args
                    .rsplit_once('[')
                    .and_then(|(_, p)| p.strip_suffix(']'))
                {
                    self.sockets
                        .extend(pair.split(',').filter_map(|n| n.trim().parse::<i32>().ok()));
                }
            }
            _ => {}
        }
        let args = self.rewrite(&call.args);
        let ret = self.rewrite(call.ret.as_deref().unwrap_or_default());
        Some(format!("{}({args}) = {ret}", call.name))
    }

    /// Rewrites ports and memory addresses outside quoted strings.
    fn rewrite(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            // Copy a quoted string as it is.
            if rest.starts_with('"') {
                let end = string_end(rest);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            if let Some(after) = rest.strip_prefix("htons(") {
                let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                if let (Ok(port), Some(')')) = (
                    after[..digits].parse::<u16>(),
                    after[digits..].chars().next(),
                ) {
                    out.push_str("htons(");
                    out.push_str(&self.port_name(port));
                    rest = &after[digits..];
                    continue;
                }
            }
            if rest.starts_with("0x") && !ends_in_word(&out) {
                let hex = rest[2..].bytes().take_while(u8::is_ascii_hexdigit).count();
                if let Ok(value) = u64::from_str_radix(&rest[2..2 + hex], 16) {
                    if value >= 0x10000 {
                        out.push_str("ADDR");
                        rest = &rest[2 + hex..];
                        continue;
                    }
                }
            }
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }

    fn port_name(&mut self, port: u16) -> String {
        if Some(port) == self.port {
            return "PORT".to_owned();
        }
        if !self.ephemeral.contains(&port) {
            return port.to_string();
        }
        let nth = match self.ports.iter().position(|p| *p == port) {
            Some(at) => at + 1,
            None => {
                self.ports.push(port);
                self.ports.len()
            }
        };
        format!("EPHEMERAL{nth}")
    }
}

/// The length of the quoted string at the start of `s` (quotes included; to the end if
/// it is not closed). `strace` ends a string cut short by `-s` with `"...`.
fn string_end(s: &str) -> usize {
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (escaped, b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The bytes of a string as `strace` prints it: `"hello\0"` → `b"hello\0"`. Undoes its
/// escapes (`\n`, `\t`, `\r`, `\v`, `\f`, `\\`, `\"`, octal `\345`, hex `\xe5`).
/// `None` if `quoted` is not one whole quoted string; a string cut short (`"abc"...`)
/// gives the bytes shown.
pub fn decode_string(quoted: &str) -> Option<Vec<u8>> {
    let inner = quoted.strip_suffix("...").unwrap_or(quoted);
    let inner = inner.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == b'"' {
            return None; // an unescaped quote: not one string
        }
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = *bytes.get(i)?;
        i += 1;
        out.push(match e {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'v' => 0x0b,
            b'f' => 0x0c,
            b'\\' | b'"' => e,
            b'x' => {
                let hex = bytes.get(i..i + 2)?;
                i += 2;
                u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?
            }
            b'0'..=b'7' => {
                // One to three octal digits: strace writes three when a digit follows.
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                u8::try_from(value).ok()?
            }
            _ => return None,
        });
    }
    Some(out)
}

/// Whether `s` ends in a letter, digit or `_` (so a `0x` that follows is inside a word).
fn ends_in_word(s: &str) -> bool {
    s.chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The normalised lines of `records` for a run on `port`: [`Normaliser::new`] then
/// [`Normaliser::all`].
pub fn normalise(records: &[Record], port: u16) -> Vec<String> {
    Normaliser::new(Some(port)).all(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::{assert_eq, assert_ne};

    /// A udp-echo server's trace as strace 6.1 writes it (C, under stdbuf: the loader's
    /// closes come first), killed by SIGTERM while in recvfrom.
    const C_SERVER: &str = r#"27747 close(3)                          = 0
27747 close(3)                          = 0
27747 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3
27747 bind(3, {sa_family=AF_INET, sin_port=htons(47812), sin_addr=inet_addr("0.0.0.0")}, 16) = 0
27747 recvfrom(3, "a\0", 100, 0, {sa_family=AF_INET, sin_port=htons(55094), sin_addr=inet_addr("127.0.0.1")}, [16]) = 2
27747 sendto(3, "a\0", 2, 0, {sa_family=AF_INET, sin_port=htons(55094), sin_addr=inet_addr("127.0.0.1")}, 16) = 2
27747 recvfrom(3, 0x7ffca4b52da0, 100, 0, 0x7ffca4b52d90, [16]) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)
27747 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=27745, si_uid=0} ---
27747 +++ killed by SIGTERM +++
"#;

    const NORMALISED: &[&str] = &[
        "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
        r#"bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}, 16) = 0"#,
        r#"recvfrom(3, "a\0", 100, 0, {sa_family=AF_INET, sin_port=htons(EPHEMERAL1), sin_addr=inet_addr("127.0.0.1")}, [16]) = 2"#,
        r#"sendto(3, "a\0", 2, 0, {sa_family=AF_INET, sin_port=htons(EPHEMERAL1), sin_addr=inet_addr("127.0.0.1")}, 16) = 2"#,
        "--- SIGTERM ---",
        "+++ killed by SIGTERM +++",
    ];

    fn norm(text: &str, port: u16) -> Vec<String> {
        Normaliser::with_ephemeral(Some(port), 32768..=60999).all(&parse_trace(text))
    }

    #[test]
    fn parses_a_call_with_its_arguments_and_result() {
        let records = parse_trace(C_SERVER);
        assert_eq!(
            records[3],
            Record::Call(Syscall {
                pid: 27747,
                name: "bind".into(),
                args: r#"3, {sa_family=AF_INET, sin_port=htons(47812), sin_addr=inet_addr("0.0.0.0")}, 16"#.into(),
                ret: Some("0".into()),
            })
        );
        let Record::Call(interrupted) = &records[6] else {
            panic!("not a call: {:?}", records[6]);
        };
        assert!(!interrupted.completed());
        assert_eq!(interrupted.returned(), None);
        assert_eq!(
            records[7],
            Record::Signal {
                pid: 27747,
                name: "SIGTERM".into(),
                info: "{si_signo=SIGTERM, si_code=SI_USER, si_pid=27745, si_uid=0}".into()
            }
        );
        assert_eq!(
            records[8],
            Record::Exit {
                pid: 27747,
                how: Exit::Killed("SIGTERM".into())
            }
        );
        assert!(is_complete(&records));
    }

    #[test]
    fn normalises_the_echo_server() {
        assert_eq!(norm(C_SERVER, 47812), NORMALISED);
    }

    #[test]
    fn the_same_calls_with_other_numbers_normalise_the_same() {
        // Other pid, other ports, other stack, the signal a moment earlier (no
        // interrupted recvfrom), and the Rust runtime's four loader closes.
        let rust = C_SERVER
            .replace("27747", "31000")
            .replace("47812", "40001")
            .replace("55094", "51234")
            .replace("0x7ffca4b52da0", "0x7ffd48b73afc")
            .lines()
            .filter(|l| !l.contains("ERESTARTSYS"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(norm(&rust, 40001), NORMALISED);
    }

    #[test]
    fn a_different_buffer_length_or_port_shows() {
        let other_len = C_SERVER.replace("\"a\\0\", 2, 0", "\"a\\0\", 100, 0");
        assert_ne!(norm(&other_len, 47812), NORMALISED);
        // A reply to a port other than the sender's: EPHEMERAL2.
        let other_port = C_SERVER.replacen(
            "sendto(3, \"a\\0\", 2, 0, {sa_family=AF_INET, sin_port=htons(55094)",
            "sendto(3, \"a\\0\", 2, 0, {sa_family=AF_INET, sin_port=htons(55095)",
            1,
        );
        assert!(norm(&other_port, 47812)[3].contains("htons(EPHEMERAL2)"));
        // A fixed port outside the ephemeral range is kept.
        let fixed = C_SERVER.replace("htons(47812)", "htons(5678)");
        assert!(norm(&fixed, 47812)[1].contains("htons(5678)"));
    }

    #[test]
    fn joins_an_unfinished_call_and_its_resumption() {
        let text = "\
100 recvfrom(3,  <unfinished ...>
200 sendto(4, \"x\", 1, 0, NULL, 0) = 1
100 <... recvfrom resumed>\"x\", 100, 0, NULL, NULL) = 1
100 +++ exited with 0 +++
200 +++ exited with 0 +++
";
        let records = parse_trace(text);
        assert_eq!(
            records[1],
            Record::Call(Syscall {
                pid: 100,
                name: "recvfrom".into(),
                args: "3, \"x\", 100, 0, NULL, NULL".into(),
                ret: Some("1".into()),
            })
        );
        assert!(is_complete(&records));
        assert_eq!(
            Normaliser::with_ephemeral(None, 32768..=60999).all(&records),
            [
                // Neither fd came from a traced socket(): only the calls, no close.
                "sendto(4, \"x\", 1, 0, NULL, 0) = 1",
                "[proc 2] recvfrom(3, \"x\", 100, 0, NULL, NULL) = 1",
                "[proc 2] +++ exited with 0 +++",
                "+++ exited with 0 +++",
            ]
        );
    }

    #[test]
    fn a_call_never_resumed_has_no_result_and_is_dropped() {
        let text =
            "7 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3\n7 recvfrom(3,  <unfinished ...>\n";
        let records = parse_trace(text);
        assert_eq!(
            records[1],
            Record::Call(Syscall {
                pid: 7,
                name: "recvfrom".into(),
                args: "3".into(),
                ret: None
            })
        );
        assert!(!is_complete(&records));
        assert_eq!(
            norm(text, 1),
            ["socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3"]
        );
    }

    #[test]
    fn keeps_only_the_close_of_sockets() {
        let text = "\
9 close(3) = 0
9 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3
9 close(4) = -1 EBADF (Bad file descriptor)
9 close(3) = 0
9 close(3) = -1 EBADF (Bad file descriptor)
9 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = -1 EMFILE (Too many open files)
9 close(1) = 0
";
        assert_eq!(
            norm(text, 1),
            [
                "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
                "close(3) = 0",
                "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = -1 EMFILE (Too many open files)",
            ]
        );
    }

    #[test]
    fn errors_and_quoted_text_are_kept() {
        let text = r#"5 socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3
5 bind(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("0.0.0.0")}, 16) = -1 EADDRINUSE (Address already in use)
5 sendto(3, "htons(40000) 0x7fffffff) = (", 29, 0, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("255.255.255.255")}, 16) = -1 EACCES (Permission denied)
"#;
        let records = parse_trace(text);
        let Record::Call(bind) = &records[1] else {
            panic!()
        };
        assert_eq!(bind.errno(), Some("EADDRINUSE"));
        assert_eq!(bind.returned(), Some(-1));
        assert_eq!(
            norm(text, 40000),
            [
                "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
                r#"bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}, 16) = -1 EADDRINUSE (Address already in use)"#,
                r#"sendto(3, "htons(40000) 0x7fffffff) = (", 29, 0, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("255.255.255.255")}, 16) = -1 EACCES (Permission denied)"#,
            ]
        );
    }

    #[test]
    fn keeps_only_the_reads_and_writes_of_sockets() {
        // A tcp-echo server's trace (C, under stdbuf, shortened): the loader's read of a
        // library and stdbuf's of the locale alias file on descriptor 3 before it is a
        // socket, printf's writes to stdout, and the connection's reads and writes.
        let text = r##"41 read(3, "\177ELF\2\1\1\3\0", 832) = 832
41 close(3) = 0
41 read(3, "# Locale name alias data base.\n", 4096) = 31
41 read(3, "", 4096) = 0
41 close(3) = 0
41 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
41 bind(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("0.0.0.0")}, 16) = 0
41 listen(3, 5) = 0
41 accept(3, NULL, NULL) = 4
41 read(4, "hi\0\0", 100) = 4
41 write(1, "read: hi\n", 9) = 9
41 write(4, "hi\0\0", 100) = 100
41 read(0, "", 4096) = 0
41 read(4, "", 100) = 0
41 write(4, "\0\0", 100) = -1 EPIPE (Broken pipe)
41 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=41, si_uid=0} ---
41 +++ killed by SIGPIPE +++
"##;
        assert_eq!(
            norm(text, 40000),
            [
                "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                r#"bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}, 16) = 0"#,
                "listen(3, 5) = 0",
                "accept(3, NULL, NULL) = 4",
                r#"read(4, "hi\0\0", 100) = 4"#,
                r#"write(4, "hi\0\0", 100) = 100"#,
                r#"read(4, "", 100) = 0"#,
                r#"write(4, "\0\0", 100) = -1 EPIPE (Broken pipe)"#,
                "--- SIGPIPE ---",
                "+++ killed by SIGPIPE +++",
            ]
        );
        // Once closed, the number is no socket: a later read of a file on it is dropped.
        let reused = "5 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n5 close(3) = 0\n\
                      5 read(3, \"x\", 10) = 1\n5 readv(3, [{iov_base=\"x\", iov_len=1}], 1) = 1\n";
        assert_eq!(
            norm(reused, 1),
            [
                "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "close(3) = 0"
            ]
        );
    }

    #[test]
    fn the_default_filter_traces_read_and_write() {
        let prefix = strace_prefix(Path::new("/tmp/x.trace"));
        assert_eq!(
            prefix.last().map(|s| s.to_string_lossy().into_owned()),
            Some("trace=%network,close,read,write".to_owned())
        );
    }

    #[test]
    fn socketpair_descriptors_are_sockets() {
        let text =
            "1 socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0\n1 close(4) = 0\n1 close(5) = 0\n";
        assert_eq!(
            norm(text, 1),
            [
                "socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0",
                "close(4) = 0"
            ]
        );
    }

    #[test]
    fn splits_arguments_and_decodes_strings() {
        let Record::Call(call) = &parse_trace(C_SERVER)[4] else {
            panic!()
        };
        let args = call.arg_list();
        assert_eq!(
            args,
            [
                "3",
                r#""a\0""#,
                "100",
                "0",
                r#"{sa_family=AF_INET, sin_port=htons(55094), sin_addr=inet_addr("127.0.0.1")}"#,
                "[16]"
            ]
        );
        assert_eq!(decode_string(args[1]), Some(b"a\0".to_vec()));
        assert_eq!(
            decode_string(r#""\345\245\227\0\0001\t\"\\\x41""#),
            Some(b"\xe5\xa5\x97\0\x001\t\"\\A".to_vec())
        );
        assert_eq!(decode_string(r#""abc"..."#), Some(b"abc".to_vec()));
        assert_eq!(decode_string("3"), None);
        assert_eq!(decode_string(r#""a", "b""#), None);
        let comma = Syscall {
            pid: 1,
            name: "sendto".into(),
            args: r#"3, "a, b", 4"#.into(),
            ret: Some("4".into()),
        };
        assert_eq!(comma.arg_list(), ["3", r#""a, b""#, "4"]);
    }

    #[test]
    fn unknown_lines_are_kept_whole() {
        let records = parse_trace("1 ???\n");
        assert_eq!(records, [Record::Other("1 ???".into())]);
    }
}
