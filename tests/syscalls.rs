//! The C twins and the Rust twins make the same system calls.
//!
//! Each lesson runs twice through the lesson runner, the C pair and then the Rust pair,
//! on the same input, every program under `strace` (`socklab::lab::trace`). The traces
//! are normalised (pids, random ports, the loader's closes: the rules are in
//! `src/lab/trace.rs`) and compared side by side: the C server's calls against the Rust
//! server's, the C client's against the Rust client's, line for line, with every
//! argument (buffers, lengths, flags, addresses) and every return value.
//!
//! Then the C's trace is checked against what the notes say the programs do (UDP:
//! socket, bind, then recvfrom/sendto pairs, one per word, each word with its NUL; TCP:
//! socket, bind, listen, accept, then a `read`/`write` of the whole 100-byte buffer per
//! word, and the echo server's death by `SIGPIPE` once its client has gone). The values
//! come from the C's trace and the test's own input, never from the Rust's.
//!
//! The TCP programs move their data with `read` and `write`, which strace's `%network`
//! class leaves out: the runner traces them too, and the normaliser keeps those on
//! sockets only (not the loader's reads, nor stdin, nor stdout; see `src/lab/trace.rs`).
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

/// `lesson`'s program ("server" or "client") in `lang`, traced to a new file. (The
/// reuseaddr lesson's client is tcp-echo's.)
fn traced_program(lesson: &Lesson, program: &str, lang: Lang) -> Program {
    let mut p = match lang {
        Lang::C => {
            let (path, _) = builds()
                .build_c(lesson.owner_of(program), program, CFlavor::Plain)
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
    match (lesson.owner_of(program), program) {
        ("udp-hello", "server") => env!("CARGO_BIN_EXE_udp-hello-server"),
        ("udp-hello", "client") => env!("CARGO_BIN_EXE_udp-hello-client"),
        ("udp-echo", "server") => env!("CARGO_BIN_EXE_udp-echo-server"),
        ("udp-echo", "client") => env!("CARGO_BIN_EXE_udp-echo-client"),
        ("tcp-hello", "server") => env!("CARGO_BIN_EXE_tcp-hello-server"),
        ("tcp-hello", "client") => env!("CARGO_BIN_EXE_tcp-hello-client"),
        ("tcp-echo", "server") => env!("CARGO_BIN_EXE_tcp-echo-server"),
        ("tcp-echo", "client") => env!("CARGO_BIN_EXE_tcp-echo-client"),
        ("reuseaddr", "server") => env!("CARGO_BIN_EXE_reuseaddr-server"),
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
    check_socket_of(record, "SOCK_DGRAM")
}

/// `socket(AF_INET, kind, IPPROTO_IP) = fd`: returns fd.
fn check_socket_of(record: &Record, kind: &str) -> String {
    let socket = call(record);
    assert_eq!(socket.name, "socket", "{socket}");
    assert_eq!(socket.args, format!("AF_INET, {kind}, IPPROTO_IP"));
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

// ─── TCP: tcp-hello (§5.4), tcp-echo (§5.5), reuseaddr (§6) ──────────────────────

/// The 100-byte buffers the notes' TCP clients write for `words`, in order: all of
/// `char buf[100]` each time (`write(sockfd, buf, sizeof(buf))`). `buf` starts all NUL
/// (`= "\0"`); `scanf("%s")` puts a word and its NUL at its start and leaves the rest as
/// it was. The echo client `bzero`s `buf` *before* its `read`, not before `scanf`, so
/// what is left after a word's NUL is the previous echo: after "xxxxxxxx", "short" goes
/// out as `"short\0xx\0…"`. (The C's traces showed this; the server echoes the 100 bytes
/// as they came, and `printf`/`puts` stop at the first NUL, so no one sees it printed.)
fn client_buffers(words: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut buf = vec![0u8; 100];
    words
        .iter()
        .map(|word| {
            assert!(
                word.len() < 100,
                "a word of 100 or more overflows the C's buf"
            );
            buf[..word.len()].copy_from_slice(word);
            buf[word.len()] = 0;
            buf.clone()
        })
        .collect()
}

/// A `read` or `write` (`name`) of the 100-byte buffer `bytes` on `fd`, returning 100.
fn check_io100(record: &Record, name: &str, fd: &str, bytes: &[u8]) {
    let io = call(record);
    assert_eq!(io.name, name, "{io}");
    assert_eq!(io.arg_list()[0], fd, "{io}");
    assert_eq!(buffer(io, 1), bytes, "{io}");
    assert_eq!(io.arg_list()[2], "100", "{io}: sizeof(buf)");
    assert_eq!(io.ret.as_deref(), Some("100"), "{io}");
}

/// The TCP server's start: socket, (the reuseaddr server: `setsockopt(SO_REUSEADDR)`),
/// bind to INADDR_ANY:PORT, `listen(fd, 5)`, `accept(fd, NULL, NULL)` returning a new
/// descriptor. Returns the listening and the connected descriptor and the records after.
fn check_tcp_server_start(records: &[Record], reuseaddr: bool) -> (String, String, &[Record]) {
    let listenfd = check_socket_of(&records[0], "SOCK_STREAM");
    let mut at = 1;
    if reuseaddr {
        // The notes' §6 lines, before bind: `int on = 1; setsockopt(..., &on,
        // sizeof(on))`.
        let opt = call(&records[at]);
        assert_eq!(
            opt.to_string(),
            format!("setsockopt({listenfd}, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0")
        );
        at += 1;
    }
    check_bind(&records[at], &listenfd);
    let listen = call(&records[at + 1]);
    assert_eq!(
        listen.to_string(),
        format!("listen({listenfd}, 5) = 0"),
        "the notes' backlog"
    );
    let accept = call(&records[at + 2]);
    assert_eq!(accept.name, "accept", "{accept}");
    // NULL, NULL: the notes do not ask who connected.
    assert_eq!(accept.arg_list(), [listenfd.as_str(), "NULL", "NULL"]);
    let connfd = accept.returned().expect("accept returned").to_string();
    assert_ne!(connfd, listenfd, "accept returns a new socket");
    assert!(accept.returned() > Some(2), "{accept}");
    (listenfd, connfd, &records[at + 3..])
}

/// The TCP client's start: socket, `connect` to 127.0.0.1:PORT. Returns the descriptor.
fn check_tcp_client_start(records: &[Record]) -> String {
    let fd = check_socket_of(&records[0], "SOCK_STREAM");
    let connect = call(&records[1]);
    assert_eq!(connect.name, "connect", "{connect}");
    assert_eq!(connect.arg_list(), [fd.as_str(), TO_SERVER, "16"]);
    assert_eq!(connect.returned(), Some(0), "{connect}");
    fd
}

/// The word the tcp-hello client sends: `scanf("%s")` once; with no word, `buf` stays
/// as initialised, all NULs.
fn first_word(input: &[u8]) -> Vec<u8> {
    scanf_words(input).into_iter().next().unwrap_or_default()
}

fn tcp_hello(input: &[u8]) {
    let Some(c) = same_calls("tcp-hello", input) else {
        return;
    };
    let sent = client_buffers(&[first_word(input)]).remove(0);
    // The server (notes §5.4): socket, bind, listen, accept, one read of the client's
    // 100 bytes, close of the listening socket then of the connection, exit 0.
    let server = parsed(&c.server);
    let (listenfd, connfd, rest) = check_tcp_server_start(&server, false);
    assert_eq!(rest.len(), 4, "{:#?}", c.server);
    check_io100(&rest[0], "read", &connfd, &sent);
    check_close(&rest[1], &listenfd);
    check_close(&rest[2], &connfd);
    check_exit(&rest[3], "Exited(0)");
    // The client: socket, connect, one write of sizeof(buf) = 100, close, exit 0.
    let client = parsed(&c.client);
    assert_eq!(client.len(), 5, "{:#?}", c.client);
    let fd = check_tcp_client_start(&client);
    check_io100(&client[2], "write", &fd, &sent);
    check_close(&client[3], &fd);
    check_exit(&client[4], "Exited(0)");
}

#[test]
fn tcp_hello_same_calls_default_input() {
    let lesson = lessons::find("tcp-hello").unwrap();
    tcp_hello(lesson.default_input.as_bytes());
}

#[test]
fn tcp_hello_same_calls_two_words_sends_the_first() {
    tcp_hello(b"first second\n");
}

#[test]
fn tcp_hello_same_calls_empty_input_sends_100_nuls() {
    tcp_hello(b"");
}

/// The echo server's calls (notes §5.5) after its start: per word, a read of the
/// client's 100 bytes and a write of the same 100 back; then, the client gone, the
/// notes' unchecked loop: `read` returns 0, the 100 NULs of the zeroed `buf` are written
/// (the peer answers them with a RST), `read` returns 0 again (or, had the RST come
/// first, `ECONNRESET`), and the next write fails with `EPIPE` and raises `SIGPIPE`,
/// which kills it.
fn check_echo_loop(records: &[Record], connfd: &str, words: &[Vec<u8>]) {
    assert_eq!(records.len(), 2 * words.len() + 6, "{records:#?}");
    for (i, bytes) in client_buffers(words).iter().enumerate() {
        check_io100(&records[2 * i], "read", connfd, bytes);
        check_io100(&records[2 * i + 1], "write", connfd, bytes);
    }
    let end = &records[2 * words.len()..];
    let eof = format!("read({connfd}, \"\", 100) = 0");
    assert_eq!(call(&end[0]).to_string(), eof, "the end of the stream");
    check_io100(&end[1], "write", connfd, &[0; 100]);
    let second = call(&end[2]);
    assert!(
        second.to_string() == eof
            || (second.name == "read" && second.errno() == Some("ECONNRESET")),
        "{second}"
    );
    let epipe = call(&end[3]);
    assert_eq!(epipe.name, "write", "{epipe}");
    assert_eq!(epipe.arg_list()[0], connfd);
    assert_eq!(buffer(epipe, 1), [0; 100]);
    assert_eq!(epipe.errno(), Some("EPIPE"), "{epipe}");
    assert!(
        matches!(&end[4], Record::Signal { name, .. } if name == "SIGPIPE"),
        "{:?}",
        end[4]
    );
    check_exit(&end[5], r#"Killed("SIGPIPE")"#);
}

/// The echo client's calls: socket, connect, per word a write of the 100-byte buffer
/// and a read of the 100-byte echo, then close and exit 0.
fn check_tcp_echo_client(lines: &[String], words: &[Vec<u8>]) {
    let records = parsed(lines);
    assert_eq!(records.len(), 2 + 2 * words.len() + 2, "{lines:#?}");
    let fd = check_tcp_client_start(&records);
    for (i, bytes) in client_buffers(words).iter().enumerate() {
        check_io100(&records[2 + 2 * i], "write", &fd, bytes);
        check_io100(&records[3 + 2 * i], "read", &fd, bytes);
    }
    check_close(&records[records.len() - 2], &fd);
    check_exit(&records[records.len() - 1], "Exited(0)");
}

fn tcp_echo(input: &[u8]) {
    let Some(c) = same_calls("tcp-echo", input) else {
        return;
    };
    let words = scanf_words(input);
    let server = parsed(&c.server);
    let (_, connfd, rest) = check_tcp_server_start(&server, false);
    check_echo_loop(rest, &connfd, &words);
    check_tcp_echo_client(&c.client, &words);
}

#[test]
fn tcp_echo_same_calls_default_input() {
    let lesson = lessons::find("tcp-echo").unwrap();
    tcp_echo(lesson.default_input.as_bytes());
}

#[test]
fn tcp_echo_same_calls_several_words_on_a_line() {
    tcp_echo(b"one two  three\tfour\n\n  five\x0bsix\r\nseven");
}

#[test]
fn tcp_echo_same_calls_99_character_word() {
    // The longest word buf[100] holds with its NUL: the buffer is all word but its
    // last byte.
    let mut input = vec![b'x'; 99];
    input.extend_from_slice(b"\nshort\n");
    tcp_echo(&input);
}

#[test]
fn tcp_echo_same_calls_empty_input() {
    // The client connects and closes; the server's first read is already the end.
    tcp_echo(b"");
}

/// The reuseaddr server (tcp-echo's with the notes' §6 `SO_REUSEADDR` before bind), with
/// tcp-echo's client, as the reuseaddr lesson pairs them.
#[test]
fn reuseaddr_server_same_calls_setsockopt_before_bind() {
    let lesson = lessons::find("reuseaddr").unwrap();
    let input = lesson.default_input.as_bytes();
    let Some(c) = same_calls("reuseaddr", input) else {
        return;
    };
    let words = scanf_words(input);
    let server = parsed(&c.server);
    assert_eq!(
        c.server[1],
        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"
    );
    let (_, connfd, rest) = check_tcp_server_start(&server, true);
    check_echo_loop(rest, &connfd, &words);
    check_tcp_echo_client(&c.client, &words);
}
