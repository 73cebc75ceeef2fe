//! The `fork-echo` lesson: a server that forks one child per client, with and without a
//! `SIGCHLD` handler, in C and in Rust.
//!
//! - Many clients at once, against the C and the Rust servers: 200, 50 at a time, each
//!   a `TcpStream` in a thread of this test that sends its own bytes (between 9 and 460
//!   of them, NULs included), ends its side, and must read back exactly those bytes and
//!   then the end of the stream. With the handler: no child left, no zombie, and the
//!   server's descriptors as many after as before. Without: one zombie per client. C and
//!   Rust agree on every count.
//! - The system calls, under `strace`, of the C and the Rust server for three clients
//!   one after the other: the parent's, and each child's, the same.
//! - What each line of `server.c` is there for, shown by compiling it without that line
//!   (as `tests/transcripts.rs` compiles the notes' client with `%99s`): `SA_RESTART`, the
//!   `EINTR` check, the parent's `close(newconfd)`, the child's `close(listenfd)`. These
//!   variants are C only: the C is the oracle, and the Rust twin makes the same calls.
//! - One `SIGCHLD` for many children: the parent stopped while 20 children end, then
//!   continued. The handler's loop reaps all 20; an `if` in its place, one.
//! - `server-noreap.c` (and its twin) is `server.c` without the handler, and nothing else.
//! - The lesson as `cargo lesson fork-echo` runs it, in C and in Rust: the same counts.
//!
//! The tests start the servers as programs; nothing here calls `fork` (the harness is
//! multi-threaded: see `socklab::process::fork`). Every server is a `Proc`, whose process
//! group (the server and its children) is killed when it is dropped.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use socklab::lab::build::{compile_c, source_root, Builds, CFlavor};
use socklab::lab::fork_echo::{
    self, children, fd_count, inherited_sockets, snapshot, sockets_held, wait_tree, Served,
    Snapshot, Tree,
};
use socklab::lab::kernel::{self, Transport};
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::process::{describe, Proc};
use socklab::lab::run::{self, Input, Lang, Program, Quiet};
use socklab::lab::trace::{self, Normaliser, Record};

/// How long the server's children may take to settle (to be all there, or all gone).
const SETTLE: Duration = Duration::from_secs(5);
/// A client's connect, read and write limit.
const IO_LIMIT: Duration = Duration::from_secs(5);

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

fn lesson() -> &'static Lesson {
    lessons::find("fork-echo").unwrap()
}

/// `fork-echo/<name>` ("server" or "server-noreap") in `lang`.
fn server_program(name: &str, lang: Lang) -> Program {
    run::program(&builds(), lesson(), name, lang, CFlavor::Plain)
        .unwrap_or_else(|e| panic!("fork-echo {name} ({lang}): {e}"))
        .0
}

/// A scratch folder under cargo's temporary folder for tests.
fn scratch(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(sub);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A server started on a free port, listening.
struct Server {
    proc: Proc,
    pid: u32,
    port: u16,
    /// The sockets it inherited rather than opened (none from this test, which gives it
    /// a file and /dev/null; maybe some from whoever started the test): not counted as
    /// its own, nor as its children's ([`sockets_held`]).
    inherited: HashSet<u64>,
    stderr: PathBuf,
    what: String,
}

impl Server {
    /// Starts `program` on a free port and waits until the kernel shows it listening.
    fn start(program: &Program) -> Server {
        let what = format!("{} ({})", program.path.display(), program.lang);
        let port = kernel::free_port(Transport::Tcp).unwrap();
        let stderr = scratch("fork-echo-stderr").join(format!(
            "{}-{port}-{}.txt",
            program.path.file_name().unwrap().to_string_lossy(),
            std::process::id()
        ));
        let mut cmd = program.command(&[port.to_string()]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr).unwrap());
        let mut proc = Proc::spawn(&mut cmd, true).unwrap_or_else(|e| panic!("{what}: {e}"));
        let pid = proc.pid();
        let deadline = Instant::now() + Duration::from_secs(10);
        let listening = loop {
            if let Some(entry) = kernel::bound_socket(pid, Transport::Tcp, port)
                .ok()
                .flatten()
            {
                break entry;
            }
            if let Some(status) = proc.try_status().unwrap() {
                panic!(
                    "{what} {} before listening: {}",
                    describe(status),
                    fs::read_to_string(&stderr).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "{what} never listened");
            thread::sleep(Duration::from_millis(1));
        };
        Server {
            proc,
            pid,
            port,
            inherited: inherited_sockets(pid, &listening).unwrap(),
            stderr,
            what,
        }
    }

    /// Whether it is still running (not ended, not a zombie waiting for us).
    fn proc_running(&self) -> bool {
        fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .is_ok_and(|s| !s.contains(") Z ") && !s.contains(") X "))
    }

    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until its children are as `done` wants; panics if they are not in time.
    fn settle(&self, why: &str, done: impl Fn(&Tree) -> bool) -> Tree {
        let (tree, ok) = wait_tree(self.pid, SETTLE, done).unwrap();
        assert!(
            ok,
            "{}: {why}: not settled after {SETTLE:?}: {tree:?}",
            self.what
        );
        tree
    }

    /// Ends it (`SIGTERM` to its group, so its children too) and returns how it ended.
    fn stop(mut self) -> ExitStatus {
        self.proc.terminate(Duration::from_secs(2)).unwrap()
    }
}

/// The bytes client `i` sends: `client i:` (what it sends first, and reads back before
/// the batch's pause), then 0 to 449 more, NULs and bytes above 0x7f included. Most are
/// longer than the server's 100-byte buffer, so the child reads and writes them in
/// several pieces.
fn payload(i: usize) -> Vec<u8> {
    let mut p = format!("client {i}:").into_bytes();
    let more = (i * 37) % 450;
    p.extend((0..more).map(|k| ((i * 13 + k * 7) % 256) as u8));
    p
}

fn tag_len(i: usize) -> usize {
    format!("client {i}:").len()
}

/// One client: connects, sends its tag and reads it back; waits at the barrier twice
/// (the batch is connected; the test has looked at the server); sends the rest, ends
/// its side (`shutdown(SHUT_WR)`), and reads to the end of the stream. `Ok` if what came
/// back is exactly what it sent.
fn client(port: u16, i: usize, barrier: &Barrier) -> Result<(), String> {
    let sent = payload(i);
    let tag = tag_len(i);
    let first = (|| -> io::Result<TcpStream> {
        let mut s = TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), IO_LIMIT)?;
        s.set_read_timeout(Some(IO_LIMIT))?;
        s.set_write_timeout(Some(IO_LIMIT))?;
        s.write_all(&sent[..tag])?;
        let mut back = vec![0; tag];
        s.read_exact(&mut back)?;
        if back != sent[..tag] {
            return Err(io::Error::other(format!("the tag came back as {back:?}")));
        }
        Ok(s)
    })();
    barrier.wait();
    barrier.wait();
    let mut s = first.map_err(|e| format!("client {i}, before the pause: {e}"))?;
    let rest = (|| -> io::Result<Vec<u8>> {
        s.write_all(&sent[tag..])?;
        s.shutdown(Shutdown::Write)?;
        let mut got = sent[..tag].to_vec();
        s.read_to_end(&mut got)?;
        Ok(got)
    })();
    match rest {
        Ok(got) if got == sent => Ok(()),
        Ok(got) => Err(format!(
            "client {i}: sent {} bytes, got back {}: {:?}",
            sent.len(),
            got.len(),
            String::from_utf8_lossy(&got)
        )),
        Err(e) => Err(format!("client {i}, after the pause: {e}")),
    }
}

/// What a run of many clients against one server showed.
#[derive(Debug)]
struct Hammered {
    echoed: usize,
    failures: Vec<String>,
    /// Per batch, the server while the batch was connected.
    during: Vec<Snapshot>,
    /// Once the last batch's children had settled.
    after: Tree,
    fds_before: usize,
    fds_after: usize,
    elapsed: Duration,
}

/// `clients` clients, `at_once` at a time, against `server`; `reaps`: whether it should
/// reap (what the children settle to: none, or all zombies).
fn hammer(server: &Server, clients: usize, at_once: usize, reaps: bool) -> Hammered {
    let fds_before = fd_count(server.pid).unwrap();
    let mut echoed = 0;
    let mut failures = Vec::new();
    let mut during = Vec::new();
    let mut after = Tree::default();
    let mut zombies = 0;
    let started = Instant::now();
    for first in (0..clients).step_by(at_once) {
        let batch = first..(first + at_once).min(clients);
        let n = batch.len();
        let barrier = Arc::new(Barrier::new(n + 1));
        let threads: Vec<_> = batch
            .map(|i| {
                let barrier = Arc::clone(&barrier);
                let port = server.port;
                thread::spawn(move || client(port, i, &barrier))
            })
            .collect();
        barrier.wait();
        // Every client is connected and has had an echo: one child each, waiting in read.
        server.settle("one child per connected client", |t| {
            t.alive == n && t.sleeping == n && t.zombies == zombies
        });
        during.push(snapshot(server.pid, &server.inherited).unwrap());
        barrier.wait();
        for t in threads {
            match t.join().expect("a client thread panicked") {
                Ok(()) => echoed += 1,
                Err(e) => failures.push(e),
            }
        }
        after = server.settle("the batch's children ended", |t| {
            t.alive == 0 && (!reaps || t.zombies == 0)
        });
        zombies = after.zombies;
    }
    Hammered {
        echoed,
        failures,
        during,
        after,
        fds_before,
        fds_after: fd_count(server.pid).unwrap(),
        elapsed: started.elapsed(),
    }
}

/// 200 clients, 50 at a time, against `fork-echo/<name>` in `lang`.
fn hammer_200(name: &str, lang: Lang, reaps: bool) -> Hammered {
    let server = Server::start(&server_program(name, lang));
    let h = hammer(&server, 200, 50, reaps);
    assert_eq!(server.stderr(), "", "{}: nothing on stderr", server.what);
    assert!(
        server.proc_running(),
        "{} is still serving after 200 clients",
        server.what
    );
    eprintln!(
        "{name} ({lang}): 200 clients, 50 at a time, in {:?} ({:.0} clients/s); after: \
         {:?}; descriptors {} before, {} after",
        h.elapsed,
        200.0 / h.elapsed.as_secs_f64(),
        h.after,
        h.fds_before,
        h.fds_after
    );
    server.stop();
    h
}

/// The counts a run of `hammer` gives, which C and Rust must share.
fn counts(h: &Hammered) -> Vec<String> {
    let mut v = vec![
        format!("echoed {}", h.echoed),
        format!("failures {:?}", h.failures),
        format!("after {:?}", h.after),
        format!(
            "descriptors after minus before {}",
            h.fds_after as isize - h.fds_before as isize
        ),
    ];
    for (b, s) in h.during.iter().enumerate() {
        v.push(format!(
            "batch {b}: {:?}, parent's sockets {}, parent's descriptors minus before {}, \
             children's sockets {:?}",
            s.tree,
            s.sockets,
            s.fds as isize - h.fds_before as isize,
            s.child_sockets
        ));
    }
    v
}

#[test]
fn c_and_rust_reaping_servers_echo_200_clients_and_leave_no_zombie() {
    let c = hammer_200("server", Lang::C, true);
    let rust = hammer_200("server", Lang::Rust, true);
    for (lang, h) in [("C", &c), ("Rust", &rust)] {
        assert_eq!(h.failures, Vec::<String>::new(), "{lang}");
        assert_eq!(
            h.echoed, 200,
            "{lang}: every client got exactly its bytes back"
        );
        assert_eq!(h.after, Tree::default(), "{lang}: no child left, no zombie");
        assert_eq!(h.fds_after, h.fds_before, "{lang}: descriptors stable");
        assert_eq!(h.during.len(), 4);
        for s in &h.during {
            assert_eq!(s.tree.alive, 50, "{lang}: 50 children at once");
            assert_eq!(s.tree.zombies, 0, "{lang}");
            assert_eq!(s.sockets, 1, "{lang}: the parent holds listenfd only");
            assert_eq!(
                s.fds, h.fds_before,
                "{lang}: the parent closed every newconfd"
            );
            assert_eq!(
                s.child_sockets,
                vec![1; 50],
                "{lang}: each child, its newconfd"
            );
        }
    }
    assert_eq!(counts(&c), counts(&rust));
}

#[test]
fn c_and_rust_servers_without_the_handler_leave_one_zombie_per_client() {
    let c = hammer_200("server-noreap", Lang::C, false);
    let rust = hammer_200("server-noreap", Lang::Rust, false);
    for (lang, h) in [("C", &c), ("Rust", &rust)] {
        assert_eq!(h.failures, Vec::<String>::new(), "{lang}");
        assert_eq!(h.echoed, 200, "{lang}");
        // Once every child has ended: one zombie each, for as long as the parent lives.
        assert_eq!(
            h.after,
            Tree {
                alive: 0,
                sleeping: 0,
                zombies: 200
            },
            "{lang}"
        );
        assert_eq!(
            h.fds_after, h.fds_before,
            "{lang}: zombies hold no descriptors"
        );
        for (b, s) in h.during.iter().enumerate() {
            assert_eq!(s.tree.alive, 50, "{lang}");
            assert_eq!(
                s.tree.zombies,
                50 * b,
                "{lang}: the batches before, all zombies"
            );
        }
    }
    assert_eq!(counts(&c), counts(&rust));
}

// ---------------------------------------------------------------------------------------
// System calls.

/// Whether `strace` can run here (as `tests/syscalls.rs` decides: under CI it must).
fn have_strace() -> bool {
    let works = std::process::Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is not installed, and CI is set: CI must install it"
        );
        eprintln!("note: strace cannot run here; skipping the system-call comparison");
    }
    works
}

/// The calls of one traced run, normalised: the parent's, and each child's.
#[derive(Debug, PartialEq, Eq)]
struct Calls {
    parent: Vec<String>,
    children: Vec<Vec<String>>,
}

/// The bytes the traced run's client `i` sends.
fn traced_payload(i: usize) -> Vec<u8> {
    format!("hello from client {i}").into_bytes()
}

/// `fork-echo/server` in `lang` under `strace -f`, three clients one after the other
/// (each child reaped before the next client comes), then `SIGTERM`.
fn traced(lang: Lang) -> Calls {
    let mut program = server_program("server", lang);
    let path = scratch("fork-echo-traces").join(format!(
        "server-{lang}-{}-{:?}.trace",
        std::process::id(),
        thread::current().id()
    ));
    let _ = fs::remove_file(&path);
    program.trace = Some(path.clone());
    let server = Server::start(&program);
    let port = server.port;
    for i in 1..=3 {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        s.set_read_timeout(Some(IO_LIMIT)).unwrap();
        s.write_all(&traced_payload(i)).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        assert_eq!(got, traced_payload(i), "{lang}: client {i}'s echo");
        server.settle("the child reaped", |t| t.alive == 0 && t.zombies == 0);
    }
    server.stop();
    let records = trace::wait_for_trace(&path, Duration::from_secs(10)).unwrap();
    per_process(&records, port)
}

/// Splits a forking server's trace by process and normalises each. A child inherits its
/// parent's descriptors, so a child's normaliser is first shown the parent's calls up
/// to the `accept` that gave the child its connection (the `k`th accept for the `k`th
/// child: the clients came one after the other).
fn per_process(records: &[Record], port: u16) -> Calls {
    let mut pids: Vec<u32> = Vec::new();
    for pid in records.iter().filter_map(Record::pid) {
        if !pids.contains(&pid) {
            pids.push(pid);
        }
    }
    let of = |pid: u32| -> Vec<Record> {
        records
            .iter()
            .filter(|r| r.pid() == Some(pid))
            .cloned()
            .collect()
    };
    let parent = of(pids[0]);
    let mut children = Vec::new();
    for (k, &child) in pids[1..].iter().enumerate() {
        let mut accepts = 0;
        let mut seen: Vec<Record> = Vec::new();
        for r in &parent {
            seen.push(r.clone());
            if let Record::Call(call) = r {
                if call.name == "accept" && call.returned().is_some_and(|fd| fd >= 0) {
                    accepts += 1;
                    if accepts == k + 1 {
                        break;
                    }
                }
            }
        }
        seen.extend(of(child));
        let lines = Normaliser::new(Some(port))
            .all(&seen)
            .into_iter()
            .filter_map(|l| l.strip_prefix("[proc 2] ").map(str::to_owned))
            .collect();
        children.push(lines);
    }
    Calls {
        parent: Normaliser::new(Some(port)).all(&parent),
        children,
    }
}

#[test]
fn c_and_rust_servers_make_the_same_calls_per_client() {
    if !have_strace() {
        return;
    }
    let c = traced(Lang::C);
    let rust = traced(Lang::Rust);
    assert_eq!(c, rust);

    // What the C shows (the oracle): the parent closes each connection after fork and
    // goes back to accept; SIGCHLD comes once per child (they ended one at a time).
    let not_signals: Vec<&str> = c
        .parent
        .iter()
        .map(String::as_str)
        .filter(|l| !l.starts_with("--- SIGCHLD"))
        .collect();
    assert_eq!(
        not_signals,
        [
            "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
            r#"bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}, 16) = 0"#,
            "listen(3, 128) = 0",
            "accept(3, NULL, NULL) = 4",
            "close(4) = 0",
            "accept(3, NULL, NULL) = 4",
            "close(4) = 0",
            "accept(3, NULL, NULL) = 4",
            "close(4) = 0",
            "--- SIGTERM ---",
            "+++ killed by SIGTERM +++",
        ]
    );
    assert_eq!(
        c.parent.iter().filter(|l| *l == "--- SIGCHLD ---").count(),
        3
    );
    // Each child: closes listenfd, echoes what it read (n bytes, not 100), reads the
    // end of the stream, closes its connection, exits 0.
    assert_eq!(c.children.len(), 3);
    for (k, lines) in c.children.iter().enumerate() {
        let p = String::from_utf8(traced_payload(k + 1)).unwrap();
        let n = p.len();
        assert_eq!(
            lines,
            &[
                "close(3) = 0".to_string(),
                format!("read(4, \"{p}\", 100) = {n}"),
                format!("write(4, \"{p}\", {n}) = {n}"),
                "read(4, \"\", 100) = 0".to_string(),
                "close(4) = 0".to_string(),
                "+++ exited with 0 +++".to_string(),
            ],
            "child {}",
            k + 1
        );
    }
}

// ---------------------------------------------------------------------------------------
// Each line for a reason: server.c compiled without it.

/// `fork-echo/server.c` with each `(from, to)` replacement made (each must match
/// exactly once), compiled as `name`.
fn variant(name: &str, edits: &[(&str, &str)]) -> Program {
    let path = source_root().join("c-reference/fork-echo/server.c");
    let mut source = fs::read_to_string(&path).unwrap();
    for (from, to) in edits {
        assert_eq!(source.matches(from).count(), 1, "{name}: {from:?} once");
        source = source.replace(from, to);
    }
    let dir = scratch("fork-echo-variants");
    let src = dir.join(format!("{name}-{}.c", std::process::id()));
    fs::write(&src, source).unwrap();
    let out = dir.join(name);
    let include = source_root().join("c-reference");
    compile_c(&src, &out, &[&include], CFlavor::Plain).unwrap_or_else(|e| panic!("{name}: {e}"));
    Program::new(out, Lang::C)
}

const SA_RESTART: (&str, &str) = ("act.sa_flags = SA_RESTART;", "act.sa_flags = 0;");
const CONTINUE: (&str, &str) = (
    "            if(errno == EINTR) //被信号打断: 再等\n                continue;\n",
    "",
);
const PARENT_CLOSE: (&str, &str) = (
    "//父进程: 连接交给子进程, 自己回去accept\n        close(newconfd);\n",
    "//父进程: 连接交给子进程, 自己回去accept\n",
);
const CHILD_CLOSE: (&str, &str) = (
    "//子进程: 只服务这个客户端, 不需要监听套接字\n            close(listenfd);\n",
    "//子进程: 只服务这个客户端, 不需要监听套接字\n",
);

/// Client `i` of a sequential run: sends, ends its side, reads to the end.
fn one_echo(port: u16, i: usize) -> Vec<u8> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    s.set_read_timeout(Some(IO_LIMIT)).unwrap();
    s.write_all(&payload(i)).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    got
}

/// Three clients one after the other, each child reaped before the next comes, so that
/// each SIGCHLD arrives while the parent waits in accept. Whether the server survived.
fn three_in_turn(server: &Server) -> bool {
    for i in 1..=3 {
        assert_eq!(one_echo(server.port, i), payload(i), "{}", server.what);
        let (tree, _) = wait_tree(server.pid, SETTLE, |t| t.alive == 0 && t.zombies == 0).unwrap();
        assert_eq!(tree, Tree::default(), "{}: reaped", server.what);
        if !server.proc_running() {
            return false;
        }
    }
    true
}

#[test]
fn eintr_sa_restart_and_the_continue() {
    // SIGCHLD interrupts accept. With SA_RESTART the kernel restarts accept; without
    // it, accept fails with EINTR and the `continue` goes round again. With neither,
    // the server dies of its first child's end.
    let real = server_program("server", Lang::C);
    let no_restart = variant("no-sa-restart", &[SA_RESTART]);
    let no_continue = variant("no-eintr-continue", &[CONTINUE]);
    let neither = variant("no-sa-restart-no-continue", &[SA_RESTART, CONTINUE]);
    for (what, program) in [
        ("SA_RESTART and continue", &real),
        ("continue only", &no_restart),
        ("SA_RESTART only", &no_continue),
    ] {
        let server = Server::start(program);
        assert!(
            three_in_turn(&server),
            "{what}: the server died: {}",
            server.stderr()
        );
        assert_eq!(server.stderr(), "", "{what}");
        server.stop();
    }

    let mut server = Server::start(&neither);
    assert_eq!(one_echo(server.port, 1), payload(1));
    let status = server
        .proc
        .wait_timeout(SETTLE)
        .unwrap()
        .expect("without SA_RESTART or the continue, the first SIGCHLD ends the server");
    assert_eq!(describe(status), "exited with status 255");
    assert_eq!(server.stderr(), "accept: Interrupted system call\n");
}

const WHILE: (&str, &str) = (
    "while(waitpid(-1, NULL, WNOHANG) > 0)",
    "if(waitpid(-1, NULL, WNOHANG) > 0)",
);

/// The state letter of process `pid` (`S`, `T`, `Z`), from `/proc/<pid>/stat`.
fn state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig).unwrap();
}

/// `n` clients connect and have an echo; the parent is stopped (`SIGSTOP`, to it
/// alone); the clients leave and their children all end, while no handler can run;
/// then the parent is continued. It has one `SIGCHLD` pending for the `n` children:
/// signals of one kind do not queue. Returns the zombies left once it has handled it.
fn zombies_after_one_sigchld_for(server: &Server, n: usize) -> usize {
    let streams: Vec<TcpStream> = (1..=n)
        .map(|i| {
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port)).unwrap();
            s.set_read_timeout(Some(IO_LIMIT)).unwrap();
            s.write_all(&payload(i)[..tag_len(i)]).unwrap();
            s.read_exact(&mut vec![0; tag_len(i)]).unwrap();
            s
        })
        .collect();
    server.settle("every client's child", |t| t.alive == n);
    signal(server.pid, nix::sys::signal::Signal::SIGSTOP);
    let deadline = Instant::now() + SETTLE;
    while state(server.pid) != Some('T') {
        assert!(Instant::now() < deadline, "{}: not stopped", server.what);
        thread::sleep(Duration::from_millis(1));
    }
    drop(streams);
    server.settle("all children ended, none reaped", |t| {
        t.alive == 0 && t.zombies == n
    });
    signal(server.pid, nix::sys::signal::Signal::SIGCONT);
    // The handler runs once: it reaps one child, or all.
    let (_, handled) = wait_tree(server.pid, SETTLE, |t| t.zombies < n).unwrap();
    assert!(handled, "{}: the handler never ran", server.what);
    thread::sleep(Duration::from_millis(100)); // room for a second run, if there were one
    children(server.pid).unwrap().len()
}

#[test]
fn one_sigchld_may_stand_for_many_children_hence_the_loop() {
    for program in [
        server_program("server", Lang::C),
        server_program("server", Lang::Rust),
    ] {
        let server = Server::start(&program);
        assert_eq!(
            zombies_after_one_sigchld_for(&server, 20),
            0,
            "{}",
            server.what
        );
        server.stop();
    }
    // sig_chld with `if` for `while`: one child reaped per signal, and one signal came.
    let server = Server::start(&variant("sig-chld-if", &[WHILE]));
    assert_eq!(zombies_after_one_sigchld_for(&server, 20), 19);
    server.stop();
}

#[test]
fn a_parent_that_keeps_newconfd_leaks_it_and_its_client_never_sees_the_end() {
    for (keeps, program) in [
        (false, server_program("server", Lang::C)),
        (true, variant("parent-keeps-newconfd", &[PARENT_CLOSE])),
    ] {
        let server = Server::start(&program);
        let fds_before = fd_count(server.pid).unwrap();
        let mut streams = Vec::new();
        for i in 1..=3 {
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port)).unwrap();
            s.write_all(&payload(i)).unwrap();
            s.shutdown(Shutdown::Write).unwrap();
            let mut back = vec![0; payload(i).len()];
            s.set_read_timeout(Some(IO_LIMIT)).unwrap();
            s.read_exact(&mut back).unwrap();
            assert_eq!(back, payload(i), "the echo comes back either way");
            // The child has closed its copy and exited; is the connection closed?
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let end = s.read(&mut [0; 1]);
            if keeps {
                let e = end.expect_err("no end of stream while the parent holds newconfd");
                assert!(
                    matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ),
                    "{e}"
                );
            } else {
                assert_eq!(end.unwrap(), 0, "the end of the stream");
            }
            streams.push(s);
        }
        server.settle("children reaped", |t| t.alive == 0 && t.zombies == 0);
        let leaked = if keeps { 3 } else { 0 };
        assert_eq!(fd_count(server.pid).unwrap(), fds_before + leaked);
        assert_eq!(
            sockets_held(server.pid, &server.inherited).unwrap(),
            1 + leaked
        );
        server.stop();
        // The parent's end closes its copies: now the clients see the end.
        for mut s in streams {
            s.set_read_timeout(Some(IO_LIMIT)).unwrap();
            assert_eq!(s.read(&mut [0; 1]).unwrap(), 0);
        }
    }
}

#[test]
fn a_child_that_keeps_listenfd_keeps_the_port_listening_after_the_parent_dies() {
    for (keeps, program) in [
        (false, server_program("server", Lang::C)),
        (true, variant("child-keeps-listenfd", &[CHILD_CLOSE])),
    ] {
        let mut server = Server::start(&program);
        let port = server.port;
        // A client stays connected: its child lives.
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        s.set_read_timeout(Some(IO_LIMIT)).unwrap();
        s.write_all(b"hi").unwrap();
        let mut back = [0; 2];
        s.read_exact(&mut back).unwrap();
        server.settle("one child", |t| t.alive == 1);
        let child = children(server.pid).unwrap()[0].0;
        assert_eq!(
            sockets_held(child, &server.inherited).unwrap(),
            if keeps { 2 } else { 1 }
        );

        // The parent alone dies (SIGKILL to it, not its group).
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(server.pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        server
            .proc
            .wait_timeout(SETTLE)
            .unwrap()
            .expect("the parent ended");
        let listening = kernel::bound_socket(child, Transport::Tcp, port).unwrap();
        let newcomer = TcpStream::connect((Ipv4Addr::LOCALHOST, port));
        if keeps {
            // The orphan child still listens: a new client connects, and will wait for
            // an accept that no process will ever call.
            assert!(listening.is_some(), "the child holds a LISTEN socket");
            assert!(newcomer.is_ok(), "connected to a dead server: {newcomer:?}");
        } else {
            assert_eq!(listening, None);
            assert_eq!(
                newcomer.map_err(|e| e.kind()).err(),
                Some(io::ErrorKind::ConnectionRefused)
            );
        }
        drop(server); // kills the group: the orphan child too
    }
}

// ---------------------------------------------------------------------------------------
// The variant without the handler is the server without the handler.

/// `text` without the lines from `ANCHOR: name` to `ANCHOR_END: name` (the markers
/// included) and the blank line after them, if any.
fn without_region(text: &str, name: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    let mut skip_blank = false;
    for line in text.lines() {
        if line.trim_end().ends_with(&format!("ANCHOR: {name} */"))
            || line.trim_end().ends_with(&format!("ANCHOR: {name}"))
        {
            inside = true;
            continue;
        }
        if inside {
            if line.contains(&format!("ANCHOR_END: {name}")) {
                inside = false;
                skip_blank = true;
            }
            continue;
        }
        if skip_blank && line.trim().is_empty() {
            skip_blank = false;
            continue;
        }
        skip_blank = false;
        out.push(line);
    }
    assert!(!inside, "region {name} does not end");
    out.join("\n")
}

#[test]
fn the_noreap_server_is_the_server_without_its_handler() {
    let read = |p: &str| fs::read_to_string(source_root().join(p)).unwrap();
    // C: the header comment (`about`), the handler, its sigaction, and signal.h.
    let c = without_region(
        &without_region(
            &without_region(&read("c-reference/fork-echo/server.c"), "about"),
            "sig_chld",
        ),
        "sigaction",
    )
    .replace(
        "#include <signal.h> /* sigaction: apue.h holds what the notes' programs need */\n",
        "",
    );
    let c_noreap = without_region(&read("c-reference/fork-echo/server-noreap.c"), "about");
    assert_eq!(c, c_noreap);
    // Rust: the `//!` header, the handler, its sigaction.
    let strip_header = |s: &str| -> String {
        s.lines()
            .skip_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rust = without_region(
        &without_region(
            &strip_header(&read("src/bin/fork-echo-server.rs")),
            "sig_chld",
        ),
        "sigaction",
    );
    let rust_noreap = strip_header(&read("src/bin/fork-echo-server-noreap.rs"));
    assert_eq!(rust, rust_noreap);
}

// ---------------------------------------------------------------------------------------
// The lesson.

/// What the lesson's run shows, without what differs from run to run (ports, times) or
/// from machine to machine (the descriptors a server inherits).
fn lesson_counts(s: &Served) -> Vec<String> {
    let mut v = vec![
        format!("{} of {} echoed", s.echoed, s.clients),
        format!("failures {:?}", s.failures),
        format!("after {:?}, settled {}", s.after, s.settled),
        format!(
            "sockets {} before, {} after; descriptors after minus before {}",
            s.sockets_before,
            s.sockets_after,
            s.fds_after as isize - s.fds_before as isize
        ),
        format!("server {}", describe(s.server_status)),
    ];
    for d in &s.during {
        v.push(format!(
            "during {:?}, parent's sockets {}, children's {:?}",
            d.tree, d.sockets, d.child_sockets
        ));
    }
    v
}

#[test]
fn the_lesson_shows_the_same_in_c_and_in_rust() {
    let run = |lang: Lang| {
        let l = lesson();
        fork_echo::run(
            l,
            &builds(),
            lang,
            lang,
            CFlavor::Plain,
            &Input::Bytes(l.default_input.as_bytes().to_vec()),
            &mut Quiet,
            None,
        )
        .unwrap_or_else(|e| panic!("fork-echo in {lang}: {e}"))
    };
    let c = run(Lang::C);
    let rust = run(Lang::Rust);
    assert_eq!(lesson_counts(&c.reaping), lesson_counts(&rust.reaping));
    assert_eq!(lesson_counts(&c.noreap), lesson_counts(&rust.noreap));

    let ten = Tree {
        alive: 10,
        sleeping: 10,
        zombies: 0,
    };
    assert_eq!(c.reaping.echoed, 20);
    assert!(c.reaping.settled && c.noreap.settled);
    assert_eq!(c.reaping.after.zombies, 0);
    assert_eq!(c.noreap.after.zombies, 20);
    let during = |s: &Served| s.during.iter().map(|d| d.tree).collect::<Vec<_>>();
    assert_eq!(during(&c.reaping), [ten, ten]);
    assert_eq!(during(&c.noreap), [ten, Tree { zombies: 10, ..ten }]);
}
