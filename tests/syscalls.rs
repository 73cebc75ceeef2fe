//! The C twins and the Rust twins make the same system calls.
//!
//! Each lesson runs twice through the lesson runner, the C pair and then the Rust pair,
//! on the same input, every program under `strace` (`socklab::lab::trace`). The traces
//! are normalised (pids, random ports, the loader's closes: the rules are in
//! `src/lab/trace.rs`) and compared side by side: the C server's calls against the Rust
//! server's, the C client's against the Rust client's, line for line, with every
//! argument (buffers, lengths, flags, addresses) and every return value.
//!
//! Then the C's trace is checked against what the notes say the programs do (socket,
//! bind, then recvfrom/sendto pairs, one per word, each word with its NUL). The values
//! come from the C's trace and the test's own input, never from the Rust's.
//!
//! Needs `strace`. Without it the tests print a note and pass, except under CI (the `CI`
//! variable set), where a missing `strace` is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pretty_assertions::assert_eq;
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::run::{self, Input, Lang, Outcome, Pair, Program, Quiet};
use socklab::lab::trace::{self, decode_string, Record, Syscall};

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

/// Whether `strace` can run here; `false` prints why the test is skipped, and under CI
/// fails instead.
fn have_strace() -> bool {
    let works = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "strace is not installed, and CI is set: CI must install it"
        );
        eprintln!("note: strace is not installed; skipping the system-call comparison");
    }
    works
}

/// A fresh file for a trace, under cargo's temporary folder for tests.
fn trace_file(tag: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("syscalls");
    std::fs::create_dir_all(&dir).expect("create the trace folder");
    dir.join(format!(
        "{tag}-{}-{}.trace",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// `lesson`'s program ("server" or "client") in `lang`, traced to a new file.
fn traced_program(lesson: &Lesson, program: &str, lang: Lang) -> Program {
    let mut p = match lang {
        Lang::C => {
            let (path, _) = builds()
                .build_c(lesson.name, program, CFlavor::Plain)
                .expect("build the C");
            Program::new(path, Lang::C)
        }
        Lang::Rust => Program::new(rust_bin(lesson, program).into(), Lang::Rust),
        Lang::Other(name) => panic!("{name} is not a twin"),
    };
    p.trace = Some(trace_file(&format!("{}-{program}-{lang}", lesson.name)));
    p
}

fn rust_bin(lesson: &Lesson, program: &str) -> &'static str {
    match (lesson.name, program) {
        ("udp-hello", "server") => env!("CARGO_BIN_EXE_udp-hello-server"),
        ("udp-hello", "client") => env!("CARGO_BIN_EXE_udp-hello-client"),
        ("udp-echo", "server") => env!("CARGO_BIN_EXE_udp-echo-server"),
        ("udp-echo", "client") => env!("CARGO_BIN_EXE_udp-echo-client"),
        other => panic!("no Rust twin for {other:?}"),
    }
}

/// A run of one language's pair, both sides traced: the outcome and each side's
/// normalised calls.
struct Traced {
    outcome: Outcome,
    server: Vec<String>,
    client: Vec<String>,
}

fn traced_run(lesson: &'static Lesson, lang: Lang, input: &[u8]) -> Traced {
    let server = traced_program(lesson, "server", lang);
    let client = traced_program(lesson, "client", lang);
    let mut pair = Pair::new(lesson, lang, lang);
    pair.input = Input::Bytes(input.to_vec());
    let outcome = run::run(&pair, &server, &client, &mut Quiet, None)
        .unwrap_or_else(|e| panic!("{} {lang} pair: {e}", lesson.name));
    let calls = |p: &Program| {
        let path = p.trace.as_ref().unwrap();
        let records =
            trace::wait_for_trace(path, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
        // Read whole: the file is of no more use (a failing test shows the lines).
        let _ = std::fs::remove_file(path);
        trace::normalise(&records, outcome.port)
    };
    Traced {
        server: calls(&server),
        client: calls(&client),
        outcome,
    }
}

/// The C pair and the Rust pair, run on `input`: asserts that each side's calls are the
/// same in both languages, and returns the C's.
fn same_calls(lesson_name: &str, input: &[u8]) -> Option<Traced> {
    if !have_strace() {
        return None;
    }
    let lesson = lessons::find(lesson_name).expect("a lesson");
    let c = traced_run(lesson, Lang::C, input);
    let rust = traced_run(lesson, Lang::Rust, input);
    assert_eq!(
        c.server, rust.server,
        "{lesson_name} server: C (left) and Rust (right) calls differ"
    );
    assert_eq!(
        c.client, rust.client,
        "{lesson_name} client: C (left) and Rust (right) calls differ"
    );
    assert_eq!(
        c.outcome.client_status.code(),
        Some(0),
        "the C client ended badly"
    );
    Some(c)
}

/// Normalised lines back into calls (they are still `strace`'s syntax), signals and
/// ends, to check their structure.
fn parsed(lines: &[String]) -> Vec<Record> {
    trace::parse_trace(&lines.join("\n"))
}

fn call(record: &Record) -> &Syscall {
    match record {
        Record::Call(call) => call,
        other => panic!("not a call: {other:?}"),
    }
}

/// The words `scanf("%s")` reads from `input`: runs of bytes that are not C's
/// `isspace` (space, \t, \n, \v, \f, \r).
fn scanf_words(input: &[u8]) -> Vec<Vec<u8>> {
    input
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// `"hello\0"` as bytes, or a panic naming the call.
fn buffer(call: &Syscall, at: usize) -> Vec<u8> {
    let args = call.arg_list();
    decode_string(args[at]).unwrap_or_else(|| panic!("no string at {at} in {call}"))
}

const SERVER_ADDR: &str =
    r#"{sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}"#;
const TO_SERVER: &str =
    r#"{sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("127.0.0.1")}"#;
const FROM_CLIENT: &str =
    r#"{sa_family=AF_INET, sin_port=htons(EPHEMERAL1), sin_addr=inet_addr("127.0.0.1")}"#;

/// `socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = fd`: returns fd.
fn check_socket(record: &Record) -> String {
    let socket = call(record);
    assert_eq!(socket.name, "socket", "{socket}");
    assert_eq!(socket.args, "AF_INET, SOCK_DGRAM, IPPROTO_IP");
    let fd = socket.returned().expect("socket returned");
    assert!(fd >= 3, "{socket}");
    fd.to_string()
}

/// `bind(fd, {AF_INET, htons(PORT), INADDR_ANY}, 16) = 0`: the notes' bind.
fn check_bind(record: &Record, fd: &str) {
    let bind = call(record);
    assert_eq!(bind.name, "bind", "{bind}");
    assert_eq!(bind.arg_list(), [fd, SERVER_ADDR, "16"]);
    assert_eq!(bind.returned(), Some(0));
}

fn check_close(record: &Record, fd: &str) {
    let close = call(record);
    assert_eq!((close.name.as_str(), close.args.as_str()), ("close", fd));
    assert_eq!(close.returned(), Some(0));
}

fn check_exit(record: &Record, expected: &str) {
    let Record::Exit { how, .. } = record else {
        panic!("not an exit: {record:?}");
    };
    assert_eq!(format!("{how:?}"), expected);
}

/// The echo server's calls (notes §4.6): socket, bind, then one recvfrom/sendto pair per
/// word, each received with its NUL from the client's port and sent back whole to it;
/// then the SIGTERM that stops it.
fn check_echo_server(lines: &[String], words: &[Vec<u8>]) {
    let records = parsed(lines);
    assert_eq!(records.len(), 2 + 2 * words.len() + 2, "{lines:#?}");
    let fd = check_socket(&records[0]);
    check_bind(&records[1], &fd);
    for (i, word) in words.iter().enumerate() {
        let recv = call(&records[2 + 2 * i]);
        let send = call(&records[3 + 2 * i]);
        let mut datagram = word.clone();
        datagram.push(0);
        let n = datagram.len().to_string();
        assert_eq!(recv.name, "recvfrom", "{recv}");
        assert_eq!(buffer(recv, 1), datagram, "{recv}");
        assert_eq!(recv.arg_list()[0], fd);
        assert_eq!(recv.arg_list()[2..], ["100", "0", FROM_CLIENT, "[16]"]);
        assert_eq!(recv.ret.as_deref(), Some(n.as_str()), "{recv}");
        assert_eq!(send.name, "sendto", "{send}");
        assert_eq!(buffer(send, 1), datagram, "{send}");
        assert_eq!(send.arg_list()[0], fd);
        assert_eq!(send.arg_list()[2..], [n.as_str(), "0", FROM_CLIENT, "16"]);
        assert_eq!(send.ret.as_deref(), Some(n.as_str()), "{send}");
    }
    let tail = &records[records.len() - 2..];
    assert!(
        matches!(&tail[0], Record::Signal { name, .. } if name == "SIGTERM"),
        "{:?}",
        tail[0]
    );
    check_exit(&tail[1], r#"Killed("SIGTERM")"#);
}

/// The echo client's calls: socket, then per word a sendto of the word and its NUL
/// (`strlen(buf)+1`) to the server and a recvfrom of the same bytes from it, close.
fn check_echo_client(lines: &[String], words: &[Vec<u8>]) {
    let records = parsed(lines);
    assert_eq!(records.len(), 1 + 2 * words.len() + 2, "{lines:#?}");
    let fd = check_socket(&records[0]);
    for (i, word) in words.iter().enumerate() {
        let send = call(&records[1 + 2 * i]);
        let recv = call(&records[2 + 2 * i]);
        let mut datagram = word.clone();
        datagram.push(0);
        let n = datagram.len().to_string();
        assert_eq!(send.name, "sendto", "{send}");
        assert_eq!(buffer(send, 1), datagram, "{send}");
        assert_eq!(send.arg_list()[0], fd);
        assert_eq!(send.arg_list()[2..], [n.as_str(), "0", TO_SERVER, "16"]);
        assert_eq!(send.ret.as_deref(), Some(n.as_str()), "{send}");
        assert_eq!(recv.name, "recvfrom", "{recv}");
        assert_eq!(buffer(recv, 1), datagram, "{recv}");
        assert_eq!(recv.arg_list()[0], fd);
        assert_eq!(recv.arg_list()[2..], ["100", "0", TO_SERVER, "[16]"]);
        assert_eq!(recv.ret.as_deref(), Some(n.as_str()), "{recv}");
    }
    check_close(&records[records.len() - 2], &fd);
    check_exit(&records[records.len() - 1], "Exited(0)");
}

fn echo(input: &[u8]) {
    let Some(c) = same_calls("udp-echo", input) else {
        return;
    };
    let words = scanf_words(input);
    check_echo_server(&c.server, &words);
    check_echo_client(&c.client, &words);
}

#[test]
fn udp_hello_same_calls_in_c_and_rust() {
    let Some(c) = same_calls("udp-hello", b"") else {
        return;
    };
    // The server (notes §4.5): socket, bind, one recvfrom of "hello world" and its NUL,
    // close, exit 0.
    let server = parsed(&c.server);
    assert_eq!(server.len(), 5, "{:#?}", c.server);
    let fd = check_socket(&server[0]);
    check_bind(&server[1], &fd);
    let recv = call(&server[2]);
    assert_eq!(recv.name, "recvfrom", "{recv}");
    assert_eq!(buffer(recv, 1), b"hello world\0");
    assert_eq!(recv.arg_list()[2..], ["100", "0", FROM_CLIENT, "[16]"]);
    assert_eq!(recv.returned(), Some(12));
    check_close(&server[3], &fd);
    check_exit(&server[4], "Exited(0)");
    // The client: socket, sendto of sizeof(buf) = 12 bytes, close, exit 0.
    let client = parsed(&c.client);
    assert_eq!(client.len(), 4, "{:#?}", c.client);
    let fd = check_socket(&client[0]);
    let send = call(&client[1]);
    assert_eq!(send.name, "sendto", "{send}");
    assert_eq!(buffer(send, 1), b"hello world\0");
    assert_eq!(send.arg_list()[2..], ["12", "0", TO_SERVER, "16"]);
    assert_eq!(send.returned(), Some(12));
    check_close(&client[2], &fd);
    check_exit(&client[3], "Exited(0)");
}

#[test]
fn udp_echo_same_calls_default_input() {
    let lesson = lessons::find("udp-echo").unwrap();
    echo(lesson.default_input.as_bytes());
}

#[test]
fn udp_echo_same_calls_several_words_on_a_line() {
    // scanf("%s") reads a word at a time: one datagram per word, whatever the spacing.
    echo(b"one two  three\tfour\n\n  five\x0bsix\r\nseven");
}

#[test]
fn udp_echo_same_calls_99_character_word() {
    // The longest word buf[100] holds with its NUL: a 100-byte datagram, sent whole.
    let mut input = vec![b'x'; 99];
    input.extend_from_slice(b"\nshort\n");
    echo(&input);
}

#[test]
fn udp_echo_same_calls_empty_input() {
    // Nothing to send: the client opens its socket and closes it.
    echo(b"");
}
