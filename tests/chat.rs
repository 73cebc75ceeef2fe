//! The `tcp-chat` lesson (notes §6.2): the C twins and the Rust twins hold the same
//! conversation, in every server × client mix, and show the notes' behaviour, bugs
//! included: each side prints what arrives while its own child waits on its stdin (the
//! point of the fork); a child that has exited stays a zombie, since nobody waits for it;
//! once its peer has gone, the reader prints empty lines for ever; and the runner leaves
//! no process behind.
//!
//! The programs fork, never this test harness (multi-threaded: see
//! `socklab::process::fork`): the runner starts the twins, and they fork.
//!
//! Each mix runs once, all four at once, the first time a test asks (`runs`); the tests
//! then look at the outcomes from several sides. What varies from run to run is compared
//! as "at least": how many empty lines the reader printed.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use pretty_assertions::assert_eq;
use socklab::lab::build::{compile_c, source_root, Builds, CFlavor};
use socklab::lab::chat::{self, Entry, Outcome, Plan, ProcView, Script, Side};
use socklab::lab::kernel::{TcpState, Transport};
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::mux::{Stream, Transcript, Who};
use socklab::lab::process::describe;
use socklab::lab::run::{self, Input, Lang, Limits, Program, Quiet, Session};
use socklab::lab::trace::{self, decode_string, Record};

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

fn lesson() -> &'static Lesson {
    lessons::find("tcp-chat").unwrap()
}

fn program(side: &str, lang: Lang) -> Program {
    run::program(&builds(), lesson(), side, lang, CFlavor::Plain)
        .unwrap_or_else(|e| panic!("tcp-chat {side} ({lang}): {e}"))
        .0
}

const MIXES: [(Lang, Lang); 4] = [
    (Lang::C, Lang::C),
    (Lang::C, Lang::Rust),
    (Lang::Rust, Lang::C),
    (Lang::Rust, Lang::Rust),
];

/// The lesson's script, run once in each mix (all four at once), the first time a test
/// asks.
fn runs() -> &'static HashMap<(Lang, Lang), Outcome> {
    static RUNS: OnceLock<HashMap<(Lang, Lang), Outcome>> = OnceLock::new();
    RUNS.get_or_init(|| {
        std::thread::scope(|s| {
            let handles: Vec<_> = MIXES
                .iter()
                .map(|&(server, client)| {
                    s.spawn(move || ((server, client), run_plan(server, client, &lesson_plan())))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a chat run panicked"))
                .collect()
        })
    })
}

fn lesson_plan() -> Plan {
    Plan::for_input(&Input::Bytes(lesson().default_input.as_bytes().to_vec()))
}

fn run_plan(server: Lang, client: Lang, plan: &Plan) -> Outcome {
    chat::converse(
        &program("server", server),
        &program("client", client),
        plan,
        &mut Quiet,
        None,
    )
    .unwrap_or_else(|e| panic!("tcp-chat, {server} server, {client} client: {e}"))
}

fn each_run(check: impl Fn(&str, &Outcome)) {
    for (server, client) in MIXES {
        let o = &runs()[&(server, client)];
        check(&format!("{server} server, {client} client"), o);
    }
}

/// What each side printed, stdout and stderr, labelled, in order, with the run of empty
/// lines the server's reader prints at the end of the stream cut to one line that says
/// "at least one". The conversation must be the same in every mix, byte for byte; how
/// many empty lines the reader printed varies (see `the_reader_spins_on_end_of_file`).
fn conversation(t: &Transcript) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut empty = 0;
    for (who, stream, line) in t.lines() {
        if who == Who::Server && stream == Stream::Stdout && line.is_empty() {
            empty += 1;
            continue;
        }
        assert_eq!(empty, 0, "an empty line before the end: {t:?}");
        let stream = match stream {
            Stream::Stdout => "out",
            Stream::Stderr => "err",
            Stream::Trace => "trace",
        };
        lines.push(format!(
            "{} {stream}: {}",
            who.name(),
            String::from_utf8_lossy(&line)
        ));
    }
    if empty > 0 {
        lines.push("server out: (empty lines, at least one)".into());
    }
    lines
}

/// The lesson's outcome without what varies (pids, ports, times, counts), for comparing
/// the mixes.
fn summary(o: &Outcome) -> Vec<String> {
    let states = |members: &[ProcView], side: &Side| -> String {
        let mut states: Vec<String> = members
            .iter()
            .map(|p| {
                let role = if p.pid == side.parent.pid {
                    "parent"
                } else if p.pid == side.child.pid {
                    "child"
                } else {
                    "other"
                };
                format!("{role} {}", p.shown())
            })
            .collect();
        states.sort();
        states.join(", ")
    };
    let fds = |side: &Side| {
        side.parent_fds
            .iter()
            .map(|f| format!("{} {}", f.fd, f.what))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = conversation(&o.transcript);
    lines.extend([
        format!("server fds: {}", fds(&o.server)),
        format!("client fds: {}", fds(&o.client)),
        format!(
            "server after fork: parent {}, child {}",
            o.server.parent.shown(),
            o.server.child.shown()
        ),
        format!(
            "client after fork: parent {}, child {}",
            o.client.parent.shown(),
            o.client.child.shown()
        ),
        format!(
            "after EOF: server [{}], client [{}]",
            states(&o.server_after_eof, &o.server),
            states(&o.client_after_eof, &o.client)
        ),
        format!(
            "connection after EOF: {:?}",
            o.connection_after_eof
                .iter()
                .map(|e| e.state.name())
                .collect::<Vec<_>>()
        ),
        format!("client {}", describe(o.client_status)),
        format!(
            "connection after the client: {:?}",
            o.connection_after_close
                .iter()
                .map(|e| e.state.name())
                .collect::<Vec<_>>()
        ),
        format!("server {}", describe(o.server_status)),
        format!(
            "orphans: client's {} then reaped {}, server's {} then reaped {}",
            o.client_orphan.state_before,
            o.client_orphan.reaped_by_runner,
            o.server_orphan.state_before,
            o.server_orphan.reaped_by_runner
        ),
        format!("left: {}", o.left.len()),
    ]);
    lines
}

#[test]
fn the_four_mixes_hold_the_same_conversation() {
    let c = &runs()[&(Lang::C, Lang::C)];
    // What the C pair shows is the oracle; first, that it shows the conversation at all:
    // each side printed the other's lines, in the script's order.
    let script = Script::lesson();
    let said_by = |who: Who| -> Vec<String> {
        script
            .lines
            .iter()
            .filter(|l| l.who == who)
            .map(|l| String::from_utf8_lossy(&l.text).into_owned())
            .collect()
    };
    let heard_by = |who: Who| -> Vec<String> {
        c.arrivals()
            .filter(|a| a.printer == who)
            .map(|a| String::from_utf8_lossy(&a.line).into_owned())
            .collect()
    };
    assert_eq!(heard_by(Who::Server), said_by(Who::Client));
    assert_eq!(heard_by(Who::Client), said_by(Who::Server));
    // Then every mix against it: the same lines, labelled, in order, and the same states.
    let expected = summary(c);
    each_run(|mix, o| assert_eq!(summary(o), expected, "{mix}"));
    // And byte for byte, each side's stdout and stderr but the count of empty lines.
    let trimmed = |o: &Outcome, who: Who, stream: Stream| {
        let mut bytes = o.transcript.bytes(who, stream);
        while bytes.ends_with(b"\n\n") {
            bytes.pop();
        }
        bytes
    };
    each_run(|mix, o| {
        for who in [Who::Server, Who::Client] {
            for stream in [Stream::Stdout, Stream::Stderr] {
                assert_eq!(
                    trimmed(o, who, stream),
                    trimmed(c, who, stream),
                    "{mix}: {} {stream:?}",
                    who.name()
                );
            }
        }
        assert!(
            o.transcript.bytes(Who::Server, Stream::Stderr).is_empty()
                && o.transcript.bytes(Who::Client, Stream::Stderr).is_empty(),
            "{mix}: nothing on stderr"
        );
    });
}

#[test]
fn after_fork_parent_and_child_hold_the_same_descriptors() {
    each_run(|mix, o| {
        for side in [&o.server, &o.client] {
            assert_eq!(side.parent_fds, side.child_fds, "{mix}: {:?}", side.who);
            assert_eq!(
                side.parent.pid, side.child.ppid,
                "{mix}: the child's parent"
            );
            assert_eq!(
                side.parent.pgid, side.child.pgid,
                "{mix}: one process group"
            );
            assert!(
                side.parent.in_read(side.conn_fd),
                "{mix}: {:?}",
                side.parent
            );
            assert!(side.child.in_read(0), "{mix}: {:?}", side.child);
        }
        let whats = |side: &Side| -> Vec<(i32, &str)> {
            side.parent_fds.iter().map(|f| (f.fd, f.what)).collect()
        };
        assert_eq!(
            whats(&o.server),
            [
                (0, "stdin (a pipe from the runner)"),
                (1, "stdout (to the runner)"),
                (3, "the listening socket"),
                (4, "the connection"),
            ],
            "{mix}"
        );
        assert_eq!(
            whats(&o.client),
            [
                (0, "stdin (a pipe from the runner)"),
                (1, "stdout (to the runner)"),
                (3, "the connection"),
            ],
            "{mix}"
        );
        assert_eq!(o.connection.state, TcpState::ESTABLISHED);
    });
}

/// The point of §6: each side prints what arrives while its own child is still blocked
/// reading its stdin. The server prints the client's first line before anything was
/// typed on the server's side at all; the client prints the server's line while its
/// child waits for the client's next line.
#[test]
fn each_side_prints_while_its_own_child_waits_on_stdin() {
    each_run(|mix, o| {
        // The server's first arrival, and everything the runner did before it.
        let first = |printer: Who| {
            o.log
                .iter()
                .position(|e| matches!(e, Entry::Printed(a) if a.printer == printer))
                .unwrap_or_else(|| panic!("{mix}: the {} printed nothing", printer.name()))
        };
        let at = first(Who::Server);
        let Entry::Printed(arrival) = &o.log[at] else {
            unreachable!()
        };
        assert!(
            !o.log[..at]
                .iter()
                .any(|e| matches!(e, Entry::Typed(t) if t.line.who == Who::Server)),
            "{mix}: the server typed before it printed: {:#?}",
            o.log
        );
        assert_eq!(arrival.typed_here, 0, "{mix}");
        let child = arrival.child.expect("the server's child exists");
        assert!(child.in_read(0), "{mix}: the server's child: {child:?}");
        // By the script's times too: the server's first line was due after the client's
        // first arrived.
        let server_first = Script::lesson()
            .lines
            .iter()
            .find(|l| l.who == Who::Server)
            .map(|l| l.at)
            .unwrap();
        let Some(Entry::Typed(typed)) = o.log.get(at + 1) else {
            panic!("{mix}: the server's first line follows: {:#?}", o.log);
        };
        assert_eq!(typed.line.who, Who::Server);
        assert!(typed.at >= server_first, "{mix}: {typed:?}");

        // The reverse: the client prints the server's first line while its child waits
        // for the client's next line, which is typed only after.
        let at = first(Who::Client);
        let Entry::Printed(arrival) = &o.log[at] else {
            unreachable!()
        };
        let child = arrival.child.expect("the client's child exists");
        assert!(child.in_read(0), "{mix}: the client's child: {child:?}");
        let typed_before = o.log[..at]
            .iter()
            .filter(|e| matches!(e, Entry::Typed(t) if t.line.who == Who::Client))
            .count();
        assert_eq!(arrival.typed_here, typed_before, "{mix}");
        assert!(
            o.log[at..]
                .iter()
                .any(|e| matches!(e, Entry::Typed(t) if t.line.who == Who::Client)),
            "{mix}: the client's next line comes after"
        );
        // Every arrival, on either side, found the printer's child waiting on stdin.
        for a in o.arrivals() {
            assert!(a.child.is_some_and(|c| c.in_read(0)), "{mix}: {a:?}");
        }
    });
}

/// The notes' bug: nobody waits for the child. Once its input has ended it exits, and
/// stays a zombie beside its parent (blocked in `read`, which never calls `wait`) until
/// the parent itself dies; then it is re-parented to the runner (a child subreaper) and
/// reaped. And the connection stays open: each parent still holds it.
#[test]
fn a_child_that_exits_stays_a_zombie_until_its_parent_dies() {
    each_run(|mix, o| {
        for (side, members, orphan) in [
            (&o.server, &o.server_after_eof, &o.server_orphan),
            (&o.client, &o.client_after_eof, &o.client_orphan),
        ] {
            let find = |pid: u32| {
                members
                    .iter()
                    .find(|p| p.pid == pid)
                    .unwrap_or_else(|| panic!("{mix}: {pid} not in {members:?}"))
            };
            assert_eq!(members.len(), 2, "{mix}: {members:?}");
            assert_eq!(
                find(side.child.pid).state,
                'Z',
                "{mix}: the child, a zombie"
            );
            assert!(
                find(side.parent.pid).in_read(side.conn_fd),
                "{mix}: the parent, still reading: {members:?}"
            );
            // Still a zombie just before its parent was stopped, however long after.
            assert_eq!(orphan.state_before, 'Z', "{mix}: {orphan:?}");
            assert_eq!(orphan.adopted_by, Some(std::process::id()), "{mix}");
            assert!(orphan.reaped_by_runner && orphan.gone, "{mix}: {orphan:?}");
        }
        assert_eq!(
            o.connection_after_eof
                .iter()
                .map(|e| e.state)
                .collect::<Vec<_>>(),
            [TcpState::ESTABLISHED],
            "{mix}: no FIN while a parent holds the socket"
        );
    });
}

/// The notes' other bug: the reader ignores what `read` returns. Once the client has
/// gone, `read` returns 0 at once, every time, and the server prints an empty line each
/// time, until it is killed. How many in the window varies; at least many.
#[test]
fn the_reader_spins_on_end_of_file() {
    each_run(|mix, o| {
        assert!(
            o.spin.in_window >= 10,
            "{mix}: {} empty lines in {:?}",
            o.spin.in_window,
            o.spin.window
        );
        assert!(o.spin.total >= o.spin.in_window, "{mix}");
        let lines = o.transcript.lines();
        let empty = lines
            .iter()
            .filter(|(w, s, l)| *w == Who::Server && *s == Stream::Stdout && l.is_empty())
            .count();
        assert_eq!(empty, o.spin.total, "{mix}: the runner counted them all");
        assert_eq!(
            o.connection_after_close
                .iter()
                .map(|e| e.state)
                .collect::<Vec<_>>(),
            [TcpState(0x08)],
            "{mix}: CLOSE_WAIT: the server never closes"
        );
        assert_eq!(describe(o.client_status), "killed by SIGTERM", "{mix}");
        assert_eq!(describe(o.server_status), "killed by SIGTERM", "{mix}");
    });
}

/// Every process of the chat, children included, is gone: no process of either side's
/// group is in /proc, nor any of the four by pid and start time.
#[test]
fn no_process_of_the_chat_is_left() {
    each_run(|mix, o| {
        assert!(o.left.is_empty(), "{mix}: {:?}", o.left);
        for side in [&o.server, &o.client] {
            let pgid = side.group.expect("each side in a group of its own");
            assert_eq!(pgid, side.parent.pid, "{mix}: the parent leads the group");
            assert_eq!(chat::group_members(pgid), [], "{mix}: group {pgid}");
            for p in [side.parent, side.child] {
                assert_eq!(p.again(), None, "{mix}: {p:?}");
            }
        }
    });
}

#[test]
fn the_lesson_script_takes_turns_and_input_lines_are_the_clients() {
    let ms = |n: u64| Duration::from_millis(n);
    let turns: Vec<(Who, Duration)> = Script::lesson()
        .lines
        .iter()
        .map(|l| (l.who, l.at))
        .collect();
    assert_eq!(
        turns,
        [
            (Who::Client, ms(0)),
            (Who::Server, ms(150)),
            (Who::Client, ms(300)),
            (Who::Server, ms(450)),
            (Who::Client, ms(600)),
            (Who::Server, ms(750)),
        ]
    );
    let script = Script::with_client_input(b"one two\n\nthree");
    let client: Vec<&[u8]> = script
        .lines
        .iter()
        .filter(|l| l.who == Who::Client)
        .map(|l| l.text.as_slice())
        .collect();
    assert_eq!(client, [&b"one two"[..], b"", b"three"]);
    assert_eq!(
        Plan::for_input(&Input::Inherit),
        Plan::Terminal {
            server: chat::SERVER_LINES
                .iter()
                .map(|l| l.as_bytes().to_vec())
                .collect()
        }
    );
}

/// `--input FILE`: the file's lines are the client's. One word a line arrives whole; an
/// empty line sends nothing.
#[test]
fn input_lines_are_typed_as_the_client() {
    let plan = Plan::for_input(&Input::Bytes(b"first\n\nsecond\n".to_vec()));
    let o = run_plan(Lang::Rust, Lang::C, &plan);
    let heard: Vec<&[u8]> = o
        .arrivals()
        .filter(|a| a.printer == Who::Server)
        .map(|a| a.line.as_slice())
        .collect();
    assert_eq!(heard, [&b"first"[..], b"second"]);
    assert!(o.left.is_empty(), "{:?}", o.left);
}

/// TCP keeps no message boundaries: two words that arrive together are read by one
/// `read`, and `puts` prints up to the first NUL. Shown here without timing: the test
/// connects to the twin server itself and writes "one\0two\0" in one `write`, which the
/// server's reader, blocked in `read`, takes in one. The server prints "one"; "two" is
/// lost. (In the lesson, with several words on a line, whether they arrive together
/// depends on timing: the runner says so when it happens.)
#[test]
fn words_that_arrive_together_print_as_the_first() {
    for lang in [Lang::C, Lang::Rust] {
        let server = program("server", lang);
        let mut quiet = Quiet;
        let mut session = Session::new(&mut quiet, None).unwrap();
        let port = socklab::lab::kernel::free_port(Transport::Tcp).unwrap();
        let (read_end, write_end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
        let mut proc = session
            .start(
                &server,
                &[port.to_string()],
                Who::Server,
                Stdio::from(read_end),
                true,
            )
            .unwrap();
        let limits = Limits::default();
        session
            .wait_bound(&mut proc, Transport::Tcp, port, limits.bind)
            .unwrap();
        let mut peer = TcpStream::connect(("127.0.0.1", port)).unwrap();
        // One write, once the server has forked and its parent waits in read: one
        // segment, taken whole by one read.
        let parent = proc.pid();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !chat::processes()
            .iter()
            .any(|p| p.ppid == parent && p.in_read(0))
            || !ProcView::read(parent).is_some_and(|p| p.in_read(4))
        {
            assert!(std::time::Instant::now() < deadline, "{lang}: no fork");
            std::thread::sleep(Duration::from_millis(2));
        }
        peer.write_all(b"one\0two\0").unwrap();
        session
            .wait_output(Who::Server, b"one\n", Duration::from_secs(5))
            .unwrap();
        drop(write_end); // the server's child exits
        session.terminate(&mut proc, limits.grace).unwrap();
        let out = session.transcript.text(Who::Server, Stream::Stdout);
        assert!(out.starts_with("one\n"), "{lang}: {out:?}");
        assert!(!out.contains("two"), "{lang}: {out:?}");
        drop(peer);
    }
}

// ─── strace: the C twins and the Rust twins make the same calls ────────────────────

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

fn trace_file(tag: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chat-traces");
    std::fs::create_dir_all(&dir).expect("create the trace folder");
    dir.join(format!(
        "{tag}-{}-{}.trace",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// One process's normalised calls, with each run of a repeated line (the reader's
/// `read(4, "", 100) = 0`, thousands of them) cut to one. (So a script must not have one
/// side send the same word twice in a row: the lesson's does not.)
fn collapsed(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        if out.last() != Some(&line) {
            out.push(line);
        }
    }
    out
}

/// Each side's calls, split by process: (parent, child).
struct Calls {
    server: (Vec<String>, Vec<String>),
    client: (Vec<String>, Vec<String>),
}

fn traced_chat(lang: Lang) -> Calls {
    let mut server = program("server", lang);
    let mut client = program("client", lang);
    server.trace = Some(trace_file(&format!("server-{lang}")));
    client.trace = Some(trace_file(&format!("client-{lang}")));
    let o = chat::converse(&server, &client, &lesson_plan(), &mut Quiet, None)
        .unwrap_or_else(|e| panic!("traced tcp-chat, {lang}: {e}"));
    let split = |p: &Program| {
        let path = p.trace.as_ref().unwrap();
        let records =
            trace::wait_for_trace(path, Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_file(path);
        let lines = trace::normalise(&records, o.port);
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with("[proc ") || l.starts_with("[proc 2] ")),
            "two processes a side: {lines:#?}"
        );
        let parent = collapsed(lines.iter().filter(|l| !l.starts_with("[proc ")).cloned());
        let child = collapsed(
            lines
                .iter()
                .filter_map(|l| l.strip_prefix("[proc 2] "))
                .map(str::to_owned),
        );
        (parent, child)
    };
    Calls {
        server: split(&server),
        client: split(&client),
    }
}

#[test]
fn c_and_rust_make_the_same_calls() {
    if !have_strace() {
        return;
    }
    let (c, rust) = std::thread::scope(|s| {
        let c = s.spawn(|| traced_chat(Lang::C));
        let rust = s.spawn(|| traced_chat(Lang::Rust));
        (c.join().unwrap(), rust.join().unwrap())
    });
    assert_eq!(
        c.server.0, rust.server.0,
        "server parent: C (left), Rust (right)"
    );
    assert_eq!(
        c.server.1, rust.server.1,
        "server child: C (left), Rust (right)"
    );
    assert_eq!(
        c.client.0, rust.client.0,
        "client parent: C (left), Rust (right)"
    );
    assert_eq!(
        c.client.1, rust.client.1,
        "client child: C (left), Rust (right)"
    );

    // And what the C does is what the notes say, checked from the script, not the Rust.
    let script = Script::lesson();
    let words = |who: Who| -> Vec<Vec<u8>> {
        script
            .lines
            .iter()
            .filter(|l| l.who == who)
            .flat_map(|l| chat::words(&l.text))
            .collect()
    };
    let with_nul = |w: &Vec<u8>| [w.as_slice(), b"\0"].concat();
    let parsed = |lines: &[String]| trace::parse_trace(&lines.join("\n"));
    let buffer = |r: &Record| -> (String, Vec<u8>, Vec<String>) {
        let Record::Call(call) = r else {
            panic!("not a call: {r:?}")
        };
        let args = call.arg_list();
        (
            call.name.clone(),
            decode_string(args[1]).unwrap_or_else(|| panic!("{call}")),
            [
                &[args[0]][..],
                &args[2..],
                &[call.ret.as_deref().unwrap_or("")],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )
    };

    // The server's parent: socket, bind, listen(3, 10), accept with the client's
    // address, a read of each of the client's words (100 asked, the word and its NUL
    // returned), then read returning 0, again and again, until SIGTERM.
    let (parent, child) = &c.server;
    assert_eq!(parent[0], "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3");
    assert_eq!(
        parent[1],
        r#"bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("0.0.0.0")}, 16) = 0"#
    );
    assert_eq!(
        parent[2], "listen(3, 10) = 0",
        "the notes' backlog, unchecked"
    );
    assert_eq!(
        parent[3],
        r#"accept(3, {sa_family=AF_INET, sin_port=htons(EPHEMERAL1), sin_addr=inet_addr("127.0.0.1")}, [16]) = 4"#
    );
    let client_words = words(Who::Client);
    let reads = parsed(&parent[4..4 + client_words.len()]);
    for (r, word) in reads.iter().zip(&client_words) {
        let n = (word.len() + 1).to_string();
        assert_eq!(
            buffer(r),
            (
                "read".into(),
                with_nul(word),
                vec!["4".into(), "100".into(), n]
            ),
            "{r:?}"
        );
    }
    // Between the conversation and the end of the stream, the kernel tells the parent
    // its child has ended: SIGCHLD, whose default is to be ignored. Nobody waits.
    assert_eq!(
        parent[4 + client_words.len()..],
        [
            "--- SIGCHLD ---",
            r#"read(4, "", 100) = 0"#,
            "--- SIGTERM ---",
            "+++ killed by SIGTERM +++"
        ]
    );
    // The server's child: a write of each of the server's words with its NUL,
    // strlen(buf)+1 bytes, then exit(0) at the end of its input.
    let server_words = words(Who::Server);
    let writes = parsed(&child[..server_words.len()]);
    for (w, word) in writes.iter().zip(&server_words) {
        let n = (word.len() + 1).to_string();
        assert_eq!(
            buffer(w),
            (
                "write".into(),
                with_nul(word),
                vec!["4".into(), n.clone(), n]
            ),
            "{w:?}"
        );
    }
    assert_eq!(child[server_words.len()..], ["+++ exited with 0 +++"]);

    // The client: socket, connect, a read of each of the server's words; its child a
    // write of each of the client's; the parent stopped by SIGTERM.
    let (parent, child) = &c.client;
    assert_eq!(parent[0], "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3");
    assert_eq!(
        parent[1],
        r#"connect(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("127.0.0.1")}, 16) = 0"#
    );
    let reads = parsed(&parent[2..2 + server_words.len()]);
    for (r, word) in reads.iter().zip(&server_words) {
        let n = (word.len() + 1).to_string();
        assert_eq!(
            buffer(r),
            (
                "read".into(),
                with_nul(word),
                vec!["3".into(), "100".into(), n]
            ),
            "{r:?}"
        );
    }
    assert_eq!(
        parent[2 + server_words.len()..],
        [
            "--- SIGCHLD ---",
            "--- SIGTERM ---",
            "+++ killed by SIGTERM +++"
        ]
    );
    let writes = parsed(&child[..client_words.len()]);
    for (w, word) in writes.iter().zip(&client_words) {
        let n = (word.len() + 1).to_string();
        assert_eq!(
            buffer(w),
            (
                "write".into(),
                with_nul(word),
                vec!["3".into(), n.clone(), n]
            ),
            "{w:?}"
        );
    }
    assert_eq!(child[client_words.len()..], ["+++ exited with 0 +++"]);
}

// ─── The notes' code as printed: edit 3 undone, and rd_op ──────────────────────────

/// The notes' client with edit 3 undone (`scanf("%s",buf);`, the end of input not
/// checked), compiled from the real source with that one change.
fn notes_client_without_edit_3() -> Program {
    let path = source_root().join("c-reference/tcp-chat/client.c");
    let source = std::fs::read_to_string(&path).expect("read the C client");
    let edited = r#"if(scanf("%s",buf) == EOF) break; /* edit 3 */"#;
    assert_eq!(source.matches(edited).count(), 1, "one scanf to undo");
    let notes = source.replace(edited, r#"scanf("%s",buf);"#);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("notes-c");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(format!("tcp-chat-client-{}.c", std::process::id()));
    std::fs::write(&src, notes).unwrap();
    let out = dir.join("tcp-chat-client-without-edit-3");
    let include = source_root().join("c-reference");
    compile_c(&src, &out, &[&include], CFlavor::Plain).expect("compile the notes' C");
    Program::new(out, Lang::C)
}

/// Why edit 3: the notes' child never ends. At the end of its input `scanf` returns
/// `EOF` at once, every time, storing nothing; `buf` is empty (zeroed after the last
/// word), so the child writes `strlen(buf)+1` = 1 byte, a NUL, again and again, and the
/// server prints an empty line for each, while the client is still there.
#[test]
fn without_edit_3_the_notes_child_sends_nuls_at_end_of_input() {
    let client = notes_client_without_edit_3();
    let server = program("server", Lang::C);
    let mut quiet = Quiet;
    let mut session = Session::new(&mut quiet, None).unwrap();
    let limits = Limits::default();
    let port = socklab::lab::kernel::free_port(Transport::Tcp).unwrap();
    let (read_end, write_end) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
    let mut server_proc = session
        .start(
            &server,
            &[port.to_string()],
            Who::Server,
            Stdio::from(read_end),
            true,
        )
        .unwrap();
    session
        .wait_bound(&mut server_proc, Transport::Tcp, port, limits.bind)
        .unwrap();
    // An empty input: the end of it at once.
    let mut client_proc = session
        .start(
            &client,
            &["127.0.0.1".to_string(), port.to_string()],
            Who::Client,
            Stdio::null(),
            true,
        )
        .unwrap();
    session
        .wait_output(Who::Server, &[b'\n'; 20], Duration::from_secs(10))
        .expect("the server prints empty lines");
    // And the client has not gone: its child is alive, writing, not a zombie.
    let child = chat::processes()
        .into_iter()
        .find(|p| p.ppid == client_proc.pid())
        .expect("the client's child");
    assert_ne!(child.state, 'Z', "{child:?}");
    assert_eq!(
        client_proc.try_status().unwrap(),
        None,
        "the client still runs"
    );
    session.terminate(&mut client_proc, limits.grace).unwrap();
    drop(write_end);
    session.terminate(&mut server_proc, limits.grace).unwrap();
    assert!(session
        .transcript
        .bytes(Who::Server, Stream::Stdout)
        .iter()
        .all(|&b| b == b'\n'));
}

/// The notes' `rd_op` ("代码简化"), as the notes print it: the C that
/// `rd_op_writes_100_bytes_whatever_it_read_as_the_notes_c_does` compiles and runs, and
/// the book shows.
const NOTES_RD_OP: &str = r#"#include "apue.h"

// ANCHOR: rd_op_c
void rd_op(int fd_rd, int fd_rw)
//参数1: 读的id, 参数2: 写的id
{
    char buf[100] = "\0";
    ssize_t ret = read(fd_rd, buf, sizeof(buf));

    write(fd_rw, buf, sizeof(buf));
}
// ANCHOR_END: rd_op_c

/* The test's own: twice from stdin to stdout, the second time at the end of input. */
int main(void)
{
    rd_op(0, 1);
    rd_op(0, 1);
    return 0;
}
"#;

/// `rd_op` reads up to 100 bytes and writes 100, whatever it read: a 3-byte line goes out
/// as the 3 bytes and 97 NULs, and at the end of input (`read` returns 0) it writes 100
/// NULs. The C is the oracle; `socklab::process::rd_op` writes the same bytes.
#[test]
fn rd_op_writes_100_bytes_whatever_it_read_as_the_notes_c_does() {
    use std::io::Read;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("notes-c");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(format!("rd_op-{}.c", std::process::id()));
    std::fs::write(&src, NOTES_RD_OP).unwrap();
    let out = dir.join("rd_op");
    let include = source_root().join("c-reference");
    compile_c(&src, &out, &[&include], CFlavor::Plain).expect("compile the notes' rd_op");
    let mut c = Command::new(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(b"hi\n").unwrap(); // then closed: the end
    let c_out = c.wait_with_output().unwrap();
    assert!(c_out.status.success());

    let (in_r, in_w) = nix::unistd::pipe().unwrap();
    let (mut out_r, out_w) = std::io::pipe().unwrap();
    std::fs::File::from(in_w).write_all(b"hi\n").unwrap(); // and closed
    assert_eq!(socklab::process::rd_op(&in_r, &out_w), Ok(3));
    assert_eq!(socklab::process::rd_op(&in_r, &out_w), Ok(0));
    drop(out_w);
    let mut rust_out = Vec::new();
    out_r.read_to_end(&mut rust_out).unwrap();

    assert_eq!(rust_out, c_out.stdout);
    let mut expected = b"hi\n".to_vec();
    expected.resize(200, 0);
    assert_eq!(c_out.stdout, expected, "100 bytes a call, NULs included");
}
