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
