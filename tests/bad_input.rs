//! Bad input, C against Rust: the same behaviour, or a listed difference
//! (`book/src/differences.md`), each case naming which.
//!
//! The C is the oracle: each case runs the C twin and the Rust twin on the same input and
//! compares what they print and how they end, byte for byte, and also asserts what the
//! case is about (the words came back, the client is blocked in `recvfrom`, the report
//! says `WRITE of size 1001`), so that both breaking the same way fails too. Where the
//! notes' C has undefined behaviour, its side is the C built with AddressSanitizer, whose
//! report is asserted, and the Rust side is compared with the C fixed as a C programmer
//! would fix it (`scanf("%99s")`), as `tests/transcripts.rs` does.
//!
//! What is here, and what is elsewhere already (not repeated):
//!
//! - **Input lines** of 99, 100, 101, 1,000 and 100,000 characters. A word of 100 or more
//!   is the listed difference "A word of 100 characters or more": the Rust twins behave
//!   as the C with `%99s`, and the notes' C overflows `buf`, which ASan reports for 100,
//!   101 and 1,000 (`WRITE of size N+1`); at 100,000 the write runs off the top of the
//!   stack first, and ASan reports a `stack-overflow`. A line as long made of many short
//!   words is no difference: C and Rust must agree exactly. (Empty input and blank
//!   lines, a 99-character word through the echo lessons, and words of 100, 150 and 300
//!   through them: `transcripts.rs`; ASan at 150 characters: `errors.rs`.) The 100,000-
//!   character line of short words (tens of thousands of messages) is `#[ignore]`d.
//! - **Bytes**: NUL and invalid UTF-8 through the tcp-echo pair and in datagrams sent to
//!   the UDP servers, an empty datagram, words made of NULs. (The udp-echo pair and
//!   tcp-hello with such input: `transcripts.rs`.) A datagram longer than 100 bytes is cut
//!   to 100, then it is the listed "A 100-byte datagram, printed with `%s`". The same
//!   `%s` over-read in the udp-hello, tcp-hello and tcp-echo servers is listed with it:
//!   `difference_100_bytes_without_nul_to_the_other_servers` pins it.
//! - **A client started before its server**: the UDP echo client sends, the datagram is
//!   dropped (the kernel answers with an ICMP port unreachable, which an unconnected UDP
//!   socket is never told of), and it waits in `recvfrom` forever, also once the server
//!   has started; the test ends it. (TCP, refused: `errors.rs`.)
//! - **A server killed mid-conversation**: the UDP client blocks again; the TCP client's
//!   next `read` returns 0, then its next `write` raises `SIGPIPE`.
//! - **Ports** 65535 (servers and clients, in a network namespace of the test's own, so
//!   that the fixed port can be no one else's) and 0 (TCP servers; clients). (`abc`,
//!   65536 and the other malformed ports, port 0 for the UDP servers: `errors.rs`.)
//! - **IP addresses** that `inet_addr` reads as 0.0.0.0 (which Linux sends to this host)
//!   or with text after a space, and names and IPv6 addresses, which it does not read.
//!   (`bad`, `256.1.1.1`, the empty string, odd spellings of 127.0.0.1, `999`:
//!   `errors.rs`.) And the fuzz target's property (`fuzz/src/lib.rs`), run here on the
//!   corpus of `tests/inet.rs` and on seeded random bytes, so that it holds, and
//!   compiles, on the stable compiler.
//! - **ASan's reports for the book**: a normalised excerpt of each (the error, the access,
//!   the frames' functions, the variable), in `book/src/generated/asan-*.txt`, checked for
//!   drift; `SOCKLAB_UPDATE_OUTPUT=1` writes them (`just update-output`).
//!
//! Every program started here is a `Proc`, which kills and reaps its process group when
//! dropped, also when an assertion fails; every wait is bounded. Only loopback is sent
//! to: an address is given to a client only after glibc's `inet_addr` and the Rust
//! twins' agree on what it reads as, and that is 127.0.0.1, 0.0.0.0 (this host) or
//! 255.255.255.255 (which fails at once: `EACCES`, `ENETUNREACH`).

use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use socklab::inet::inet_addr;
use socklab::lab::build::{compile_c, source_root, Builds, CFlavor};
use socklab::lab::kernel::{self, TcpState, Transport};
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::mux::{Stream, Who};
use socklab::lab::process::{describe, Proc};
use socklab::lab::run::{self, Input, Lang, Outcome, Pair, Program, Quiet};

#[path = "support/udp.rs"]
mod udp;
use udp::{udp_socket, Recorder, REPLY_WITHIN};

/// The fuzz target's property: socklab's address parsers against glibc's.
#[path = "../fuzz/src/lib.rs"]
mod inet_fuzz;

/// How long a program that should end by itself may take.
const ENDS_WITHIN: Duration = Duration::from_secs(10);
/// How long a reply may take over loopback.
/// How long a program that blocks is watched before the test ends it: long enough for
/// a reply that would come to have come.
const BLOCKED_FOR: Duration = Duration::from_millis(300);

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

fn lesson(name: &str) -> &'static Lesson {
    lessons::find(name).unwrap()
}

/// `lesson`'s `side` in `lang`, as the runner starts it (the C under `stdbuf -oL`).
fn program(name: &str, side: &str, lang: Lang) -> Program {
    run::program(&builds(), lesson(name), side, lang, CFlavor::Plain)
        .unwrap_or_else(|e| panic!("{name} {side} ({lang}): {e}"))
        .0
}

/// `c-reference/<lesson>/<side>.c` built with AddressSanitizer.
fn asan(name: &str, side: &str) -> PathBuf {
    builds()
        .build_c(name, side, CFlavor::Asan)
        .unwrap_or_else(|e| panic!("build {name}/{side}.c with ASan: {e}"))
        .0
}

/// A word of `len` characters: letters, no white space.
fn word(len: usize) -> String {
    (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect()
}

/// A line of exactly `len` characters made of words of 1 to 9 characters, one space
/// between them: many short words, none near 100.
fn short_words(len: usize) -> String {
    let mut line = String::new();
    let mut n = 0;
    while line.len() < len {
        if !line.is_empty() {
            line.push(' ');
        }
        let w = 1 + n % 9;
        line.push_str(&word(w));
        n += 1;
    }
    line.truncate(len);
    while line.ends_with(' ') {
        line.pop();
        line.push('z');
    }
    assert_eq!(line.len(), len);
    line
}

/// A line of exactly `len` characters made of 99-character words (the last one may be
/// shorter, or the line may end with its space): every word fits `buf` with its NUL.
fn words_of_99(len: usize) -> String {
    let mut line = String::new();
    while line.len() < len {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word(99));
    }
    line.truncate(len);
    line
}

// ─── Through the runner, as tests/transcripts.rs compares ───────────────────────

fn run_with(lesson: &Lesson, server: &Program, client: &Program, input: &[u8]) -> Outcome {
    let pair = Pair {
        input: Input::Bytes(input.to_vec()),
        ..Pair::new(lesson, server.lang, client.lang)
    };
    run::run(&pair, server, client, &mut Quiet, None).unwrap_or_else(|e| {
        panic!(
            "{} ({} server, {} client): {e}",
            lesson.name, server.lang, client.lang
        )
    })
}

fn run_pair(name: &str, lang: Lang, input: &[u8]) -> Outcome {
    run_with(
        lesson(name),
        &program(name, "server", lang),
        &program(name, "client", lang),
        input,
    )
}

/// Every line each side wrote, labelled, in order, and how each ended.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    lines: Vec<String>,
    server: String,
    client: String,
}

fn seen(o: &Outcome) -> Seen {
    Seen {
        lines: o
            .transcript
            .lines()
            .into_iter()
            .map(|(who, stream, line)| {
                format!(
                    "{} {stream:?}: {}",
                    who.name(),
                    String::from_utf8_lossy(&line)
                )
            })
            .collect(),
        server: describe(o.server_status),
        client: describe(o.client_status),
    }
}

/// Short, for messages: the first 60 bytes of `input` and its length.
fn brief(input: &[u8]) -> String {
    let head: Vec<u8> = input.iter().copied().take(60).collect();
    format!(
        "{:?}… ({} bytes)",
        head.escape_ascii().to_string(),
        input.len()
    )
}

/// The C pair and the Rust pair on `input`: the same lines, the same bytes on every
/// stream, the same ends. Returns the C's outcome.
fn c_and_rust_agree(name: &str, input: &[u8]) -> Outcome {
    let c = run_pair(name, Lang::C, input);
    let rust = run_pair(name, Lang::Rust, input);
    assert_eq!(seen(&c), seen(&rust), "{name} on {}", brief(input));
    for who in [Who::Server, Who::Client] {
        for stream in [Stream::Stdout, Stream::Stderr] {
            assert!(
                c.transcript.bytes(who, stream) == rust.transcript.bytes(who, stream),
                "{name} on {}: {} {stream:?}, byte for byte",
                brief(input),
                who.name()
            );
        }
    }
    c
}

/// What `scanf("%s")` reads from `input`: its words, split at C's `isspace`.
fn scanf_words(input: &[u8]) -> Vec<&[u8]> {
    input
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// What the echo clients print when every word comes back: each word up to its first
/// NUL (`printf("%s")`, `puts`), and a newline.
fn echoed(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in scanf_words(input) {
        out.extend(w.iter().take_while(|&&b| b != 0));
        out.push(b'\n');
    }
    out
}

/// The notes' `<lesson>` client with `scanf("%s",buf)` made `scanf("%99s",buf)`: the
/// oracle for the Rust twin's side of the listed difference (as in `transcripts.rs`).
fn c_with_99s(name: &str) -> Program {
    let path = source_root().join(format!("c-reference/{name}/client.c"));
    let source = fs::read_to_string(&path).expect("read the C client");
    // The call, not the comments that name it (tcp-hello's has no `== EOF` test).
    let call = r#"scanf("%s",buf)"#;
    let is_code = |line: &str| {
        let t = line.trim_start();
        !(t.starts_with('*') || t.starts_with("/*") || t.starts_with("//"))
    };
    let calls = source
        .lines()
        .filter(|l| is_code(l) && l.contains(call))
        .count();
    assert_eq!(calls, 1, "one scanf to fix in {name}");
    let fixed: String = source
        .lines()
        .map(|l| match is_code(l) {
            true => l.replace(call, r#"scanf("%99s",buf)"#) + "\n",
            false => format!("{l}\n"),
        })
        .collect();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bad-input-fixed-c");
    fs::create_dir_all(&dir).unwrap();
    let src = dir.join(format!("{name}-client-99s-{}.c", std::process::id()));
    fs::write(&src, fixed).unwrap();
    let out = dir.join(format!("{name}-client-99s-{}", std::process::id()));
    let include = source_root().join("c-reference");
    compile_c(&src, &out, &[&include], CFlavor::Plain).expect("compile the fixed C");
    Program::new(out, Lang::C)
}

// ─── Programs started directly ───────────────────────────────────────────────────

/// How a program ended and what it printed; compared byte for byte, shown as text.
#[derive(PartialEq, Eq)]
struct Ended {
    status: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl std::fmt::Debug for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ended")
            .field("status", &self.status)
            .field("stdout", &String::from_utf8_lossy(&self.stdout))
            .field("stderr", &String::from_utf8_lossy(&self.stderr))
            .finish()
    }
}

impl Ended {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// A running program whose stdin the test writes as it goes and whose stdout and
/// stderr are collected by threads. Dropping it kills and reaps its process group.
struct Live {
    proc: Proc,
    what: String,
    stdin: Option<io::PipeWriter>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
}

fn collect(mut pipe: io::PipeReader, into: Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    })
}

impl Live {
    /// Starts `cmd` in a process group of its own, its stdin a pipe the test holds.
    fn start(mut cmd: Command) -> Live {
        let what = format!(
            "{:?} {:?}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>()
        );
        let (out_r, out_w) = io::pipe().unwrap();
        let (err_r, err_w) = io::pipe().unwrap();
        let (in_r, in_w) = io::pipe().unwrap();
        cmd.stdin(Stdio::from(in_r))
            .stdout(Stdio::from(out_w))
            .stderr(Stdio::from(err_w));
        let proc = Proc::spawn(&mut cmd, true).unwrap_or_else(|e| panic!("start {what}: {e}"));
        drop(cmd); // our copies of its ends: end of file comes when it ends
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(out_r, stdout.clone()),
            collect(err_r, stderr.clone()),
        ];
        Live {
            proc,
            what,
            stdin: Some(in_w),
            stdout,
            stderr,
            readers,
        }
    }

    /// Starts `program args…` as the runner does.
    fn program(program: &Program, args: &[&str]) -> Live {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Live::start(program.command(&args))
    }

    /// Starts the executable `path args…` (no `stdbuf`).
    fn path(path: &Path, args: &[&str]) -> Live {
        let mut cmd = Command::new(path);
        cmd.args(args);
        Live::start(cmd)
    }

    fn pid(&self) -> u32 {
        self.proc.pid()
    }

    /// Writes `bytes` to its stdin from a thread (it may not read them all: EPIPE is
    /// ignored).
    fn feed(&mut self, bytes: &[u8]) {
        let mut pipe = self
            .stdin
            .as_ref()
            .expect("stdin still open")
            .try_clone()
            .unwrap();
        let bytes = bytes.to_vec();
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }

    /// Feeds `bytes` and closes its stdin: the end of its input.
    fn feed_all(&mut self, bytes: &[u8]) {
        self.feed(bytes);
        self.stdin = None;
    }

    fn stdout_now(&self) -> Vec<u8> {
        self.stdout.lock().unwrap().clone()
    }

    /// Waits until its stdout is `expected`; panics with what it is if not in time.
    fn wait_stdout(&self, expected: &[u8]) {
        let deadline = Instant::now() + REPLY_WITHIN;
        while self.stdout_now() != expected {
            assert!(
                Instant::now() < deadline,
                "{}: stdout {:?}, not {:?}, after {REPLY_WITHIN:?}; stderr {:?}",
                self.what,
                String::from_utf8_lossy(&self.stdout_now()),
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(&self.stderr.lock().unwrap())
            );
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// The system call it is blocked in (from `/proc/<pid>/syscall`: its number first,
    /// while it sleeps in one), if it is sleeping in one.
    fn blocked_in(&self) -> Option<i64> {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        let state = stat[stat.rfind(')')? + 1..].trim_start().chars().next()?;
        if state != 'S' {
            return None;
        }
        let call = fs::read_to_string(format!("/proc/{}/syscall", self.pid())).ok()?;
        call.split_whitespace().next()?.parse().ok()
    }

    /// Waits until it sleeps in system call `nr`; panics if it does not in time.
    fn wait_blocked_in(&self, nr: i64, name: &str) {
        let deadline = Instant::now() + REPLY_WITHIN;
        while self.blocked_in() != Some(nr) {
            assert!(
                Instant::now() < deadline,
                "{}: not blocked in {name} after {REPLY_WITHIN:?} (in {:?})",
                self.what,
                self.blocked_in()
            );
            thread::sleep(Duration::from_millis(1));
        }
    }

    /// Waits for it to end by itself; panics (and the drop kills it) if it does not.
    fn wait(mut self) -> Ended {
        self.stdin = None;
        match self.proc.wait_timeout(ENDS_WITHIN).expect("wait") {
            Some(_) => self.end(),
            None => panic!("{}: still running after {ENDS_WITHIN:?}; killed", self.what),
        }
    }

    /// Ends it: `SIGTERM` to its group, as the runner stops a program, then `SIGKILL`
    /// if it lingers; or, if it has ended, takes how.
    fn end(mut self) -> Ended {
        let status = self
            .proc
            .terminate(Duration::from_secs(2))
            .expect("terminate");
        self.stdin = None;
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        Ended {
            status: describe(status),
            stdout: self.stdout_now(),
            stderr: self.stderr.lock().unwrap().clone(),
        }
    }
}

/// A datagram waiting on `sock` now, if any (never blocks).
fn pending(sock: &UdpSocket) -> Option<Vec<u8>> {
    sock.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 65536];
    let got = sock
        .recv_from(&mut buf)
        .ok()
        .map(|(n, _)| buf[..n].to_vec());
    sock.set_nonblocking(false).unwrap();
    got
}

/// `live` once its socket is bound to `port` (for TCP, listening); panics with what it
/// printed if it ends first, or if not in time.
fn bound(mut live: Live, transport: Transport, port: u16) -> Live {
    let deadline = Instant::now() + ENDS_WITHIN;
    while kernel::bound_socket(live.pid(), transport, port)
        .ok()
        .flatten()
        .is_none()
    {
        if live.proc.try_status().unwrap().is_some() {
            let what = live.what.clone();
            panic!(
                "{what} ended before it was bound to {port}: {:?}",
                live.end()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{}: not bound to {port} after {ENDS_WITHIN:?}",
            live.what
        );
        thread::sleep(Duration::from_millis(1));
    }
    live
}

/// Asserts that AddressSanitizer's `report` is a `kind` (`stack-buffer-overflow`) with
/// an access `access` (`WRITE of size 101`) to the variable `buf`.
fn assert_asan(report: &str, kind: &str, access: &str, what: &str) {
    assert!(
        report.contains(&format!("ERROR: AddressSanitizer: {kind}")),
        "{what}: {report}"
    );
    assert!(report.contains(access), "{what}: no {access:?}: {report}");
    assert!(report.contains("'buf'"), "{what}: not buf: {report}");
}

// ─── Input lines: whitespace-free words (the listed difference) ─────────────────

/// "A word of 100 characters or more" (book: differences): words of 101, 1,000 and
/// 100,000 characters (and, for tcp-hello, whose client `transcripts.rs` does not give
/// long words, 99 and 100 too). The Rust pair must print what the C server with the
/// `%99s` C client prints: the word cut into pieces of at most 99, each a message.
#[test]
fn long_words_rust_is_the_c_with_99s() {
    for name in ["udp-echo", "tcp-echo", "tcp-hello"] {
        let l = lesson(name);
        let fixed = c_with_99s(name);
        let server = program(name, "server", Lang::C);
        let lengths: &[usize] = if name == "tcp-hello" {
            &[99, 100, 101, 1_000, 100_000]
        } else {
            &[101, 1_000, 100_000]
        };
        for &len in lengths {
            let w = word(len);
            let input = format!("{w}\nnext\n");
            let oracle = run_with(l, &server, &fixed, input.as_bytes());
            let rust = run_pair(name, Lang::Rust, input.as_bytes());
            assert_eq!(seen(&oracle), seen(&rust), "{name}: a {len}-character word");
            // What the case is about: the word, in pieces of 99.
            let pieces: Vec<&str> = w
                .as_bytes()
                .chunks(99)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            if name == "tcp-hello" {
                assert_eq!(
                    rust.transcript.text(Who::Server, Stream::Stdout),
                    format!("read: {}\n", pieces[0]),
                    "{name}: only the first buffer is sent"
                );
            } else {
                let mut expected: String = pieces.iter().map(|p| format!("{p}\n")).collect();
                expected.push_str("next\n");
                assert!(
                    rust.transcript.text(Who::Client, Stream::Stdout) == expected,
                    "{name}: a {len}-character word did not come back in pieces of 99"
                );
            }
            assert_eq!(describe(rust.client_status), "exited with status 0");
        }
    }
}

/// The notes' C clients (built with ASan) on the same words: ASan stops each at the
/// overflow, before it sends a byte. Up to 1,000 characters it is a
/// `stack-buffer-overflow`, `WRITE of size N+1` in `scanf` (the word and its NUL). At
/// 100,000, `scanf` writes on past the top of the stack before ASan's check can run
/// (`buf` is in `main`'s frame, near the top; at most a few kilobytes of arguments and
/// environment lie above it): the kernel's `SIGSEGV`, reported as a `stack-overflow`.
/// (The plain C, 100,000 characters, on this machine: killed by `SIGSEGV`. Undefined
/// behaviour: not asserted.)
#[test]
fn long_words_asan_reports_the_c_overflow() {
    for name in ["udp-echo", "tcp-echo", "tcp-hello"] {
        let client = asan(name, "client");
        for len in [100, 101, 1_000, 100_000] {
            let what = format!("{name} client (ASan), a {len}-character word");
            let mut input = word(len).into_bytes();
            input.push(b'\n');
            // Someone to send to, who sees whether anything was sent: a UDP socket, or
            // a listener whose backlog takes the connection (the C connects first).
            let (udp, udp_port) = udp_socket();
            let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            let port = if name.starts_with("udp") {
                udp_port
            } else {
                tcp.local_addr().unwrap().port()
            };
            let mut live = Live::path(&client, &["127.0.0.1", &port.to_string()]);
            live.feed_all(&input);
            let ended = live.wait();
            let report = ended.stderr();
            if len < 100_000 {
                let access = format!("WRITE of size {}", len + 1);
                if report.contains("nested bug in the same thread") {
                    // The report stops after the access: ASan's unwinder, following the
                    // saved frame pointers up the stack, met the ones the word overwrote
                    // (seen here at 1,000 characters), and crashed.
                    assert!(
                        report.contains("ERROR: AddressSanitizer: stack-buffer-overflow")
                            && report.contains(&access),
                        "{what}: {report}"
                    );
                } else {
                    assert_asan(&report, "stack-buffer-overflow", &access, &what);
                    assert!(report.contains("scanf"), "{what}: {report}");
                }
            } else {
                assert!(
                    report.contains("ERROR: AddressSanitizer: stack-overflow")
                        || report.contains("WRITE of size 100001"),
                    "{what}: {report}"
                );
            }
            assert_eq!(ended.status, "exited with status 1", "{what}: {ended:?}");
            assert_eq!(ended.stdout, b"", "{what}");
            thread::sleep(Duration::from_millis(20));
            assert_eq!(pending(&udp), None, "{what}: a datagram was sent");
            if !name.starts_with("udp") {
                tcp.set_nonblocking(true).unwrap();
                if let Ok((mut conn, _)) = tcp.accept() {
                    conn.set_nonblocking(false).unwrap();
                    conn.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
                    let mut got = Vec::new();
                    let _ = conn.read_to_end(&mut got);
                    assert_eq!(got, b"", "{what}: it connected and sent nothing");
                }
            }
        }
    }
}

// ─── Input lines: many short words (no difference) ──────────────────────────────

/// Lines of 100, 101 and 1,000 characters made of words of 1 to 9 characters, and one
/// of 100,000 made of 99-character words: every word fits `buf`, so there is nothing
/// for C and Rust to differ on. They must agree exactly, and every word come back.
#[test]
fn long_lines_of_words_that_fit_are_no_difference() {
    let mut lines: Vec<String> = [100, 101, 1_000].map(short_words).to_vec();
    lines.push(words_of_99(100_000));
    for name in ["udp-echo", "tcp-echo", "tcp-hello"] {
        for line in &lines {
            let input = format!("{line}\n");
            let c = c_and_rust_agree(name, input.as_bytes());
            let first = scanf_words(input.as_bytes())[0];
            if name == "tcp-hello" {
                assert_eq!(
                    c.transcript.bytes(Who::Server, Stream::Stdout),
                    [b"read: ", first, b"\n"].concat()
                );
            } else {
                assert!(
                    c.transcript.bytes(Who::Client, Stream::Stdout) == echoed(input.as_bytes()),
                    "{name}: a {}-character line: not every word came back",
                    line.len()
                );
            }
            assert_eq!(describe(c.client_status), "exited with status 0");
        }
    }
}

/// 100,000 characters of words of 1 to 9 characters: about 20,000 messages each way.
#[test]
#[ignore = "long: a 100,000-character line of short words, 20,000 messages per pair; \
            run by `just test-long`"]
fn a_100000_character_line_of_short_words_is_no_difference() {
    let input = format!("{}\n", short_words(100_000));
    for name in ["udp-echo", "tcp-echo"] {
        let c = c_and_rust_agree(name, input.as_bytes());
        assert!(c.transcript.bytes(Who::Client, Stream::Stdout) == echoed(input.as_bytes()));
    }
}

// ─── Bytes ───────────────────────────────────────────────────────────────────────

/// Invalid UTF-8, a NUL inside a word (`scanf` keeps it: NUL is not white space; the
/// word is sent whole, 100 bytes, and printed up to the NUL), words of NULs alone, high
/// bytes: through the tcp-echo pair, and the words of NULs through every client.
#[test]
fn nul_and_invalid_utf8_through_the_pairs() {
    let input: &[u8] = b"caf\xc3\xa9 \xff\xfe ab\0cd \xa0x\n\0 \0\0\0x y\n";
    let c = c_and_rust_agree("tcp-echo", input);
    assert_eq!(
        c.transcript.bytes(Who::Client, Stream::Stdout),
        echoed(input)
    );
    let nuls: &[u8] = b"\0 \0\0\0x y\n";
    for name in ["udp-echo", "tcp-hello"] {
        let c = c_and_rust_agree(name, nuls);
        if name == "udp-echo" {
            // `strlen` of a word of NULs is 0: the datagram is the NUL alone, and the
            // echo prints as an empty line.
            assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), b"\n\ny\n");
        } else {
            assert_eq!(c.transcript.text(Who::Server, Stream::Stdout), "read: \n");
        }
    }
}

/// What the UDP servers do with datagrams the notes' clients never send: none at all
/// (0 bytes), one that starts with a NUL, invalid UTF-8, 99 bytes without a NUL (which
/// still fits with the NUL that `buf` keeps after them). Sent by the test's own socket.
/// The echo server prints each up to its first NUL and echoes it whole, the hello
/// server prints it and ends.
#[test]
fn odd_datagrams_to_the_udp_servers() {
    let datagrams: [&[u8]; 4] = [b"", b"\0hidden", b"\xff\xfe\xc3(", &[b'q'; 99]];
    let (client, _) = udp_socket();

    // udp-echo: all four to one server.
    let mut seen = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let port = kernel::free_port(Transport::Udp).unwrap();
        let server = bound(
            Live::program(&program("udp-echo", "server", lang), &[&port.to_string()]),
            Transport::Udp,
            port,
        );
        let mut echoes = Vec::new();
        for d in datagrams {
            client.send_to(d, (Ipv4Addr::LOCALHOST, port)).unwrap();
            let mut buf = [0u8; 200];
            let (n, from) = client.recv_from(&mut buf).expect("the echo");
            assert_eq!(from.port(), port);
            echoes.push(buf[..n].to_vec());
        }
        seen.push((echoes, server.end()));
    }
    assert_eq!(seen[0], seen[1], "udp-echo server: C (left), Rust (right)");
    let (echoes, c) = &seen[0];
    assert_eq!(echoes, &datagrams.map(<[u8]>::to_vec), "each echoed whole");
    let mut printed = Vec::new();
    for d in datagrams {
        printed.extend_from_slice(b"recv: ");
        printed.extend(d.iter().take_while(|&&b| b != 0));
        printed.push(b'\n');
    }
    assert_eq!(c.stdout, printed);
    assert_eq!(c.status, "killed by SIGTERM");

    // udp-hello: one each, to a server each.
    for d in datagrams {
        let mut seen = Vec::new();
        for lang in [Lang::C, Lang::Rust] {
            let port = kernel::free_port(Transport::Udp).unwrap();
            let server = bound(
                Live::program(&program("udp-hello", "server", lang), &[&port.to_string()]),
                Transport::Udp,
                port,
            );
            client.send_to(d, (Ipv4Addr::LOCALHOST, port)).unwrap();
            seen.push(server.wait());
        }
        assert_eq!(seen[0], seen[1], "udp-hello server, {:?}", d.escape_ascii());
        let mut printed = b"sockfd 3\n127.0.0.1\nsay: ".to_vec();
        printed.extend(d.iter().take_while(|&&b| b != 0));
        printed.push(b'\n');
        assert_eq!(seen[0].stdout, printed);
        assert_eq!(seen[0].status, "exited with status 0");
    }
}

/// A datagram of 1,000 bytes to the echo server: `recvfrom` into `buf[100]` keeps the
/// first 100 bytes and the kernel drops the rest (a datagram is read whole or cut, never
/// split). Then it is the listed difference "A 100-byte datagram, printed with `%s`":
/// the C (ASan) reports the over-read, `READ of size 101`, and echoes nothing; the Rust
/// prints the 100 bytes and echoes them.
#[test]
fn difference_a_datagram_longer_than_100_bytes_is_cut_then_as_listed() {
    let datagram: Vec<u8> = (0..1000).map(|i| b'A' + (i % 26) as u8).collect();
    let (client, _) = udp_socket();

    let port = kernel::free_port(Transport::Udp).unwrap();
    let server = bound(
        Live::path(&asan("udp-echo", "server"), &[&port.to_string()]),
        Transport::Udp,
        port,
    );
    client
        .send_to(&datagram, (Ipv4Addr::LOCALHOST, port))
        .unwrap();
    let c = server.wait();
    assert_asan(
        &c.stderr(),
        "stack-buffer-overflow",
        "READ of size 101",
        "C",
    );
    assert!(c.stderr().contains("printf"), "{c:?}");
    assert_eq!(pending(&client), None, "the C echoed");

    let port = kernel::free_port(Transport::Udp).unwrap();
    let rust = program("udp-echo", "server", Lang::Rust);
    let server = bound(
        Live::program(&rust, &[&port.to_string()]),
        Transport::Udp,
        port,
    );
    client
        .send_to(&datagram, (Ipv4Addr::LOCALHOST, port))
        .unwrap();
    let mut buf = [0u8; 2000];
    let (n, _) = client.recv_from(&mut buf).expect("the Rust's echo");
    assert_eq!(&buf[..n], &datagram[..100], "the first 100 bytes, echoed");
    let r = server.end();
    assert_eq!(r.stdout, [b"recv: ", &datagram[..100], b"\n"].concat());
    assert_eq!(r.stderr(), "");
}

/// 100 bytes without a NUL, which the notes' own clients never send but `nc` or any
/// other client may, to the servers that print `buf` with `%s` besides the echo server
/// of the listed entry: udp-hello's (`printf("say: %s\n", buf)`, edit 4), tcp-hello's
/// and tcp-echo's (`printf("read: %s\n", buf)` after `read` filled all 100 bytes). The
/// same undefined behaviour as "A 100-byte datagram, printed with `%s`", and the same
/// difference, which `book/src/differences.md` does not list for these servers:
///
/// - C, with ASan: `stack-buffer-overflow`, `READ of size 101`, in `printf`, on `buf`;
///   the server stops there (tcp-echo: before it echoes).
/// - Rust: `printf!` stops at the array's end: it prints the 100 bytes (tcp-echo: and
///   writes them back).
#[test]
fn difference_100_bytes_without_nul_to_the_other_servers() {
    let bytes = [b'n'; 100];
    for name in ["udp-hello", "tcp-hello", "tcp-echo"] {
        let transport = if name.starts_with("udp") {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        let label = if name == "udp-hello" {
            "say: "
        } else {
            "read: "
        };
        for lang in [Lang::C, Lang::Rust] {
            let what = format!("{name} server ({lang})");
            let port = kernel::free_port(transport).unwrap();
            let server = match lang {
                Lang::C => Live::path(&asan(name, "server"), &[&port.to_string()]),
                _ => Live::program(&program(name, "server", lang), &[&port.to_string()]),
            };
            let server = bound(server, transport, port);
            let mut echo = Vec::new();
            let mut stream = None;
            if transport == Transport::Udp {
                let (client, _) = udp_socket();
                client.send_to(&bytes, (Ipv4Addr::LOCALHOST, port)).unwrap();
            } else {
                let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
                s.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
                s.write_all(&bytes).unwrap();
                if name == "tcp-echo" && lang == Lang::Rust {
                    echo = vec![0; 100];
                    s.read_exact(&mut echo).expect("the Rust's echo");
                }
                stream = Some(s);
            }
            let ended = if lang == Lang::C || name != "tcp-echo" {
                server.wait()
            } else {
                server.end()
            };
            drop(stream);
            if lang == Lang::C {
                assert_asan(
                    &ended.stderr(),
                    "stack-buffer-overflow",
                    "READ of size 101",
                    &what,
                );
                assert!(ended.stderr().contains("printf"), "{what}: {ended:?}");
                assert_eq!(ended.status, "exited with status 1", "{what}");
            } else {
                let line = [label.as_bytes(), &bytes, b"\n"].concat();
                let printed =
                    &ended.stdout[ended.stdout.len() - line.len().min(ended.stdout.len())..];
                assert_eq!(printed, &line[..], "{what}: {ended:?}");
                assert_eq!(ended.stderr(), "", "{what}");
                if name == "tcp-echo" {
                    assert_eq!(echo, bytes, "{what}: echoed");
                }
            }
        }
    }
}

// ─── A client started before its server ─────────────────────────────────────────

/// `Udp: NoPorts` from `/proc/net/snmp`: datagrams that arrived for a port no socket
/// was bound to, each answered with an ICMP port unreachable. Counted for the whole
/// network namespace (other tests add to it too).
fn udp_no_ports() -> u64 {
    let snmp = fs::read_to_string("/proc/net/snmp").unwrap();
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp: "));
    let (names, values) = (udp.next().unwrap(), udp.next().unwrap());
    let at = names
        .split_whitespace()
        .position(|n| n == "NoPorts")
        .unwrap();
    values.split_whitespace().nth(at).unwrap().parse().unwrap()
}

/// The udp-echo client started with no server on its port: `sendto` succeeds, the
/// kernel finds no socket for the datagram, drops it and answers with an ICMP port
/// unreachable (the `NoPorts` count grows). The client's socket is not connected, and
/// Linux tells such a socket of no ICMP error: it waits in `recvfrom` forever. Started
/// now, the server gets nothing (the datagram is gone) and the client still waits. The
/// test ends both. C and Rust alike.
///
/// The contrast: a *connected* UDP socket of the test's, sending to the same kind of
/// port, is told (`ECONNREFUSED` on its next `recv`): the ICMP message did come back.
#[test]
fn udp_echo_client_before_its_server_waits_in_recvfrom_forever() {
    let mut seen = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let port = kernel::free_port(Transport::Udp).unwrap();
        let no_ports = udp_no_ports();
        let mut client = Live::program(
            &program("udp-echo", "client", lang),
            &["127.0.0.1", &port.to_string()],
        );
        client.feed_all(b"hello\n");
        client.wait_blocked_in(libc::SYS_recvfrom, "recvfrom");
        assert!(
            udp_no_ports() > no_ports,
            "{lang}: no datagram to a closed port"
        );

        let server = bound(
            Live::program(&program("udp-echo", "server", lang), &[&port.to_string()]),
            Transport::Udp,
            port,
        );
        thread::sleep(BLOCKED_FOR);
        assert_eq!(
            client.blocked_in(),
            Some(libc::SYS_recvfrom),
            "{lang}: still waiting"
        );
        let server = server.end();
        assert_eq!(server.stdout, b"", "{lang}: the server got nothing");
        seen.push((client.end(), server));
    }
    assert_eq!(seen[0], seen[1], "(client, server): C (left), Rust (right)");
    let (client, _) = &seen[0];
    assert_eq!(client.stdout, b"");
    assert_eq!(client.stderr, b"");
    assert_eq!(client.status, "killed by SIGTERM", "the test ended it");

    let closed = kernel::free_port(Transport::Udp).unwrap();
    let connected = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    connected.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
    connected.connect((Ipv4Addr::LOCALHOST, closed)).unwrap();
    connected.send(b"hello\0").unwrap();
    let told = connected.recv(&mut [0u8; 16]).map_err(|e| e.kind());
    assert_eq!(told, Err(io::ErrorKind::ConnectionRefused));
}

/// The udp-hello client with no server: it sends and ends, status 0, and says nothing;
/// the datagram is dropped. C and Rust alike.
#[test]
fn udp_hello_client_before_its_server_sends_and_ends() {
    let port = kernel::free_port(Transport::Udp).unwrap().to_string();
    let mut seen = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let mut client =
            Live::program(&program("udp-hello", "client", lang), &["127.0.0.1", &port]);
        client.feed_all(b"");
        seen.push(client.wait());
    }
    assert_eq!(seen[0], seen[1], "C (left), Rust (right)");
    assert_eq!(seen[0].status, "exited with status 0");
    assert_eq!(seen[0].stdout, b"");
    assert_eq!(seen[0].stderr, b"");
}

// ─── A server killed mid-conversation ───────────────────────────────────────────

/// The udp-echo pair, C with C and Rust with Rust: one word echoed, then the server is
/// killed (`SIGTERM`, as the runner stops it), then the next word: `sendto` succeeds,
/// nothing answers, and the client waits in `recvfrom` until the test ends it.
#[test]
fn udp_echo_server_killed_mid_conversation_the_client_waits() {
    let mut seen = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let port = kernel::free_port(Transport::Udp).unwrap().to_string();
        let server = Live::program(&program("udp-echo", "server", lang), &[&port]);
        let server = bound(server, Transport::Udp, port.parse().unwrap());
        let mut client = Live::program(&program("udp-echo", "client", lang), &["127.0.0.1", &port]);
        client.feed(b"one\n");
        client.wait_stdout(b"one\n");
        let server = server.end();
        client.feed(b"two\n");
        client.wait_blocked_in(libc::SYS_recvfrom, "recvfrom");
        thread::sleep(BLOCKED_FOR);
        assert_eq!(client.blocked_in(), Some(libc::SYS_recvfrom), "{lang}");
        seen.push((client.end(), server));
    }
    assert_eq!(seen[0], seen[1], "(client, server): C (left), Rust (right)");
    let (client, server) = &seen[0];
    assert_eq!(client.stdout, b"one\n");
    assert_eq!(client.status, "killed by SIGTERM", "the test ended it");
    assert_eq!(server.stdout, b"recv: one\n");
}

/// Whether `strace` runs here (under CI it must).
fn have_strace() -> bool {
    let works = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is missing, and CI is set: CI must install it"
        );
        eprintln!("note: strace cannot run here; the system calls are not compared");
    }
    works
}

/// The tcp-echo pair, C with C and Rust with Rust: one word echoed, then the server is
/// killed. Its kernel closes the connection (a FIN: the server had read all there was).
/// The client reads the next word and writes its 100 bytes: `write` succeeds (the bytes
/// go out, and the server's closed socket answers them with a RST). Its `read` returns
/// 0, the end of the stream that the FIN put there first (the RST leaves `EPIPE`
/// pending, not `ECONNRESET`: the connection was already closing). `puts` prints the
/// empty `buf`: an empty line. The third word's `write` fails with `EPIPE` and raises
/// `SIGPIPE`, which kills the client. Under `strace`, where it runs, the two clients'
/// socket calls are compared too.
#[test]
fn tcp_echo_server_killed_mid_conversation_the_client_reads_0_then_dies_of_sigpipe() {
    let traced = have_strace();
    let mut seen = Vec::new();
    let mut traces = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let port: u16 = kernel::free_port(Transport::Tcp).unwrap();
        let port_arg = port.to_string();
        let server = bound(
            Live::program(&program("tcp-echo", "server", lang), &[&port_arg]),
            Transport::Tcp,
            port,
        );
        let mut client_program = program("tcp-echo", "client", lang);
        let trace = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "bad-input-killed-{lang}-{}.trace",
            std::process::id()
        ));
        if traced {
            let _ = fs::remove_file(&trace);
            client_program.trace = Some(trace.clone());
        }
        let mut client = Live::program(&client_program, &["127.0.0.1", &port_arg]);
        client.feed(b"one\n");
        client.wait_stdout(b"one\n");
        let server = server.end();
        client.feed(b"two\n");
        client.wait_stdout(b"one\n\n");
        client.feed_all(b"three\n");
        let client = client.wait();
        if traced {
            let records = socklab::lab::trace::wait_for_trace(&trace, ENDS_WITHIN).unwrap();
            traces.push(socklab::lab::trace::Normaliser::new(Some(port)).all(&records));
        }
        seen.push((client, server));
    }
    assert_eq!(seen[0], seen[1], "(client, server): C (left), Rust (right)");
    let (client, server) = &seen[0];
    assert_eq!(client.stdout, b"one\n\n");
    assert_eq!(client.stderr, b"");
    assert_eq!(client.status, "killed by SIGPIPE");
    assert_eq!(server.stdout, b"read: one\n");
    assert_eq!(server.status, "killed by SIGTERM");
    if traced {
        assert_eq!(
            traces[0], traces[1],
            "the clients' calls: C (left), Rust (right)"
        );
        let calls: Vec<&String> = traces[0]
            .iter()
            .filter(|l| l.starts_with("read(") || l.starts_with("write("))
            .collect();
        let last: Vec<String> = calls[calls.len() - 3..]
            .iter()
            .map(|l| {
                l.split_once(", ").map_or(l.to_string(), |(call, _)| {
                    format!("{call} … = {}", l.rsplit_once(" = ").unwrap().1)
                })
            })
            .collect();
        assert_eq!(
            last,
            [
                "write(3 … = 100",
                "read(3 … = 0",
                "write(3 … = -1 EPIPE (Broken pipe)"
            ],
            "{:#?}",
            traces[0]
        );
    }
}

// ─── Ports ───────────────────────────────────────────────────────────────────────

/// Whether `unshare -rn` (a user and network namespace of the test's own) is allowed.
fn can_unshare() -> bool {
    let ok = Command::new("unshare")
        .args(["-rn", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "`unshare -rn` is not allowed, and CI is set (it runs as root there)"
        );
        eprintln!("note: `unshare -rn` is not allowed here; skipping the port 65535 case");
    }
    ok
}

/// `cmd` run in a new network namespace with its loopback up: `unshare -rn sh -c 'ip
/// link set lo up && exec "$0" "$@"' PROGRAM ARGS…`, the same process id throughout.
fn in_new_netns(cmd: &Command) -> Command {
    let mut wrapped = Command::new("unshare");
    wrapped
        .args(["-rn", "sh", "-c", r#"ip link set lo up && exec "$0" "$@""#])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    copy_env(cmd, &mut wrapped);
    wrapped
}

/// `cmd` run in the network namespace of process `pid`: `nsenter`.
fn in_netns_of(pid: u32, cmd: &Command) -> Command {
    let mut wrapped = Command::new("nsenter");
    wrapped
        .args(["-t", &pid.to_string(), "-U", "-n", "--preserve-credentials"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    copy_env(cmd, &mut wrapped);
    wrapped
}

fn copy_env(from: &Command, to: &mut Command) {
    for (k, v) in from.get_envs() {
        match v {
            Some(v) => to.env(k, v),
            None => to.env_remove(k),
        };
    }
}

/// Port 65535, the largest: each server on it, in a network namespace of the test's own
/// (so the fixed port is certainly free and no one else's, and nothing leaves it), its
/// client started in the same namespace; C pair and Rust pair. The kernel's table in
/// that namespace shows the server bound to 0.0.0.0:65535.
#[test]
fn port_65535_servers_and_clients() {
    if !can_unshare() {
        return;
    }
    for name in ["udp-echo", "udp-hello", "tcp-echo", "tcp-hello"] {
        let transport = if name.starts_with("udp") {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        let input: &[u8] = if name == "udp-hello" { b"" } else { b"hi\n" };
        let mut seen = Vec::new();
        for lang in [Lang::C, Lang::Rust] {
            let server_cmd = program(name, "server", lang).command(&["65535".to_string()]);
            let server = bound(Live::start(in_new_netns(&server_cmd)), transport, 65535);
            let entry = kernel::bound_socket(server.pid(), transport, 65535)
                .unwrap()
                .unwrap();
            assert_eq!(
                entry.local,
                (Ipv4Addr::UNSPECIFIED, 65535),
                "{name} ({lang})"
            );
            let client_cmd = program(name, "client", lang)
                .command(&["127.0.0.1".to_string(), "65535".to_string()]);
            let mut client = Live::start(in_netns_of(server.pid(), &client_cmd));
            client.feed_all(input);
            let client = client.wait();
            let server = if name.ends_with("hello") || name == "tcp-echo" {
                server.wait()
            } else {
                server.end()
            };
            seen.push((client, server));
        }
        assert_eq!(
            seen[0], seen[1],
            "{name} (client, server): C (left), Rust (right)"
        );
        let (client, server) = &seen[0];
        assert_eq!(client.status, "exited with status 0", "{name}: {client:?}");
        let server_out = String::from_utf8_lossy(&server.stdout);
        match name {
            "udp-echo" => assert_eq!(client.stdout, b"hi\n"),
            "udp-hello" => assert!(server_out.ends_with("say: hello world\n"), "{server_out}"),
            "tcp-echo" => assert_eq!(client.stdout, b"hi\n"),
            _ => assert_eq!(server_out, "read: hi\n"),
        }
    }
}

/// `server 0` for the TCP servers: `bind` picks a free port, and the server listens
/// there (the kernel's table shows it, on 0.0.0.0, in `LISTEN`); a client of the test's
/// that connects and sends one 100-byte message is served as on any port.
#[test]
fn port_0_tcp_servers_listen_on_a_port_the_kernel_chose() {
    let mut message = b"ping".to_vec();
    message.resize(100, 0);
    for name in ["tcp-hello", "tcp-echo", "reuseaddr"] {
        let mut seen = Vec::new();
        for lang in [Lang::C, Lang::Rust] {
            let server = Live::program(&program(name, "server", lang), &["0"]);
            let deadline = Instant::now() + ENDS_WITHIN;
            let entry = loop {
                let mine = kernel::socket_inodes(server.pid()).unwrap_or_default();
                let listening = kernel::sockets(server.pid(), Transport::Tcp)
                    .unwrap_or_default()
                    .into_iter()
                    .find(|s| mine.contains(&s.inode) && s.state == TcpState::LISTEN);
                if let Some(entry) = listening {
                    break entry;
                }
                assert!(Instant::now() < deadline, "{name} ({lang}) never listened");
                thread::sleep(Duration::from_millis(1));
            };
            assert_eq!(entry.local.0, Ipv4Addr::UNSPECIFIED, "{name} ({lang})");
            assert_ne!(entry.local.1, 0, "{name} ({lang})");
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, entry.local.1)).unwrap();
            s.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
            s.write_all(&message).unwrap();
            let mut back = Vec::new();
            if name != "tcp-hello" {
                back = vec![0; 100];
                s.read_exact(&mut back).expect("the echo");
            }
            drop(s);
            // tcp-hello's ends after its one read; the echo servers, their client gone,
            // die of SIGPIPE (the notes' bug: tcp-echo.md).
            let ended = server.wait();
            seen.push((back, ended));
        }
        assert_eq!(seen[0], seen[1], "{name} server 0: C (left), Rust (right)");
        let (back, ended) = &seen[0];
        assert!(
            String::from_utf8_lossy(&ended.stdout).starts_with("read: ping\n"),
            "{name}: {ended:?}"
        );
        if name == "tcp-hello" {
            assert_eq!(ended.status, "exited with status 0");
        } else {
            assert_eq!(back, &message, "{name}: echoed");
            assert_eq!(ended.status, "killed by SIGPIPE", "{name}");
        }
    }
}

/// `client 127.0.0.1 0`: port 0 is no destination. UDP's `sendto` refuses it
/// (`EINVAL`); TCP's `connect` is refused (`ECONNREFUSED`: nothing listens on port 0).
#[test]
fn port_0_clients() {
    for (name, message) in [
        ("udp-echo", "sendto: Invalid argument\n"),
        ("udp-hello", "sendto: Invalid argument\n"),
        ("tcp-echo", "connect: Connection refused\n"),
        ("tcp-hello", "connect: Connection refused\n"),
    ] {
        let mut seen = Vec::new();
        for lang in [Lang::C, Lang::Rust] {
            let mut client = Live::program(&program(name, "client", lang), &["127.0.0.1", "0"]);
            client.feed_all(b"hello\n");
            seen.push(client.wait());
        }
        assert_eq!(
            seen[0], seen[1],
            "{name} client 127.0.0.1 0: C (left), Rust (right)"
        );
        assert_eq!(seen[0].stderr(), message, "{name}");
        assert_eq!(seen[0].status, "exited with status 255", "{name}: exit(-1)");
        assert_eq!(seen[0].stdout, b"", "{name}");
    }
}

// ─── IP addresses ────────────────────────────────────────────────────────────────

/// Refuses to go on unless glibc's `inet_addr` (the C's) and the Rust twins' both read
/// `ip` as `expected`: a client sends wherever that is.
fn assert_reads_as(ip: &str, expected: Ipv4Addr) {
    let rust = Ipv4Addr::from(inet_addr(ip).to_ne_bytes());
    let c = Ipv4Addr::from(inet_fuzz::glibc_inet_addr(ip.as_bytes()).to_ne_bytes());
    assert_eq!(
        (c, rust),
        (expected, expected),
        "inet_addr({ip:?}) in C and in Rust: refusing to send anywhere else"
    );
}

/// Addresses that `inet_addr` reads as 0.0.0.0, or as 127.0.0.1 with text after a
/// space or a tab (`inet_aton(3)` stops at white space and ignores the rest).
/// 0.0.0.0 as a destination is this host: Linux routes it to 127.0.0.1
/// (`ip_route_output_key`: no destination, then loopback), so a client given "0" talks
/// to the server on 127.0.0.1 and the server sees it come from 127.0.0.1.
const THIS_HOST: &[(&str, Ipv4Addr)] = &[
    ("0", Ipv4Addr::UNSPECIFIED),
    ("0.0.0.0", Ipv4Addr::UNSPECIFIED),
    ("0x0", Ipv4Addr::UNSPECIFIED),
    ("127.0.0.1 and then anything", Ipv4Addr::LOCALHOST),
    ("127.0.0.1\tjunk", Ipv4Addr::LOCALHOST),
];

#[test]
fn zero_and_text_after_a_space_reach_this_host_udp() {
    let recorder = Recorder::start(20);
    let port = recorder.port.to_string();
    for (ip, reads_as) in THIS_HOST {
        assert_reads_as(ip, *reads_as);
        for name in ["udp-echo", "udp-hello"] {
            let (input, datagram): (&[u8], &[u8]) = match name {
                "udp-echo" => (b"hi\n", b"hi\0"),
                _ => (b"", b"hello world\0"),
            };
            let mut seen = Vec::new();
            for lang in [Lang::C, Lang::Rust] {
                let mut client = Live::program(&program(name, "client", lang), &[ip, &port]);
                client.feed_all(input);
                let ended = client.wait();
                let got = recorder.take(1);
                for (_, from) in &got {
                    assert_eq!(from.ip(), Ipv4Addr::LOCALHOST, "{name} ({lang}) {ip:?}");
                }
                let got: Vec<Vec<u8>> = got.into_iter().map(|(d, _)| d).collect();
                seen.push((ended, got));
            }
            assert_eq!(
                seen[0], seen[1],
                "{name} client {ip:?}: C (left), Rust (right)"
            );
            let (ended, got) = &seen[0];
            assert_eq!(got, &[datagram.to_vec()], "{name} client {ip:?}");
            assert_eq!(ended.status, "exited with status 0", "{name} {ip:?}");
            if name == "udp-echo" {
                assert_eq!(ended.stdout, b"hi\n");
            }
        }
    }
}

#[test]
fn zero_and_text_after_a_space_reach_this_host_tcp() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    for (ip, reads_as) in THIS_HOST {
        assert_reads_as(ip, *reads_as);
        for name in ["tcp-echo", "tcp-hello"] {
            let mut seen = Vec::new();
            for lang in [Lang::C, Lang::Rust] {
                let mut client = Live::program(&program(name, "client", lang), &[ip, &port]);
                client.feed_all(b"hi\n");
                // The test's server: one connection, its 100-byte message echoed.
                let (mut conn, from) = listener.accept().unwrap();
                conn.set_read_timeout(Some(REPLY_WITHIN)).unwrap();
                let mut got = vec![0; 100];
                conn.read_exact(&mut got).unwrap();
                if name == "tcp-echo" {
                    conn.write_all(&got).unwrap();
                }
                let ended = client.wait();
                assert_eq!(from.ip(), Ipv4Addr::LOCALHOST, "{name} ({lang}) {ip:?}");
                seen.push((ended, got));
            }
            assert_eq!(
                seen[0], seen[1],
                "{name} client {ip:?}: C (left), Rust (right)"
            );
            let (ended, got) = &seen[0];
            let mut message = b"hi".to_vec();
            message.resize(100, 0);
            assert_eq!(got, &message, "{name} {ip:?}");
            assert_eq!(ended.status, "exited with status 0", "{name} {ip:?}");
        }
    }
}

/// A name, an IPv6 address, a trailing dot, a prefix length, brackets (as in a URL):
/// `inet_addr` reads none of them (it does not resolve names, and knows only IPv4), so
/// each is `INADDR_NONE`, 255.255.255.255, where `sendto` fails with `EACCES` and
/// `connect` with `ENETUNREACH`, before anything is sent.
#[test]
fn names_and_ipv6_are_not_addresses() {
    let not_read = [
        "localhost",
        "::1",
        "127.0.0.1.",
        "127.0.0.1/8",
        "[127.0.0.1]",
    ];
    let udp_port = kernel::free_port(Transport::Udp).unwrap().to_string();
    let tcp_port = kernel::free_port(Transport::Tcp).unwrap().to_string();
    for ip in not_read {
        assert_reads_as(ip, Ipv4Addr::BROADCAST);
        for (name, port, message) in [
            ("udp-echo", &udp_port, "sendto: Permission denied\n"),
            ("udp-hello", &udp_port, "sendto: Permission denied\n"),
            ("tcp-echo", &tcp_port, "connect: Network is unreachable\n"),
            ("tcp-hello", &tcp_port, "connect: Network is unreachable\n"),
        ] {
            let mut seen = Vec::new();
            for lang in [Lang::C, Lang::Rust] {
                let mut client = Live::program(&program(name, "client", lang), &[ip, port]);
                client.feed_all(b"hello\n");
                seen.push(client.wait());
            }
            assert_eq!(
                seen[0], seen[1],
                "{name} client {ip:?}: C (left), Rust (right)"
            );
            assert_eq!(seen[0].stderr(), message, "{name} {ip:?}");
            assert_eq!(seen[0].status, "exited with status 255", "{name} {ip:?}");
        }
    }
}

/// The fuzz target's property (`fuzz/src/lib.rs`, `cargo fuzz run inet`), run here on
/// the stable compiler: on every string of `tests/data/inet-corpus.txt` (decoded as
/// `tests/inet.rs` decodes it) and on 20,000 seeded random inputs, half over the bytes
/// addresses are made of, half any bytes.
#[test]
fn the_fuzz_targets_property_holds_on_the_corpus_and_random_bytes() {
    let corpus = include_str!("data/inet-corpus.txt");
    let mut strings = 0;
    for line in corpus.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        inet_fuzz::check(&decode(line));
        strings += 1;
    }
    assert!(strings >= 200, "{strings} corpus strings");
    const ALPHABET: &[u8] = b"0123456789abcdefxX.: \t\0";
    let mut state: u64 = 0x01e7_a11a_dd12;
    let mut next = || {
        // xorshift64*: seeded, so a failure is the same on every run.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for i in 0..20_000 {
        let len = (next() % 24) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if i % 2 == 0 {
                    ALPHABET[(r % ALPHABET.len() as u64) as usize]
                } else {
                    r as u8
                }
            })
            .collect();
        inet_fuzz::check(&input);
    }
}

/// A corpus line's escapes (`tests/data/inet-corpus.txt`, its header): `\\ \0 \t \n \v
/// \f \r \s \xHH \e`.
fn decode(line: &str) -> Vec<u8> {
    let mut s = Vec::new();
    let mut bytes = line.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            s.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => s.push(b'\\'),
            Some(b'0') => s.push(0),
            Some(b't') => s.push(b'\t'),
            Some(b'n') => s.push(b'\n'),
            Some(b'v') => s.push(0x0b),
            Some(b'f') => s.push(0x0c),
            Some(b'r') => s.push(b'\r'),
            Some(b's') => s.push(b' '),
            Some(b'e') => {}
            Some(b'x') => {
                let hex: String = [bytes.next().unwrap(), bytes.next().unwrap()]
                    .iter()
                    .map(|&b| b as char)
                    .collect();
                s.push(u8::from_str_radix(&hex, 16).unwrap());
            }
            other => panic!("corpus: unknown escape {other:?} in {line:?}"),
        }
    }
    s
}

// ─── AddressSanitizer's reports, for the book ───────────────────────────────────

/// `report` (ASan's stderr) cut to what a reader needs and what is the same on every
/// run: the error, the access, the stack frames up to `main` (function names; file and
/// line for the notes' own C), the variable overflowed, the summary. Addresses, process
/// ids, the sanitizer's and the C library's source paths, and the shadow-memory dump are
/// left out; paths of the checkout are made relative to it.
fn normalise_asan(report: &str) -> String {
    let root = format!("{}/", source_root().display());
    let hex = |s: &str| s.starts_with("0x") && s.len() > 2;
    let mut out = Vec::new();
    let mut in_first_trace = false;
    let mut trace_done = false;
    for raw in report.lines() {
        let line = raw.replace(&root, "");
        // "==1234==ERROR: …" → "ERROR: …"
        let line = match line.strip_prefix("==") {
            Some(rest) => rest
                .split_once("==")
                .map_or(line.clone(), |(_, r)| r.to_string()),
            None => line,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        if line.contains("AddressSanitizer:DEADLYSIGNAL") || line.contains("nested bug") {
            out.push(line.trim().to_string());
        } else if first == "ERROR:" {
            // "ERROR: AddressSanitizer: KIND on address 0x… at pc 0x… …" → up to "on address".
            let kind: Vec<&str> = words
                .iter()
                .take_while(|w| !hex(w) && **w != "at" && !w.starts_with('('))
                .copied()
                .collect();
            out.push(kind.join(" ").trim_end_matches(" on address").to_string() + " on address …");
        } else if (first == "READ" || first == "WRITE") && words.get(1) == Some(&"of") {
            out.push(format!(
                "{} of size {} …",
                first,
                words.get(3).unwrap_or(&"?")
            ));
            in_first_trace = true;
        } else if first.starts_with('#') && in_first_trace && !trace_done {
            // "#3 0x5632f695a677 in main c-reference/udp-echo/client.c:55"
            let function = words.get(3).copied().unwrap_or("?");
            let place = words.get(4).copied().unwrap_or("");
            let ours = place.starts_with("c-reference/");
            out.push(if ours {
                format!("    {first} {function} {place}")
            } else {
                format!("    {first} {function}")
            });
            if function == "main" {
                trace_done = true;
            }
        } else if first.is_empty() && in_first_trace {
            in_first_trace = false;
        } else if line.contains("<== Memory access") {
            out.push(format!("  {}", line.trim()));
        } else if first == "SUMMARY:" {
            // "SUMMARY: AddressSanitizer: KIND PLACE in FUNCTION"
            let kind = words.get(2).copied().unwrap_or("?");
            let function = line.rsplit_once(" in ").map_or("?", |(_, f)| f);
            out.push(format!("SUMMARY: AddressSanitizer: {kind} … in {function}"));
        }
    }
    out.join("\n") + "\n"
}

/// One excerpt for the book: its file, what was run, and the report.
struct Excerpt {
    file: &'static str,
    what: String,
    report: String,
}

fn asan_excerpts() -> Vec<Excerpt> {
    let mut excerpts = Vec::new();

    // The notes' client, a word of 150 and of 100,000 characters.
    for (file, len) in [
        ("asan-udp-echo-client-150.txt", 150),
        ("asan-udp-echo-client-100000.txt", 100_000),
    ] {
        let (_held, port) = udp_socket();
        let mut client = Live::path(
            &asan("udp-echo", "client"),
            &["127.0.0.1", &port.to_string()],
        );
        let mut input = word(len).into_bytes();
        input.push(b'\n');
        client.feed_all(&input);
        let ended = client.wait();
        excerpts.push(Excerpt {
            file,
            what: format!(
                "udp-echo/client.c built with -fsanitize=address, given one word of {len} \
                 characters"
            ),
            report: ended.stderr(),
        });
    }

    // The servers, 100 bytes without a NUL.
    for (file, name) in [
        ("asan-udp-echo-server-100.txt", "udp-echo"),
        ("asan-tcp-echo-server-100.txt", "tcp-echo"),
    ] {
        let transport = if name.starts_with("udp") {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        let port = kernel::free_port(transport).unwrap();
        let server = bound(
            Live::path(&asan(name, "server"), &[&port.to_string()]),
            transport,
            port,
        );
        let bytes = [b'z'; 100];
        let _stream = if transport == Transport::Udp {
            let (client, _) = udp_socket();
            client.send_to(&bytes, (Ipv4Addr::LOCALHOST, port)).unwrap();
            None
        } else {
            let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
            s.write_all(&bytes).unwrap();
            Some(s)
        };
        let ended = server.wait();
        let sent = if transport == Transport::Udp {
            "a datagram of 100 bytes, no NUL"
        } else {
            "100 bytes, no NUL, on a connection"
        };
        excerpts.push(Excerpt {
            file,
            what: format!("{name}/server.c built with -fsanitize=address, sent {sent}"),
            report: ended.stderr(),
        });
    }
    excerpts
}

/// The excerpts of ASan's reports that the book shows (`book/src/hardening.md`), each
/// in `book/src/generated/`, checked against a fresh run; `SOCKLAB_UPDATE_OUTPUT=1`
/// writes them instead.
#[test]
fn asan_excerpts_in_the_book_are_current() {
    let dir = source_root().join("book/src/generated");
    let update = std::env::var_os("SOCKLAB_UPDATE_OUTPUT").is_some();
    let mut stale = Vec::new();
    for e in asan_excerpts() {
        let body = normalise_asan(&e.report);
        // What each is about, before it goes in the book.
        assert!(
            body.contains("ERROR: AddressSanitizer: "),
            "{}: {}",
            e.file,
            e.report
        );
        if e.file.contains("client-150") {
            assert!(body.contains("WRITE of size 151"), "{body}");
            assert!(body.contains("'buf'"), "{body}");
        } else if e.file.contains("client-100000") {
            assert!(body.contains("stack-overflow") || body.contains("WRITE of size 100001"));
        } else {
            assert!(body.contains("READ of size 101"), "{body}");
            assert!(body.contains("printf"), "{body}");
        }
        let text = format!(
            "# {}\n# stderr, cut to its lines of note (addresses, pids, paths left out):\n{body}",
            e.what
        );
        let path = dir.join(e.file);
        if update {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &text).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(format!(
                "{}: out of date (run `just update-output`); now:\n{text}",
                path.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// The excerpts keep what matters and lose what varies: a report as gcc 12's ASan
/// prints it, normalised.
#[test]
fn asan_reports_are_normalised() {
    let root = source_root().display();
    let report = format!(
        "=================================================================\n\
==1965==ERROR: AddressSanitizer: stack-buffer-overflow on address 0x7ffc3d1ce1a4 at pc 0x7f20f4e716c5 bp 0x7ffc3d1cdf70 sp 0x7ffc3d1cd720\n\
WRITE of size 151 at 0x7ffc3d1ce1a4 thread T0\n\
    #0 0x7f20f4e716c4 in scanf_common ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors_format.inc:342\n\
    #1 0x7f20f4e72256 in __interceptor___isoc99_scanf ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:1548\n\
    #2 0x5632f695a677 in main {root}/c-reference/udp-echo/client.c:55\n\
    #3 0x7f20f4c45249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58\n\
\n\
Address 0x7ffc3d1ce1a4 is located in stack of thread T0 at offset 212 in frame\n\
    #0 0x5632f695a2b8 in main {root}/c-reference/udp-echo/client.c:23\n\
\n\
    [112, 212) 'buf' (line 44) <== Memory access at offset 212 overflows this variable\n\
SUMMARY: AddressSanitizer: stack-buffer-overflow ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors_format.inc:342 in scanf_common\n\
Shadow bytes around the buggy address:\n\
  0x100007a31be0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
    );
    assert_eq!(
        normalise_asan(&report),
        "ERROR: AddressSanitizer: stack-buffer-overflow on address …\n\
WRITE of size 151 …\n    \
    #0 scanf_common\n    \
    #1 __interceptor___isoc99_scanf\n    \
    #2 main c-reference/udp-echo/client.c:55\n  \
  [112, 212) 'buf' (line 44) <== Memory access at offset 212 overflows this variable\n\
SUMMARY: AddressSanitizer: stack-buffer-overflow … in scanf_common\n"
    );
}
