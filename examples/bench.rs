//! `just bench`: the echo servers timed on loopback, the notes' C against its Rust twin,
//! and against a server written with `std::net`.
//!
//! `cargo run --release --example bench -- [--write FILE] [--rounds N] [--seconds S]
//! [--only udp-echo|tcp-echo|fork-echo|addresses]... [--rust-server LESSON=PATH]...`
//!
//! An example, not a test (`cargo test` builds it and never runs it) and not a bin (the
//! lesson runner builds every bin). What it measures:
//!
//! 1. **UDP and TCP echo, round trips per second.** The client is this driver: it sends
//!    the word "socket" (for UDP a 7-byte datagram, the word and its NUL, as the notes'
//!    client sends `strlen(buf)+1` bytes; for TCP the client's whole 100-byte buffer, as
//!    the notes' client writes `sizeof(buf)`), waits for the echo, checks it, and again.
//!    One client for all three servers, so that the servers alone differ. The servers:
//!    the C of `c-reference/` (compiled `-O2`, run under `stdbuf -oL` as the lessons run
//!    it), the Rust twin of `src/bin/` (release), and [`std_server`], the same protocol
//!    written with `std::net` as a Rust programmer would (TCP: it writes back 100 bytes
//!    always, as the notes' servers do). All three print their line per message
//!    (`recv: socket`), each with one `write(2)`, into `/dev/null`.
//! 2. **fork-echo, connections per second**, C against Rust, with 1, 10 and 100 clients
//!    at once (threads of this driver), each connection: connect, one 100-byte round
//!    trip, close.
//! 3. **System calls** per round trip (per connection for fork-echo), from `strace -f`
//!    on two short runs of different lengths: their difference divided by the difference
//!    in round trips, so that what a server does once (starting, loading libraries,
//!    dying of `SIGTERM`) cancels out.
//! 4. The criterion estimates of `benches/addresses.rs` (`htons`, `inet_addr`,
//!    `inet_ntoa` against glibc's), read from `target/criterion/`, which
//!    `cargo bench --bench addresses` writes (`just bench` runs it first).
//!
//! How it times: the driver, its threads and the servers (children inherit it) are pinned
//! to one CPU with `sched_setaffinity(2)`, so that a round trip is two processes taking
//! turns on one CPU, not a race between two CPUs and whatever else runs there. The
//! servers are alternated, and finely: in each round every server is started afresh, its
//! client connected and warmed up, then the servers are timed in turns of 50 ms (echo: 10
//! turns each; fork-echo: 5), so that the runs compared lie within a few tens of
//! milliseconds of each other and a burst of load on the machine slows them alike. The
//! order rotates from round to round. Each server's ratio to the C is taken within a
//! round; the table gives the min, median and max over the rounds. Every run is bounded
//! in time and in count; every socket has a timeout; every process started is a [`Proc`],
//! which kills its process group when dropped, on every path (Ctrl-C included: it is
//! caught, and ends the measurement at the next round trip).
//!
//! It prints the table on stdout (and into FILE with `--write`), its progress on stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant, SystemTime};

use socklab::lab::build::{relative, Builds, CFlavor};
use socklab::lab::kernel::{self, Transport};
use socklab::lab::process::{describe, Proc};
use socklab::lab::run::{Lang, Program};
use socklab::lab::signals::Interrupts;

/// The word the client sends: the notes' subject.
const WORD: &[u8] = b"socket";
/// The notes' buffers: `char buf[100]`.
const BUF: usize = 100;
/// How long a client waits for one reply, a connection or a server before giving up.
const PATIENCE: Duration = Duration::from_secs(5);
/// Between `SIGTERM` and `SIGKILL` when a server is stopped.
const GRACE: Duration = Duration::from_secs(2);
/// Round trips (connections) of the two `strace` runs whose difference is counted.
const STRACE_ECHO: (u64, u64) = (1_000, 5_000);
const STRACE_FORK: (u64, u64) = (100, 300);
/// The targets of the issue "Measured and hardened".
const ECHO_TARGET: f64 = 0.99;
const FORK_TARGET: f64 = 0.97;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--std-server") {
        return match std_server::main(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("std-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let options = match Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "bench: {e}\nusage: bench [--write FILE] [--rounds N] [--seconds S] \
                 [--only PART]... [--rust-server LESSON=PATH]..."
            );
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Options {
    /// Where to write the table too (`book/src/generated/bench.txt`).
    write: Option<PathBuf>,
    /// Rounds: each times every server.
    rounds: usize,
    /// Each echo server's timed share of a round, in seconds (a fork-echo server's: half).
    seconds: f64,
    /// Only these parts (`udp-echo`, `tcp-echo`, `fork-echo`, `addresses`); all if empty.
    only: Vec<String>,
    /// `--rust-server LESSON=PATH`: this program instead of the Rust twin of LESSON, to
    /// measure a change to a twin against the C before making it.
    rust_servers: Vec<(String, PathBuf)>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            write: None,
            rounds: 9,
            seconds: 0.5,
            only: Vec::new(),
            rust_servers: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} wants a value"));
            match arg.as_str() {
                "--write" => o.write = Some(PathBuf::from(value()?)),
                "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
                "--seconds" => {
                    o.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
                }
                "--only" => {
                    let part = value()?.clone();
                    if !PARTS.contains(&part.as_str()) {
                        return Err(format!("--only: {part:?} is none of {PARTS:?}"));
                    }
                    o.only.push(part);
                }
                "--rust-server" => {
                    let v = value()?;
                    let (lesson, path) = v
                        .split_once('=')
                        .ok_or(format!("--rust-server {v:?}: want LESSON=PATH"))?;
                    o.rust_servers
                        .push((lesson.to_string(), PathBuf::from(path)));
                }
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        if o.rounds == 0 || !(0.01..=60.0).contains(&o.seconds) {
            return Err("--rounds must be at least 1, --seconds from 0.01 to 60".into());
        }
        Ok(o)
    }

    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }

    /// The program given with `--rust-server` for `lesson`'s Rust server, if any.
    fn rust_server(&self, lesson: &str) -> Option<&Path> {
        self.rust_servers
            .iter()
            .find(|(l, _)| l == lesson)
            .map(|(_, p)| p.as_path())
    }

    fn run_time(&self) -> Duration {
        Duration::from_secs_f64(self.seconds)
    }
}

/// The parts, for `--only`.
const PARTS: [&str; 4] = ["udp-echo", "tcp-echo", "fork-echo", "addresses"];

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    /// `c-reference/<lesson>/server.c`.
    C,
    /// `src/bin/<lesson>-server.rs`.
    Rust,
    /// [`std_server`], this program run again with `--std-server`.
    Std,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Server::C => "C",
            Server::Rust => "Rust",
            Server::Std => "std::net",
        }
    }
}

/// The measurement of one run.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// Round trips (or connections) per second.
    rate: f64,
    /// The server's own CPU time per round trip, in µs (see [`cpu_ns`]); `None` for
    /// fork-echo, whose work is done by children that come and go.
    cpu_us: Option<f64>,
    /// fork-echo: the page faults of the server and its children per connection (see
    /// [`page_faults`]).
    faults: Option<f64>,
}

/// System calls per round trip: name, calls.
type Calls = BTreeMap<String, f64>;

/// What the benchmarks need: the builds, this program (for the `std::net` servers).
struct Bench<'a> {
    builds: Builds,
    exe: PathBuf,
    options: &'a Options,
    strace: bool,
}

fn run(options: &Options) -> io::Result<()> {
    let _interrupts = Interrupts::install()?;
    let exe = std::env::current_exe()?;
    // target/release/examples/bench: the twins are in target/release.
    let bin_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("cannot tell the target directory"))?;
    let builds = Builds::beside(bin_dir);
    if !bin_dir.ends_with("release") {
        eprintln!(
            "bench: warning: {} is not a release build; run `cargo run --release --example bench`",
            relative(&exe)
        );
    }

    // What this machine is, before pinning (nproc counts the CPUs we may use).
    let machine = Machine::describe();

    eprintln!("bench: building the C servers and the Rust twins");
    for lesson in ["udp-echo", "tcp-echo", "fork-echo"] {
        builds.build_c(lesson, "server", CFlavor::Plain)?;
    }
    builds.build_rust()?;
    let strace = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());

    let cpu = pin_to_one_cpu()?;
    let bench = Bench {
        builds,
        exe,
        options,
        strace,
    };

    let mut out = String::new();
    machine.header(&mut out, options, cpu);
    for transport in [Transport::Udp, Transport::Tcp] {
        if options.wants(lesson_of(transport)) {
            bench.echo(transport)?.report(&mut out);
        }
    }
    if options.wants("fork-echo") {
        bench.fork_echo(&mut out)?;
    }
    if options.wants("addresses") {
        addresses(&mut out, &bench.builds.target_dir);
    }

    print!("{out}");
    if let Some(path) = &options.write {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, &out)?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(())
}

/// Fails once Ctrl-C (or `SIGTERM`, `SIGHUP`) has been caught.
fn interrupted() -> io::Result<()> {
    match Interrupts::caught() {
        Some(sig) => Err(io::Error::other(format!("interrupted by {}", sig.as_str()))),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------
// The machine.

/// What the header says about where the figures come from.
struct Machine {
    nproc: usize,
    cpu_model: String,
    kernel: String,
    rustc: String,
    cc: String,
    when: String,
}

impl Machine {
    fn describe() -> Machine {
        let first_line = |cmd: &str, args: &[&str]| -> String {
            Command::new(cmd)
                .args(args)
                .stderr(Stdio::null())
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .and_then(|s| s.lines().next().map(str::to_string))
                .unwrap_or_else(|| "?".to_string())
        };
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_string())
            })
            .unwrap_or_else(|| "?".to_string());
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
        Machine {
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model,
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".to_string()),
            rustc: first_line("rustc", &["-V"]),
            cc: first_line(&cc, &["--version"]),
            when: first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        }
    }

    fn header(&self, out: &mut String, options: &Options, cpu: usize) {
        let _ = writeln!(
            out,
            "socklab benchmarks: `just bench`, measured {}",
            self.when
        );
        let _ = writeln!(
            out,
            "machine: {} CPUs (nproc), {}, Linux {}",
            self.nproc, self.cpu_model, self.kernel
        );
        let _ = writeln!(out, "compilers: {}; {} (-O2)", self.rustc, self.cc);
        let _ = writeln!(
            out,
            "method: the client (this driver) and the servers pinned to CPU {cpu}; the servers' \
             stdout to /dev/null, the C under stdbuf -oL;\n        {} rounds, each: every \
             server started afresh and warmed up, then the servers timed in turns\n        \
             (echo: {SLICES} turns of {:.0} ms each; fork-echo: {FORK_SLICES} turns of {:.0} ms)",
            options.rounds,
            options.seconds * 1000.0 / SLICES as f64,
            options.seconds * 1000.0 / 2.0 / FORK_SLICES as f64,
        );
        for (lesson, path) in &options.rust_servers {
            let _ = writeln!(
                out,
                "NOT the Rust twin: {lesson}'s Rust server is {}",
                path.display()
            );
        }
    }
}

/// Pins this thread, and so every thread and process it starts from now on, to the last
/// CPU it may run on (CPU 1 of 2): `taskset -c 1` for the whole benchmark.
// ANCHOR: pin
fn pin_to_one_cpu() -> io::Result<usize> {
    // The kernel's CPU mask: one bit per CPU, in 64-bit words (room for 1024 CPUs).
    let mut mask = [0u64; 16];
    let size = std::mem::size_of_val(&mask);
    // SAFETY: sched_getaffinity writes at most `size` bytes to `mask`, which is ours and
    // that long; pid 0 is the calling thread.
    let n = unsafe { libc::syscall(libc::SYS_sched_getaffinity, 0, size, mask.as_mut_ptr()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let cpu = (0..size * 8)
        .rev()
        .find(|&c| mask[c / 64] & (1 << (c % 64)) != 0)
        .ok_or_else(|| io::Error::other("sched_getaffinity: no CPU"))?;
    let mut one = [0u64; 16];
    one[cpu / 64] = 1 << (cpu % 64);
    // SAFETY: sched_setaffinity reads `size` bytes from `one`, which is ours and that long.
    let r = unsafe { libc::syscall(libc::SYS_sched_setaffinity, 0, size, one.as_ptr()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(cpu)
}
// ANCHOR_END: pin

/// The CPU time process `pid` has used so far, in ns: the first field of
/// `/proc/PID/schedstat` (its main thread's; the servers have no other), which the
/// scheduler keeps to the nanosecond. (Its split into user and system time, `utime` and
/// `stime` of `/proc/PID/stat`, is sampled at each clock tick: too coarse for a server
/// that spends a few hundred ns a round trip in user mode.)
fn cpu_ns(pid: u32) -> io::Result<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/schedstat"))?;
    text.split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("/proc/{pid}/schedstat: {text:?}")))
}

/// The page faults of process `pid` and of its children that it has waited for, so far:
/// `minflt` and `cminflt`, fields 10 and 11 of `/proc/PID/stat` (counted, not sampled).
/// The fork-echo servers wait for every child (`waitpid` in `sig_chld`). Faults that
/// read a page from disk (`majflt`) do not happen here: everything is in memory.
fn page_faults(pid: u32) -> io::Result<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let bad = || io::Error::other(format!("/proc/{pid}/stat: {stat:?}"));
    // "PID (comm) S ppid …": the command name may hold spaces, but ends at the last ')';
    // after it, field 3 (the state) is the first.
    let fields: Vec<&str> = stat[stat.rfind(')').ok_or_else(bad)? + 1..]
        .split_whitespace()
        .collect();
    let field = |n: usize| -> io::Result<u64> {
        fields
            .get(n - 3)
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)
    };
    Ok(field(10)? + field(11)?)
}

// ---------------------------------------------------------------------------------------
// Starting and stopping servers.

impl Bench<'_> {
    /// The command that runs `server` of `lesson` on `port`.
    fn command(&self, lesson: &str, server: Server, port: u16) -> Command {
        let port = port.to_string();
        match server {
            Server::C => Program::new(self.builds.c_bin(lesson, "server", CFlavor::Plain), Lang::C)
                .command(&[port]),
            Server::Rust => Program::new(
                self.options
                    .rust_server(lesson)
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| self.builds.rust_bin(&format!("{lesson}-server"))),
                Lang::Rust,
            )
            .command(&[port]),
            Server::Std => {
                let mut cmd = Command::new(&self.exe);
                cmd.arg("--std-server").arg(lesson).arg(port);
                cmd
            }
        }
    }

    /// Starts `server` on a free port, its stdout into /dev/null, and waits until the
    /// kernel shows its socket bound (TCP: listening). With `strace_out`, it runs under
    /// `strace -f`, which writes its trace to that file (see [`strace_counts`]).
    /// Tries three ports: another program may take the free port first.
    fn start(
        &self,
        lesson: &str,
        server: Server,
        transport: Transport,
        strace_out: Option<&Path>,
    ) -> io::Result<(Proc, u16)> {
        let mut why = String::new();
        for _attempt in 0..3 {
            let port = kernel::free_port(transport)?;
            let plain = self.command(lesson, server, port);
            let mut cmd = match strace_out {
                None => plain,
                Some(out) => {
                    // -DD: strace runs as a detached grandchild in a group of its own, so
                    // the process started is the server itself, which strace follows into
                    // its children (-f); -y shows what each descriptor is.
                    let mut cmd = Command::new("strace");
                    cmd.args(["-DD", "-f", "-q", "-y", "-o"])
                        .arg(out)
                        .arg("--")
                        .arg(plain.get_program())
                        .args(plain.get_args());
                    for (key, value) in plain.get_envs() {
                        match value {
                            Some(v) => cmd.env(key, v),
                            None => cmd.env_remove(key),
                        };
                    }
                    cmd
                }
            };
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit());
            let mut proc = Proc::spawn(&mut cmd, true)?;
            let deadline = Instant::now() + PATIENCE * 2;
            loop {
                if let Some(status) = proc.try_status()? {
                    why = format!("the {} {lesson} server {}", server.name(), describe(status));
                    break;
                }
                if matches!(
                    kernel::bound_socket(proc.pid(), transport, port),
                    Ok(Some(_))
                ) {
                    return Ok((proc, port));
                }
                if Instant::now() >= deadline {
                    return Err(io::Error::other(format!(
                        "the {} {lesson} server did not bind port {port}",
                        server.name()
                    )));
                }
                interrupted()?;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        Err(io::Error::other(why))
    }
}

/// Counts the system calls in the trace that `strace -f -y` wrote to `path`, once it is
/// complete (it ends with the line that says how the server, `pid`, ended). A `write` to
/// descriptor 1 counts apart, as "write to stdout": it is the server's `printf`; the other
/// `write`s are to a socket. A call that a signal interrupted and the kernel restarted
/// (`accept` after `SIGCHLD`) counts twice, as `strace -c` counts it.
fn strace_counts(path: &Path, pid: u32) -> io::Result<BTreeMap<String, u64>> {
    let deadline = Instant::now() + PATIENCE;
    // "1234  +++ killed by SIGTERM +++" (strace pads the pid to five columns).
    let pid = pid.to_string();
    let is_end = |line: &str| {
        line.split_once(' ')
            .is_some_and(|(p, rest)| p == pid && rest.trim_start().starts_with("+++ "))
    };
    let text = loop {
        let text = fs::read_to_string(path).unwrap_or_default();
        if text.lines().any(is_end) {
            break text;
        }
        if Instant::now() >= deadline {
            return Err(io::Error::other(format!(
                "strace did not finish its trace in {} (its last line: {:?})",
                path.display(),
                text.lines().last().unwrap_or("")
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        // "1234 write(1</dev/null>, "recv: socket\n", 13) = 13", or the first half of a
        // call another process interrupted: "1234 accept(3<TCP:[…]>, NULL, NULL <unfinished
        // ...>", whose second half, "1234 <... accept resumed>) = 4", is not a call more.
        let Some((_pid, call)) = line.split_once(' ') else {
            continue;
        };
        let Some((name, args)) = call.trim_start().split_once('(') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue; // "<... accept resumed>", "--- SIGCHLD … ---", "+++ exited … +++"
        }
        let name = if name == "write" && args.starts_with("1<") {
            "write to stdout"
        } else {
            name
        };
        *counts.entry(name.to_string()).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The calls per round trip between two counts, `a` after `n.0` round trips and `b`
/// after `n.1`: what one more round trip costs, whatever starting and ending cost.
fn per_round_trip(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>, n: (u64, u64)) -> Calls {
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut calls = Calls::new();
    for name in names {
        let before = a.get(name).copied().unwrap_or(0) as f64;
        let after = b.get(name).copied().unwrap_or(0) as f64;
        let per = (after - before) / (n.1 - n.0) as f64;
        // What is left of a call made a few times in all, not once a round trip.
        if per.abs() >= 0.02 {
            calls.insert(name.clone(), per);
        }
    }
    calls
}

/// "recvfrom 1.00, sendto 1.00, write to stdout 1.00 (3.00 in all)".
fn show_calls(calls: &Calls) -> String {
    if calls.is_empty() {
        return "(not counted: strace is missing)".to_string();
    }
    let mut s = calls
        .iter()
        .map(|(name, n)| format!("{name} {n:.2}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(s, " ({:.2} in all)", calls.values().sum::<f64>());
    s
}

/// Whether two servers make the same calls, as many of each (to 0.05).
fn same_calls(a: &Calls, b: &Calls) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((na, ca), (nb, cb))| na == nb && (ca - cb).abs() < 0.05)
}

// ---------------------------------------------------------------------------------------
// The echo client.

/// The driver's echo client: one round trip is one request, one echo, checked.
enum Client {
    Udp(UdpSocket),
    Tcp(TcpStream),
}

impl Client {
    fn connect(transport: Transport, port: u16) -> io::Result<Client> {
        let server = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        Ok(match transport {
            Transport::Udp => {
                let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
                sock.connect(server)?;
                sock.set_read_timeout(Some(PATIENCE))?;
                Client::Udp(sock)
            }
            Transport::Tcp => {
                let stream = TcpStream::connect_timeout(&server, PATIENCE)?;
                stream.set_read_timeout(Some(PATIENCE))?;
                stream.set_write_timeout(Some(PATIENCE))?;
                stream.set_nodelay(true)?;
                Client::Tcp(stream)
            }
        })
    }

    /// One round trip. UDP: "socket\0" (7 bytes) and its echo. TCP: the 100-byte buffer
    /// that holds "socket", and the 100 bytes the server writes back, read in full.
    // ANCHOR: round_trip
    fn round_trip(&mut self) -> io::Result<()> {
        let mut request = [0u8; BUF];
        request[..WORD.len()].copy_from_slice(WORD);
        let mut reply = [0u8; BUF];
        let (sent, got) = match self {
            Client::Udp(sock) => {
                let sent = &request[..WORD.len() + 1];
                sock.send(sent)?;
                let n = sock.recv(&mut reply)?;
                (sent, &reply[..n])
            }
            Client::Tcp(stream) => {
                stream.write_all(&request)?;
                stream.read_exact(&mut reply)?;
                (&request[..], &reply[..])
            }
        };
        if sent != got {
            return Err(io::Error::other(format!(
                "the echo differs: sent {sent:?}, got {got:?}"
            )));
        }
        Ok(())
    }
    // ANCHOR_END: round_trip
}

// ---------------------------------------------------------------------------------------
// UDP and TCP echo.

const ECHO_SERVERS: [Server; 3] = [Server::C, Server::Rust, Server::Std];
/// Each server's time in a round is cut into this many slices, taken in turn.
const SLICES: u32 = 10;

/// The echo results of one transport.
struct Echo {
    transport: Transport,
    /// Per server (in [`ECHO_SERVERS`] order), one run per round.
    runs: Vec<Vec<Run>>,
    /// Per server, the system calls per round trip.
    calls: Vec<Calls>,
    options_rounds: usize,
}

impl Bench<'_> {
    fn echo(&self, transport: Transport) -> io::Result<Echo> {
        let lesson = lesson_of(transport);
        let rounds = self.options.rounds;
        let mut runs = vec![Vec::new(); ECHO_SERVERS.len()];
        for round in 0..rounds {
            let mut order: Vec<usize> = (0..ECHO_SERVERS.len()).collect();
            order.rotate_left(round % ECHO_SERVERS.len());
            let results = self.echo_round(transport, &order)?;
            let mut line = format!("bench: {lesson} round {}/{rounds}:", round + 1);
            for (i, run) in order.iter().zip(results) {
                let _ = write!(line, " {} {:.0}/s", ECHO_SERVERS[*i].name(), run.rate);
                runs[*i].push(run);
            }
            eprintln!("{line}");
        }
        let mut calls = Vec::new();
        for server in ECHO_SERVERS {
            calls.push(if self.strace {
                eprintln!(
                    "bench: {lesson}: counting the {} server's system calls",
                    server.name()
                );
                let a = self.echo_strace(transport, server, STRACE_ECHO.0)?;
                let b = self.echo_strace(transport, server, STRACE_ECHO.1)?;
                per_round_trip(&a, &b, STRACE_ECHO)
            } else {
                Calls::new()
            });
        }
        Ok(Echo {
            transport,
            runs,
            calls,
            options_rounds: rounds,
        })
    }

    /// One round: the servers of `order` (indices into [`ECHO_SERVERS`]) started, each
    /// with its client connected and warmed up, then timed in turn, [`SLICES`] slices
    /// each, so that the runs compared are interleaved to within a few tens of
    /// milliseconds; then stopped. Returns their runs, in `order`.
    fn echo_round(&self, transport: Transport, order: &[usize]) -> io::Result<Vec<Run>> {
        struct Live {
            proc: Proc,
            client: Client,
            n: u64,
            time: Duration,
            cpu_ns: u64,
        }
        let mut live = Vec::new();
        for &i in order {
            let (proc, port) =
                self.start(lesson_of(transport), ECHO_SERVERS[i], transport, None)?;
            let mut client = Client::connect(transport, port)?;
            // Warm-up: the server's first messages fault in its pages and fill its caches.
            let warm_until = Instant::now() + Duration::from_millis(100);
            while Instant::now() < warm_until {
                client.round_trip()?;
            }
            live.push(Live {
                cpu_ns: cpu_ns(proc.pid())?,
                proc,
                client,
                n: 0,
                time: Duration::ZERO,
            });
        }
        // ANCHOR: turns
        let slice = self.options.run_time() / SLICES;
        for _ in 0..SLICES {
            for l in &mut live {
                let start = Instant::now();
                let end = start + slice;
                // Bounded in count too: 100 000 round trips is 1 s at 10 µs each.
                let mut n = 0;
                while n < 100_000 && Instant::now() < end {
                    l.client.round_trip()?;
                    n += 1;
                    interrupted()?;
                }
                l.time += start.elapsed();
                l.n += n;
            }
        }
        // ANCHOR_END: turns
        let mut runs = Vec::new();
        for mut l in live {
            let cpu = cpu_ns(l.proc.pid())? - l.cpu_ns;
            // Stopped while the client is still connected: the TCP servers never see the
            // end of the stream (the notes' would spin on it until SIGPIPE).
            l.proc.terminate(GRACE)?;
            drop(l.client);
            runs.push(Run {
                rate: l.n as f64 / l.time.as_secs_f64(),
                cpu_us: Some(cpu as f64 / l.n as f64 / 1000.0),
                faults: None,
            });
        }
        Ok(runs)
    }

    /// `strace -f` counts of `server` after `n` round trips.
    fn echo_strace(
        &self,
        transport: Transport,
        server: Server,
        n: u64,
    ) -> io::Result<BTreeMap<String, u64>> {
        let out = TempFile::new("strace");
        let (mut proc, port) = self.start(lesson_of(transport), server, transport, Some(&out.0))?;
        let mut client = Client::connect(transport, port)?;
        for _ in 0..n {
            client.round_trip()?;
            interrupted()?;
        }
        proc.terminate(GRACE)?;
        drop(client);
        strace_counts(&out.0, proc.pid())
    }
}

fn lesson_of(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "udp-echo",
        Transport::Tcp => "tcp-echo",
    }
}

/// A fresh file name in the temporary directory; the file, if any, is removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(what: &str) -> TempFile {
        use std::sync::atomic::AtomicUsize;
        static N: AtomicUsize = AtomicUsize::new(0);
        TempFile(std::env::temp_dir().join(format!(
            "socklab-bench-{}-{}-{what}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// min, median, max.
fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (v[0], median, v[n - 1])
}

impl Echo {
    fn report(&self, out: &mut String) {
        let (what, request) = match self.transport {
            Transport::Udp => ("UDP echo", "a 7-byte datagram, \"socket\" and its NUL"),
            Transport::Tcp => ("TCP echo", "a 100-byte buffer holding \"socket\""),
        };
        let _ = writeln!(
            out,
            "\n{what}: round trips per second ({request}; {} rounds)",
            self.options_rounds
        );
        let _ = writeln!(
            out,
            "  server     round trips/s  server CPU      ratio to C, per round"
        );
        let _ = writeln!(
            out,
            "             (median)       per round trip  min     median  max"
        );
        let c = &self.runs[0];
        let mut rust_median = 0.0;
        for (i, server) in ECHO_SERVERS.iter().enumerate() {
            let runs = &self.runs[i];
            let median = |f: &dyn Fn(&Run) -> Option<f64>| {
                let v: Vec<f64> = runs.iter().filter_map(f).collect();
                spread(&v).1
            };
            let rate = median(&|r| Some(r.rate));
            let cpu = median(&|r| r.cpu_us);
            let ratios: Vec<f64> = runs.iter().zip(c).map(|(r, c)| r.rate / c.rate).collect();
            let (lo, mid, hi) = spread(&ratios);
            if *server == Server::Rust {
                rust_median = mid;
            }
            let ratio = if *server == Server::C {
                "(the reference)".to_string()
            } else {
                format!("{lo:.3}   {mid:.3}   {hi:.3}")
            };
            let _ = writeln!(
                out,
                "  {:<9}  {:>12.0}  {:>8.2} µs     {ratio}",
                server.name(),
                rate,
                cpu
            );
        }
        let _ = writeln!(
            out,
            "  system calls per round trip (strace -f, {} minus {} round trips):",
            STRACE_ECHO.1, STRACE_ECHO.0
        );
        for (i, server) in ECHO_SERVERS.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {:<9}  {}",
                server.name(),
                show_calls(&self.calls[i])
            );
        }
        let same = same_calls(&self.calls[0], &self.calls[1]);
        let _ = writeln!(
            out,
            "  targets: Rust/C median {rust_median:.3} >= {ECHO_TARGET}: {}; the same system \
             calls as the C: {}",
            if rust_median >= ECHO_TARGET {
                "met"
            } else {
                "missed"
            },
            if self.calls[0].is_empty() {
                "not counted"
            } else if same {
                "yes"
            } else {
                "no"
            }
        );
    }
}

// ---------------------------------------------------------------------------------------
// fork-echo.

const FORK_SERVERS: [Server; 2] = [Server::C, Server::Rust];
const FORK_LOADS: [usize; 3] = [1, 10, 100];
/// Each fork-echo server's time in a round is cut into this many slices, taken in turn.
const FORK_SLICES: u32 = 5;

/// `clients` threads, each making one connection after another to `port` until `time`
/// is up: how many connections they made, and how long that took (the last ones
/// included, which each client finishes after the time is up).
fn fork_slice(port: u16, clients: usize, time: Duration) -> io::Result<(u64, Duration)> {
    // At most this many connections a slice: each leaves a socket in TIME_WAIT for 60 s
    // on the client's side (the kernel keeps at most `tcp_max_tw_buckets` of them).
    let most: u64 = 10_000;
    let started = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<io::Error>> = Mutex::new(None);
    let barrier = Barrier::new(clients + 1);
    let elapsed = std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                barrier.wait();
                while !stop.load(Ordering::Relaxed)
                    && started.fetch_add(1, Ordering::Relaxed) < most
                {
                    match one_connection(port) {
                        Ok(()) => {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            failure.lock().unwrap().get_or_insert(e);
                        }
                    }
                }
            });
        }
        // Thread creation is not timed: the clock starts when they all may go.
        barrier.wait();
        let start = Instant::now();
        let end = start + time;
        // Wakes every 20 ms at most (it shares the CPU with the clients) to see whether
        // the time is up, a client failed, or Ctrl-C came.
        while !stop.load(Ordering::Relaxed) && Instant::now() < end {
            std::thread::sleep((end - Instant::now()).min(Duration::from_millis(20)));
            if interrupted().is_err() || started.load(Ordering::Relaxed) >= most {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        // The scope joins the clients, each finishing the connection it is in.
        start
    })
    .elapsed();
    interrupted()?;
    if let Some(e) = failure.into_inner().unwrap() {
        return Err(io::Error::other(format!(
            "fork-echo, {clients} clients: {e}"
        )));
    }
    Ok((done.into_inner(), elapsed))
}

/// One connection to the fork-echo server: connect, write 100 bytes, read them back,
/// close.
// ANCHOR: one_connection
fn one_connection(port: u16) -> io::Result<()> {
    let server = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&server, PATIENCE)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut request = [0u8; BUF];
    request[..WORD.len()].copy_from_slice(WORD);
    stream.write_all(&request)?;
    let mut reply = [0u8; BUF];
    stream.read_exact(&mut reply)?;
    if reply != request {
        return Err(io::Error::other("fork-echo: the echo differs"));
    }
    Ok(())
}
// ANCHOR_END: one_connection

impl Bench<'_> {
    fn fork_echo(&self, out: &mut String) -> io::Result<()> {
        let rounds = self.options.rounds;
        // runs[load][server]: one run per round.
        let mut runs = vec![vec![Vec::new(); FORK_SERVERS.len()]; FORK_LOADS.len()];
        for (l, &clients) in FORK_LOADS.iter().enumerate() {
            for round in 0..rounds {
                let mut order: Vec<usize> = (0..FORK_SERVERS.len()).collect();
                order.rotate_left(round % FORK_SERVERS.len());
                let results = self.fork_round(clients, &order)?;
                let mut line = format!(
                    "bench: fork-echo, {clients} clients, round {}/{rounds}:",
                    round + 1
                );
                for (i, run) in order.iter().zip(results) {
                    let _ = write!(line, " {} {:.0}/s", FORK_SERVERS[*i].name(), run.rate);
                    runs[l][*i].push(run);
                }
                eprintln!("{line}");
            }
        }
        let mut calls = Vec::new();
        for server in FORK_SERVERS {
            calls.push(if self.strace {
                eprintln!(
                    "bench: fork-echo: counting the {} server's system calls",
                    server.name()
                );
                let a = self.fork_strace(server, STRACE_FORK.0)?;
                let b = self.fork_strace(server, STRACE_FORK.1)?;
                per_round_trip(&a, &b, STRACE_FORK)
            } else {
                Calls::new()
            });
        }

        let _ = writeln!(
            out,
            "\nfork-echo: connections per second (each: connect, one 100-byte round trip, close; \
             {rounds} rounds)"
        );
        let _ = writeln!(
            out,
            "  clients  connections/s    µs per connection  page faults per     Rust/C, per round"
        );
        let _ = writeln!(
            out,
            "           (median)         (1/median)         connection (median)"
        );
        let _ = writeln!(
            out,
            "           C       Rust     C        Rust      C       Rust        min     median  max"
        );
        let mut verdicts = Vec::new();
        let mut met = true;
        for (l, clients) in FORK_LOADS.iter().enumerate() {
            let median = |i: usize, f: &dyn Fn(&Run) -> Option<f64>| {
                spread(&runs[l][i].iter().filter_map(f).collect::<Vec<_>>()).1
            };
            let (c, rust) = (median(0, &|r| Some(r.rate)), median(1, &|r| Some(r.rate)));
            let (c_faults, rust_faults) = (median(0, &|r| r.faults), median(1, &|r| r.faults));
            let ratios: Vec<f64> = runs[l][1]
                .iter()
                .zip(&runs[l][0])
                .map(|(r, c)| r.rate / c.rate)
                .collect();
            let (lo, mid, hi) = spread(&ratios);
            met &= mid >= FORK_TARGET;
            verdicts.push(format!("{mid:.3} at {clients}"));
            let _ = writeln!(
                out,
                "  {clients:>7}  {c:>6.0}  {rust:>6.0}   {:>6.1}   {:>6.1}    {c_faults:>5.1}   \
                 {rust_faults:>5.1}       {lo:.3}   {mid:.3}   {hi:.3}",
                1e6 / c,
                1e6 / rust
            );
        }
        let _ = writeln!(
            out,
            "  system calls per connection, server and children (strace -f, {} minus {} \
             connections, 1 client):",
            STRACE_FORK.1, STRACE_FORK.0
        );
        for (i, server) in FORK_SERVERS.iter().enumerate() {
            let _ = writeln!(out, "    {:<5}  {}", server.name(), show_calls(&calls[i]));
        }
        let _ = writeln!(
            out,
            "  target: Rust/C median >= {FORK_TARGET} at every load: {} ({})",
            if met { "met" } else { "missed" },
            verdicts.join(", ")
        );
        Ok(())
    }

    /// One round at `clients` clients: the servers of `order` (indices into
    /// [`FORK_SERVERS`]) started and warmed up, then timed in turn, [`FORK_SLICES`]
    /// slices each; then stopped. Returns their runs, in `order`.
    fn fork_round(&self, clients: usize, order: &[usize]) -> io::Result<Vec<Run>> {
        let mut live = Vec::new();
        for &i in order {
            let (proc, port) = self.start("fork-echo", FORK_SERVERS[i], Transport::Tcp, None)?;
            for _ in 0..20 {
                one_connection(port)?;
            }
            let faults = page_faults(proc.pid())?;
            live.push((proc, port, 0u64, Duration::ZERO, faults));
        }
        // Half an echo run: every connection leaves a socket in TIME_WAIT for a minute.
        let slice = self.options.run_time() / 2 / FORK_SLICES;
        for _ in 0..FORK_SLICES {
            for (_, port, n, time, _) in &mut live {
                let (done, elapsed) = fork_slice(*port, clients, slice)?;
                *n += done;
                *time += elapsed;
            }
        }
        let mut runs = Vec::new();
        for (mut proc, _, n, time, faults) in live {
            let faults = page_faults(proc.pid())? - faults;
            proc.terminate(GRACE)?;
            runs.push(Run {
                rate: n as f64 / time.as_secs_f64(),
                cpu_us: None,
                faults: Some(faults as f64 / n as f64),
            });
        }
        Ok(runs)
    }

    /// `strace -f` counts of the fork-echo `server` and its children after `n`
    /// connections, one at a time.
    fn fork_strace(&self, server: Server, n: u64) -> io::Result<BTreeMap<String, u64>> {
        let out = TempFile::new("strace");
        let (mut proc, port) = self.start("fork-echo", server, Transport::Tcp, Some(&out.0))?;
        for _ in 0..n {
            one_connection(port)?;
            interrupted()?;
        }
        // Lets the last child finish (close, exit, be reaped) before the server is
        // stopped, so that every connection is counted whole.
        let children = format!("/proc/{0}/task/{0}/children", proc.pid());
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline
            && !fs::read_to_string(&children)
                .unwrap_or_default()
                .trim()
                .is_empty()
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        proc.terminate(GRACE)?;
        strace_counts(&out.0, proc.pid())
    }
}

// ---------------------------------------------------------------------------------------
// The addresses: criterion's estimates.

/// The criterion benchmarks of `benches/addresses.rs`: (C call, the functions).
const ADDRESS_BENCHES: [(&str, &[&str]); 3] = [
    ("htons", &["socklab", "glibc"]),
    ("inet_addr", &["socklab", "glibc"]),
    ("inet_ntoa", &["socklab", "glibc", "glibc-copied"]),
];

/// The median time per call that criterion estimated, in ns, and when it was measured.
fn criterion_median(dir: &Path) -> Option<(f64, SystemTime)> {
    let path = dir.join("new/estimates.json");
    let text = fs::read_to_string(&path).ok()?;
    let modified = fs::metadata(&path).ok()?.modified().ok()?;
    // {"mean":{…},"median":{"confidence_interval":{…},"point_estimate":12.3,…},…}:
    // criterion's own format; a JSON parser for one number would be a dependency more.
    let median = &text[text.find("\"median\":")?..];
    let value = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = value.find([',', '}'])?;
    Some((value[..end].trim().parse().ok()?, modified))
}

/// The rounds of one function (`target/criterion/<call>/<function>/<round>/`): the median
/// of each, in ns, by round. Rounds measured more than ten minutes before the last are
/// left out: they are what an earlier run with more rounds left behind.
fn criterion_rounds(dir: &Path) -> BTreeMap<u32, f64> {
    let found: Vec<(u32, f64, SystemTime)> = (1..=100)
        .filter_map(|round| {
            let (ns, when) = criterion_median(&dir.join(round.to_string()))?;
            Some((round, ns, when))
        })
        .collect();
    let Some(last) = found.iter().map(|f| f.2).max() else {
        return BTreeMap::new();
    };
    found
        .into_iter()
        .filter(|(_, _, when)| {
            last.duration_since(*when)
                .is_ok_and(|d| d < Duration::from_secs(600))
        })
        .map(|(round, ns, _)| (round, ns))
        .collect()
}

fn addresses(out: &mut String, target_dir: &Path) {
    let dir = target_dir.join("criterion");
    let _ = writeln!(
        out,
        "\naddresses: CPU time per call, criterion's median (`cargo bench --bench addresses`)"
    );
    let _ = writeln!(
        out,
        "  C call     socklab     glibc       glibc/socklab, per round (> 1: socklab faster)"
    );
    let _ = writeln!(
        out,
        "             (median)    (median)    min     median  max     rounds"
    );
    for (call, functions) in ADDRESS_BENCHES {
        let rounds: Vec<BTreeMap<u32, f64>> = functions
            .iter()
            .map(|f| criterion_rounds(&dir.join(call).join(f)))
            .collect();
        if rounds[0].is_empty() || rounds[1].is_empty() {
            let _ = writeln!(
                out,
                "  {call:<9}  (no estimates in {}: run `cargo bench --bench addresses` first)",
                relative(&dir)
            );
            continue;
        }
        // Each function against socklab's of the same round.
        let line = |theirs: &BTreeMap<u32, f64>| {
            let ratios: Vec<f64> = theirs
                .iter()
                .filter_map(|(round, t)| Some(t / rounds[0].get(round)?))
                .collect();
            let times: Vec<f64> = theirs.values().copied().collect();
            let (lo, mid, hi) = spread(&ratios);
            (
                spread(&times).1,
                format!("{lo:<6.2}  {mid:<6.2}  {hi:<6.2}  {}", ratios.len()),
            )
        };
        let ours = spread(&rounds[0].values().copied().collect::<Vec<_>>()).1;
        let (theirs, ratios) = line(&rounds[1]);
        let _ = writeln!(
            out,
            "  {call:<9}  {ours:>7.2} ns  {theirs:>7.2} ns  {ratios}"
        );
        if let Some(copied) = rounds.get(2).filter(|r| !r.is_empty()) {
            let (copied, ratios) = line(copied);
            let _ = writeln!(
                out,
                "  {:<9}  {:>10}  {copied:>7.2} ns  {ratios}  (glibc's, copied into a String)",
                "", ""
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The std::net servers.

/// The echo servers as a Rust programmer would write them with `std::net`, for the
/// comparison: same protocol, same output as the twins, and none of the C's errata that
/// would change the figures (the TCP one stops at the end of the stream instead of
/// spinning). `bench --std-server udp-echo PORT` or `tcp-echo PORT`.
mod std_server {
    use super::*;

    pub fn main(args: &[String]) -> io::Result<()> {
        let (Some(lesson), Some(port)) = (args.first(), args.get(1)) else {
            return Err(io::Error::other(
                "usage: --std-server udp-echo|tcp-echo PORT",
            ));
        };
        let port: u16 = port.parse().map_err(io::Error::other)?;
        match lesson.as_str() {
            "udp-echo" => udp(port),
            "tcp-echo" => tcp(port),
            _ => Err(io::Error::other(format!("no std::net server for {lesson}"))),
        }
    }

    /// The bytes before the first NUL: what the twins' `printf("%s")` prints.
    fn word(buf: &[u8]) -> std::borrow::Cow<'_, str> {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end])
    }

    /// Every datagram printed and sent back, as `udp-echo-server` does.
    // ANCHOR: std_udp
    fn udp(port: u16) -> io::Result<()> {
        let sock = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port))?;
        let mut buf = [0u8; BUF];
        loop {
            let (n, from) = sock.recv_from(&mut buf)?;
            println!("recv: {}", word(&buf[..n]));
            sock.send_to(&buf[..n], from)?;
        }
    }
    // ANCHOR_END: std_udp

    /// One client; each read printed, and the 100-byte buffer written back, as
    /// `tcp-echo-server` does.
    // ANCHOR: std_tcp
    fn tcp(port: u16) -> io::Result<()> {
        let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, port))?;
        let (mut stream, _) = listener.accept()?;
        let mut buf = [0u8; BUF];
        loop {
            if stream.read(&mut buf)? == 0 {
                return Ok(());
            }
            println!("read: {}", word(&buf));
            stream.write_all(&buf)?;
            buf.fill(0);
        }
    }
    // ANCHOR_END: std_tcp
}
