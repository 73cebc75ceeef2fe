//! The twins against programs no one here wrote.
//!
//! The C and the Rust udp-echo servers each serve a client written with Python's
//! `socket` module (`tests/clients/udp_echo.py`) and OpenBSD netcat (`nc -u`, the notes'
//! §4.4.8), through the lesson runner. The two servers' transcripts must be equal (the
//! C's is the oracle), and every word must come back. The other way round, the C and
//! the Rust udp-echo clients each talk to a Python echo server
//! (`tests/clients/udp_echo_server.py`), so that both clients are checked against
//! someone else's server too.
//!
//! The same for TCP: the C and the Rust tcp-echo servers (and the reuseaddr servers,
//! tcp-echo's with `SO_REUSEADDR`) each serve a Python TCP client
//! (`tests/clients/tcp_echo.py`) and `nc`; the tcp-hello servers serve `nc -N`; and the
//! C and the Rust tcp-hello and tcp-echo clients each talk to a Python TCP echo server
//! (`tests/clients/tcp_echo_server.py`). The notes' TCP programs speak in 100-byte
//! messages (`write(fd, buf, sizeof(buf))`): what the C server prints and echoes for a
//! client that sends less is the C's to say, and these tests ask it.
//!
//! `python3` is needed. `nc` is used where it is installed and is OpenBSD's; otherwise
//! its test prints a note and passes, except under CI (the `CI` variable set), which
//! installs it: there, a missing `nc` fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pretty_assertions::assert_eq;
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::mux::{Stream, Who};
use socklab::lab::run::{self, Input, Lang, Outcome, Pair, Program, Quiet};

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

fn udp_echo() -> &'static Lesson {
    lessons::find("udp-echo").expect("the udp-echo lesson")
}

/// The C twin and the Rust twin of udp-echo's `program`, in that order.
fn twins(program: &str) -> [Program; 2] {
    let (c, _) = builds()
        .build_c("udp-echo", program, CFlavor::Plain)
        .expect("build the C");
    let rust = match program {
        "server" => env!("CARGO_BIN_EXE_udp-echo-server"),
        _ => env!("CARGO_BIN_EXE_udp-echo-client"),
    };
    [
        Program::new(c, Lang::C),
        Program::new(PathBuf::from(rust), Lang::Rust),
    ]
}

/// `python3 -u tests/clients/<script> ARGS…` (unbuffered: each line is written as it is
/// printed, so the transcript's order is the order of events).
fn python(script: &str, args: &[&str]) -> Program {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let mut leading_args = vec!["-u".to_owned(), script.display().to_string()];
    leading_args.extend(args.iter().map(|a| a.to_string()));
    Program {
        leading_args,
        ..Program::new(PathBuf::from("python3"), Lang::Other("python"))
    }
}

fn run_pair(server: &Program, client: &Program, input: &[u8]) -> Outcome {
    let mut pair = Pair::new(udp_echo(), server.lang, client.lang);
    pair.input = Input::Bytes(input.to_vec());
    run::run(&pair, server, client, &mut Quiet, None)
        .unwrap_or_else(|e| panic!("{} server, {} client: {e}", server.lang, client.lang))
}

/// The words `scanf("%s")` (and Python's `bytes.split()`) read from `input`.
fn words(input: &[u8]) -> Vec<&[u8]> {
    input
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `recv: WORD\n` for each word: the notes' server's line.
fn recv_lines(words: &[&[u8]]) -> Vec<u8> {
    words
        .iter()
        .flat_map(|w| [b"recv: ", *w, b"\n"].concat())
        .collect()
}

const INPUT: &[u8] = "hello world\nsocket 套接字\n\ttabs\tand  spaces \n".as_bytes();

/// The C and the Rust server, each with the same `client`: returns both outcomes after
/// asserting their transcripts equal and the client content.
fn both_servers(client: &Program, input: &[u8]) -> [Outcome; 2] {
    let outcomes = twins("server").map(|server| run_pair(&server, client, input));
    let [c, rust] = &outcomes;
    assert_eq!(
        c.transcript.lines(),
        rust.transcript.lines(),
        "{} client: C server (left) and Rust server (right)",
        client.lang
    );
    assert_eq!(c.client_status.code(), Some(0), "{:?}", c.transcript);
    assert_eq!(rust.client_status.code(), Some(0), "{:?}", rust.transcript);
    outcomes
}

fn python_client(nul: bool) {
    let args: &[&str] = if nul { &[] } else { &["--no-nul"] };
    let client = python("udp_echo.py", args);
    let [c, _] = both_servers(&client, INPUT);
    let words = words(INPUT);
    // The C server (the oracle) printed each word, NUL or not: its buf is all zeros
    // before each recvfrom, so the word is a C string either way.
    assert_eq!(
        c.transcript.text(Who::Server, Stream::Stdout),
        String::from_utf8_lossy(&recv_lines(&words))
    );
    // Every word came back, exactly as sent.
    let echoed: Vec<u8> = words
        .iter()
        .flat_map(|w| {
            let mut line = w.to_vec();
            if nul {
                line.push(0);
            }
            line.push(b'\n');
            line
        })
        .collect();
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), echoed);
    assert_eq!(c.transcript.text(Who::Client, Stream::Stderr), "");
    assert_eq!(c.transcript.text(Who::Server, Stream::Stderr), "");
}

#[test]
fn python_client_words_with_nul_both_servers_echo() {
    python_client(true);
}

#[test]
fn python_client_words_without_nul_both_servers_echo() {
    python_client(false);
}

/// OpenBSD netcat, if it is here: `Some(())`; otherwise a note, or under CI a failure.
fn openbsd_nc() -> Option<()> {
    let help = Command::new("nc")
        .arg("-h")
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| {
            let mut text = o.stdout;
            text.extend(o.stderr);
            String::from_utf8_lossy(&text).into_owned()
        });
    if help
        .as_deref()
        .is_some_and(|h| h.contains("OpenBSD netcat"))
    {
        return Some(());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but OpenBSD netcat (`nc`) is not installed: CI must install it \
         (Debian/Ubuntu: netcat-openbsd)"
    );
    eprintln!("note: OpenBSD netcat (`nc`) is not installed; skipping the nc test");
    None
}

#[test]
fn nc_client_both_servers_echo() {
    if openbsd_nc().is_none() {
        return;
    }
    // `nc -u 127.0.0.1 PORT` sends what it reads from stdin as it reads it: the whole
    // input, written to its stdin at once, is one datagram, newlines and all. It writes
    // what comes back to stdout. `-W 1`: quit once one datagram has come back; `-w 5`:
    // or after 5 seconds without one. (Not `-q`: it implies `-N`, and netcat 1.219 then
    // drops the echo.)
    let nc = Program {
        leading_args: ["-u", "-W", "1", "-w", "5"].map(String::from).to_vec(),
        ..Program::new(PathBuf::from("nc"), Lang::Other("nc"))
    };
    let input = b"hello world\nsocket \xe5\xa5\x97\xe6\x8e\xa5\xe5\xad\x97\n";
    let [c, _] = both_servers(&nc, input);
    // The C server printed the datagram with %s: its newlines, then printf's own.
    let mut printed = b"recv: ".to_vec();
    printed.extend_from_slice(input);
    printed.push(b'\n');
    assert_eq!(c.transcript.bytes(Who::Server, Stream::Stdout), printed);
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), input);
}

#[test]
fn both_clients_against_a_python_echo_server() {
    let server = python("udp_echo_server.py", &[]);
    let outcomes = twins("client").map(|client| run_pair(&server, &client, INPUT));
    let [c, rust] = &outcomes;
    assert_eq!(
        c.transcript.lines(),
        rust.transcript.lines(),
        "Python server: C client (left) and Rust client (right)"
    );
    assert_eq!(c.client_status.code(), Some(0), "{:?}", c.transcript);
    let words = words(INPUT);
    // The C client (the oracle) printed each echo; the server saw each word once.
    let printed: Vec<u8> = words.iter().flat_map(|w| [*w, b"\n"].concat()).collect();
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), printed);
    assert_eq!(
        c.transcript.bytes(Who::Server, Stream::Stdout),
        recv_lines(&words)
    );
    assert_eq!(c.transcript.text(Who::Client, Stream::Stderr), "");
}

// ─── TCP ─────────────────────────────────────────────────────────────────────────

/// The C twin and the Rust twin of `lesson`'s `program` (the reuseaddr lesson has only
/// a server), in that order.
fn tcp_twins(lesson: &str, program: &str) -> [Program; 2] {
    let (c, _) = builds()
        .build_c(lesson, program, CFlavor::Plain)
        .expect("build the C");
    let rust = match (lesson, program) {
        ("tcp-hello", "server") => env!("CARGO_BIN_EXE_tcp-hello-server"),
        ("tcp-hello", "client") => env!("CARGO_BIN_EXE_tcp-hello-client"),
        ("tcp-echo", "server") => env!("CARGO_BIN_EXE_tcp-echo-server"),
        ("tcp-echo", "client") => env!("CARGO_BIN_EXE_tcp-echo-client"),
        ("reuseaddr", "server") => env!("CARGO_BIN_EXE_reuseaddr-server"),
        other => panic!("no twins {other:?}"),
    };
    [
        Program::new(c, Lang::C),
        Program::new(PathBuf::from(rust), Lang::Rust),
    ]
}

fn run_lesson(lesson: &str, server: &Program, client: &Program, input: &[u8]) -> Outcome {
    let lesson = lessons::find(lesson).expect("a lesson");
    let mut pair = Pair::new(lesson, server.lang, client.lang);
    pair.input = Input::Bytes(input.to_vec());
    run::run(&pair, server, client, &mut Quiet, None).unwrap_or_else(|e| {
        panic!(
            "{}: {} server, {} client: {e}",
            lesson.name, server.lang, client.lang
        )
    })
}

/// The C and the Rust `lesson` server, each with the same `client`: asserts their
/// transcripts equal and that the client ended well; returns the C's outcome.
fn both_tcp_servers(lesson: &str, client: &Program, input: &[u8]) -> Outcome {
    let [c, rust] =
        tcp_twins(lesson, "server").map(|server| run_lesson(lesson, &server, client, input));
    assert_eq!(
        c.transcript.lines(),
        rust.transcript.lines(),
        "{lesson}, {} client: C server (left) and Rust server (right); C: {c:?}; Rust: \
         {rust:?}",
        client.lang
    );
    assert_eq!(
        (c.server_status, c.server_stopped),
        (rust.server_status, rust.server_stopped),
        "{lesson}: how the servers ended: C (left), Rust (right)"
    );
    assert_eq!(c.client_status.code(), Some(0), "{:?}", c.transcript);
    assert_eq!(rust.client_status.code(), Some(0), "{:?}", rust.transcript);
    c
}

/// `word` and NULs to 100 bytes: what the notes' TCP server writes back for a message
/// holding `word` (its whole `buf[100]`, all zeros but what `read` put there).
fn padded(word: &[u8]) -> Vec<u8> {
    let mut buf = word.to_vec();
    buf.resize(100, 0);
    buf
}

/// What the notes' echo server prints once its client has gone (it does not check
/// `read`'s 0): "read: " with an empty buf, twice, before `SIGPIPE` kills it.
const AFTER_THE_CLIENT_LEFT: &[u8] = b"read: \nread: \n";

/// `read: WORD\n` for each word: the notes' TCP server's line.
fn read_lines(words: &[&[u8]]) -> Vec<u8> {
    words
        .iter()
        .flat_map(|w| [b"read: ", *w, b"\n"].concat())
        .collect()
}

fn killed_by_sigpipe(o: &Outcome) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(o.server_status.signal(), Some(libc::SIGPIPE), "{o:?}");
    assert!(!o.server_stopped, "SIGPIPE ended it, not the runner");
}

fn python_tcp_client(lesson: &str, word_only: bool) {
    let args: &[&str] = if word_only { &["--word-only"] } else { &[] };
    let client = python("tcp_echo.py", args);
    let c = both_tcp_servers(lesson, &client, INPUT);
    let words = words(INPUT);
    // The C server (the oracle) printed each word, a 100-byte message or the word
    // alone, then the notes' two empty reads once the client had gone, and died of
    // SIGPIPE.
    let mut printed = read_lines(&words);
    printed.extend_from_slice(AFTER_THE_CLIENT_LEFT);
    assert_eq!(
        String::from_utf8_lossy(&c.transcript.bytes(Who::Server, Stream::Stdout)),
        String::from_utf8_lossy(&printed)
    );
    killed_by_sigpipe(&c);
    // Every word came back in a 100-byte echo: the word and NULs, also when only the
    // word was sent.
    let echoed: Vec<u8> = words
        .iter()
        .flat_map(|w| [padded(w), b"\n".to_vec()].concat())
        .collect();
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), echoed);
    assert_eq!(c.transcript.text(Who::Client, Stream::Stderr), "");
    assert_eq!(c.transcript.text(Who::Server, Stream::Stderr), "");
}

#[test]
fn python_tcp_client_100_byte_messages_both_tcp_echo_servers_echo() {
    python_tcp_client("tcp-echo", false);
}

#[test]
fn python_tcp_client_words_alone_both_tcp_echo_servers_echo_100_bytes() {
    python_tcp_client("tcp-echo", true);
}

#[test]
fn python_tcp_client_both_reuseaddr_servers_echo() {
    python_tcp_client("reuseaddr", false);
}

#[test]
fn nc_client_both_tcp_echo_servers_echo() {
    if openbsd_nc().is_none() {
        return;
    }
    // `nc 127.0.0.1 PORT` writes what it reads from stdin as it reads it: the whole
    // input, written to its stdin at once, is one write, newlines and all, and less than
    // the server's 100-byte buf. It writes what comes back to stdout. `-W 1`: quit once
    // one read from the network has returned data (the 100-byte echo). Not `-N`: a
    // shutdown after the input would make the server read 0 while nc still reads, and
    // its NULs would come back a timing-dependent number of times.
    let nc = Program {
        leading_args: ["-W", "1", "-w", "5"].map(String::from).to_vec(),
        ..Program::new(PathBuf::from("nc"), Lang::Other("nc"))
    };
    let input = "hello world\nsocket 套接字\n".as_bytes();
    assert!(input.len() < 100);
    let c = both_tcp_servers("tcp-echo", &nc, input);
    // The C server read the input in one read and printed it with %s: its newlines,
    // then printf's own; then, nc gone, its two empty reads.
    let mut printed = b"read: ".to_vec();
    printed.extend_from_slice(input);
    printed.push(b'\n');
    printed.extend_from_slice(AFTER_THE_CLIENT_LEFT);
    assert_eq!(c.transcript.bytes(Who::Server, Stream::Stdout), printed);
    killed_by_sigpipe(&c);
    // What nc got back: the whole buf, the input and NULs to 100 bytes.
    assert_eq!(
        c.transcript.bytes(Who::Client, Stream::Stdout),
        padded(input)
    );
}

#[test]
fn nc_client_both_tcp_hello_servers_read_once() {
    if openbsd_nc().is_none() {
        return;
    }
    // `-N`: shut the connection down for writing at the end of input, so that the
    // server's read sees the end (it reads once anyway), and nc ends when the server
    // closes.
    let nc = Program {
        leading_args: ["-N", "-w", "5"].map(String::from).to_vec(),
        ..Program::new(PathBuf::from("nc"), Lang::Other("nc"))
    };
    let input = b"hello world\n";
    let c = both_tcp_servers("tcp-hello", &nc, input);
    // One read of what nc sent (the newline included), printed with %s and "\n"; the
    // server closes both sockets and exits 0.
    assert_eq!(
        c.transcript.text(Who::Server, Stream::Stdout),
        "read: hello world\n\n"
    );
    assert_eq!(c.server_status.code(), Some(0));
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), b"");
}

/// The C and the Rust `lesson` client, each against the Python TCP echo server.
fn both_clients_against_python(lesson: &str, input: &[u8]) -> Outcome {
    let server = python("tcp_echo_server.py", &[]);
    let [c, rust] =
        tcp_twins(lesson, "client").map(|client| run_lesson(lesson, &server, &client, input));
    assert_eq!(
        c.transcript.lines(),
        rust.transcript.lines(),
        "{lesson}, Python server: C client (left) and Rust client (right); C: {c:?}; \
         Rust: {rust:?}"
    );
    assert_eq!(c.client_status.code(), Some(0), "{:?}", c.transcript);
    assert_eq!(rust.client_status.code(), Some(0), "{:?}", rust.transcript);
    assert_eq!(c.server_status.code(), Some(0), "{:?}", c.transcript);
    assert_eq!(rust.server_status.code(), Some(0), "{:?}", rust.transcript);
    assert_eq!(c.transcript.text(Who::Client, Stream::Stderr), "");
    assert_eq!(c.transcript.text(Who::Server, Stream::Stderr), "");
    c
}

#[test]
fn both_tcp_echo_clients_against_a_python_echo_server() {
    let c = both_clients_against_python("tcp-echo", INPUT);
    let words = words(INPUT);
    // The C client (the oracle) printed each echo; the server saw each word once.
    let printed: Vec<u8> = words.iter().flat_map(|w| [*w, b"\n"].concat()).collect();
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), printed);
    assert_eq!(
        c.transcript.bytes(Who::Server, Stream::Stdout),
        read_lines(&words)
    );
}

#[test]
fn both_tcp_hello_clients_against_a_python_echo_server() {
    let c = both_clients_against_python("tcp-hello", b"hello world\n");
    // One message, the first word; the client prints nothing.
    assert_eq!(
        c.transcript.text(Who::Server, Stream::Stdout),
        "read: hello\n"
    );
    assert_eq!(c.transcript.bytes(Who::Client, Stream::Stdout), b"");
}
