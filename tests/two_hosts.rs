//! `--two-hosts` (`socklab::lab::hosts`): the UDP and TCP lessons with the server and the
//! client on two hosts, network namespaces joined by a veth pair. Making them needs root:
//! without it these tests print a note and pass, except under `CI` (which runs as root),
//! where that is a failure. The tests of what happens without root run anyway.
//!
//! - udp-hello, udp-echo, tcp-hello, tcp-echo, the C pair and the Rust pair: what they
//!   print and the socket calls they make are the loopback run's, the C pair's (the
//!   oracle), with one change: where the loopback run shows 127.0.0.1, the server sees
//!   the client host's 10.77.0.2 (udp-hello prints it, the echo server's `recvfrom`
//!   returns it) and the client uses the server host's 10.77.0.1.
//! - A raw socket on the server host sees what crossed the cable: IPv4 and ARP between
//!   10.77.0.1 and 10.77.0.2 and nothing else, the lesson's packets among them, sent
//!   from 10.77.0.2. No other address is used.
//! - Afterwards nothing is left: no network namespace that any process can reach has an
//!   interface of the run's (each end's alias names the run, `socklab-<pid>-<n>-…`); this
//!   machine has no `socklab` interface, no 10.77.0.x address and no `socklab` name in
//!   `ip netns list`. Also after Ctrl-C, and after `SIGKILL` of the runner.
//! - Without root, the runner says what it needs and exits 1, without a panic; lessons of
//!   steps refuse the flag.

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use pretty_assertions::assert_eq;
use socklab::datagram::recvfrom;
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::hosts::{Host, Hosts, CLIENT_IP, SERVER_IP};
use socklab::lab::kernel::Transport;
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::mux::{Stream, Who};
use socklab::lab::process::describe;
use socklab::lab::run::{self, Input, Lang, Outcome, Pair, Quiet};
use socklab::socket::{socket, AF_PACKET, SOCK_CLOEXEC, SOCK_RAW};
use socklab::wire::{EtherType, EthernetFrame, IpProtocol, Ipv4Packet, TcpSegment, UdpDatagram};

const LESSON: &str = env!("CARGO_BIN_EXE_lesson");

fn builds() -> Builds {
    Builds::beside(Path::new(LESSON).parent().unwrap())
}

fn lesson(name: &str) -> &'static Lesson {
    lessons::find(name).unwrap()
}

fn is_root() -> bool {
    // SAFETY: geteuid takes nothing, touches no memory of ours, and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether hosts may be made here. Not as root: a note, and `false`, except under `CI`,
/// where the tests must run.
fn may_make_hosts(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI runs as root, but this is not root: --two-hosts cannot be tested"
    );
    eprintln!("{test}: skipped, not root (--two-hosts makes network namespaces: root)");
    false
}

/// Runs `lesson`'s `lang` pair on its default input, traced, on `hosts` or on loopback.
fn run_pair(lesson: &Lesson, lang: Lang, hosts: Option<&Hosts>) -> Outcome {
    let program = |side| {
        run::program(&builds(), lesson, side, lang, CFlavor::Plain)
            .unwrap_or_else(|e| panic!("{} {side} ({lang}): {e}", lesson.name))
            .0
    };
    let pair = Pair {
        input: Input::Bytes(lesson.default_input.as_bytes().to_vec()),
        trace: true,
        hosts,
        ..Pair::new(lesson, lang, lang)
    };
    run::run(
        &pair,
        &program("server"),
        &program("client"),
        &mut Quiet,
        None,
    )
    .unwrap_or_else(|e| {
        panic!(
            "{} ({lang} pair, two hosts: {}): {e}",
            lesson.name,
            hosts.is_some()
        )
    })
}

/// What is compared: each side's output lines in order (stdout and stderr, interleaved
/// as written), each side's traced calls, and how each ended.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    output: Vec<String>,
    server_calls: Vec<String>,
    client_calls: Vec<String>,
    ends: [String; 2],
}

/// `o` as [`Seen`], with 127.0.0.1 written as `server_sees` in the server's lines and
/// as `client_sees` in the client's: the addresses each side sees of the other.
fn seen(o: &Outcome, server_sees: &str, client_sees: &str) -> Seen {
    let mut s = Seen {
        output: Vec::new(),
        server_calls: Vec::new(),
        client_calls: Vec::new(),
        ends: [describe(o.server_status), describe(o.client_status)],
    };
    for (who, stream, line) in o.transcript.lines() {
        let sees = match who {
            Who::Server => server_sees,
            Who::Client => client_sees,
        };
        let line = String::from_utf8_lossy(&line).replace("127.0.0.1", sees);
        match (stream, who) {
            (Stream::Trace, Who::Server) => s.server_calls.push(line),
            (Stream::Trace, Who::Client) => s.client_calls.push(line),
            (Stream::Stdout, _) => s.output.push(format!("{} out: {line}", who.name())),
            (Stream::Stderr, _) => s.output.push(format!("{} err: {line}", who.name())),
        }
    }
    s
}

/// The lesson on loopback (C pair) and on two hosts (C pair, Rust pair), a raw socket on
/// the server host watching; then the checks of the module's documentation.
fn on_two_hosts(name: &str) {
    if !may_make_hosts(name) {
        return;
    }
    let l = lesson(name);
    let loopback = run_pair(l, Lang::C, None);
    let (server_sees, client_sees) = (CLIENT_IP.to_string(), SERVER_IP.to_string());
    let expected = seen(&loopback, &server_sees, &client_sees);
    assert!(
        !expected.client_calls.is_empty() && !expected.server_calls.is_empty(),
        "{name}: traced no calls on loopback: {expected:#?}"
    );

    let hosts = Hosts::create().expect("root may make the hosts");
    let run_name = hosts.name().to_string();
    let mut on_hosts = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let wire = Wire::watch(&hosts);
        let outcome = run_pair(l, lang, Some(&hosts));
        let frames = wire.frames();
        // Compared as is: a 127.0.0.1 left in them would show as a difference.
        let got = seen(&outcome, "127.0.0.1", "127.0.0.1");
        assert_eq!(got, expected, "{name}, {lang} pair on two hosts");
        check_the_wire(name, l.transport, outcome.port, &frames);
        on_hosts.push(got);
    }
    // The check below finds the hosts while they are there: both ends of the cable.
    assert_eq!(
        leftovers(&run_name).len(),
        2,
        "{name}: {:#?}",
        leftovers(&run_name)
    );
    drop(hosts);
    assert_deleted(&run_name);

    // The point of it, said outright (of the C pair; the Rust pair's is the same).
    let calls = &on_hosts[0];
    let sees = |calls: &[String], ip: Ipv4Addr| {
        let needle = format!("sin_addr=inet_addr(\"{ip}\")");
        calls.iter().any(|c| c.contains(&needle))
    };
    assert!(
        sees(&calls.client_calls, SERVER_IP),
        "{name}: the client's calls name the server host's address: {:#?}",
        calls.client_calls
    );
    match l.transport {
        // The UDP server's `recvfrom` returns the sender's address (TCP's `accept(fd,
        // NULL, NULL)` does not ask: the wire shows it instead).
        Transport::Udp => assert!(
            sees(&calls.server_calls, CLIENT_IP),
            "{name}: the server's recvfrom returns the client host's address: {:#?}",
            calls.server_calls
        ),
        Transport::Tcp => {}
    }
    if name == "udp-hello" {
        assert!(
            calls
                .output
                .iter()
                .any(|line| line == "server out: 10.77.0.2"),
            "udp-hello: the server prints the client host's address: {:#?}",
            calls.output
        );
    }
}

#[test]
fn udp_hello() {
    on_two_hosts("udp-hello");
}

#[test]
fn udp_echo() {
    on_two_hosts("udp-echo");
}

#[test]
fn tcp_hello() {
    on_two_hosts("tcp-hello");
}

#[test]
fn tcp_echo() {
    on_two_hosts("tcp-echo");
}

// ---------------------------------------------------------------------------------------
// The cable, as the server host sees it.

/// A raw socket (`AF_PACKET`) on the server host: every frame its interfaces send or
/// receive, `lo` and its end of the cable.
struct Wire {
    fd: OwnedFd,
}

impl Wire {
    fn watch(hosts: &Hosts) -> Wire {
        let all = i32::from((libc::ETH_P_ALL as u16).to_be());
        let fd = hosts
            .within(Host::Server, || {
                socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, all)
            })
            .expect("a thread on the server host")
            .expect("socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) as root");
        Wire { fd }
    }

    /// The frames queued so far.
    fn frames(&self) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        let mut buf = vec![0u8; 65536 + 14];
        loop {
            match recvfrom(&self.fd, &mut buf, libc::MSG_DONTWAIT, None) {
                Ok(n) => frames.push(buf[..n].to_vec()),
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => return frames,
                Err(e) => panic!("recvfrom on the raw socket: {e}"),
            }
        }
    }
}

/// Every frame is IPv4 or ARP between the two hosts' addresses, and the lesson's packets
/// are among them: to the server's port over the lesson's transport, from 10.77.0.2.
fn check_the_wire(name: &str, transport: Transport, port: u16, frames: &[Vec<u8>]) {
    let ours = [SERVER_IP, CLIENT_IP];
    let mut from_client = 0;
    for frame in frames {
        let eth = EthernetFrame::new_checked(&frame[..])
            .unwrap_or_else(|e| panic!("{name}: not an Ethernet frame ({e:?}): {frame:02x?}"));
        match eth.ethertype() {
            EtherType::IPV4 => {
                let ip = Ipv4Packet::new_checked(eth.payload()).expect("an IPv4 header");
                let (src, dst) = (ip.src_addr(), ip.dst_addr());
                assert!(
                    ours.contains(&src) && ours.contains(&dst) && src != dst,
                    "{name}: an IPv4 packet from {src} to {dst} on the server host"
                );
                let dst_port = match (transport, ip.protocol()) {
                    (Transport::Udp, IpProtocol::UDP) => UdpDatagram::new_checked(ip.payload())
                        .ok()
                        .map(|u| u.dst_port()),
                    (Transport::Tcp, IpProtocol::TCP) => TcpSegment::new_checked(ip.payload())
                        .ok()
                        .map(|t| t.dst_port()),
                    _ => None,
                };
                if src == CLIENT_IP && dst_port == Some(port) {
                    from_client += 1;
                }
            }
            EtherType::ARP => {
                // An ARP packet for IPv4 over Ethernet (RFC 826): the sender's protocol
                // address at bytes 14..18, the target's at 24..28.
                let arp = eth.payload();
                assert!(arp.len() >= 28, "{name}: a short ARP packet: {arp:02x?}");
                for at in [14, 24] {
                    let addr = Ipv4Addr::new(arp[at], arp[at + 1], arp[at + 2], arp[at + 3]);
                    assert!(ours.contains(&addr), "{name}: ARP about {addr}");
                }
            }
            other => panic!("{name}: a frame of EtherType {:#06x} on the cable", other.0),
        }
    }
    assert!(
        from_client > 0,
        "{name}: no {transport} packet from {CLIENT_IP} to port {port} among {} frames",
        frames.len()
    );
}

// ---------------------------------------------------------------------------------------
// Nothing left behind.

/// Waits up to 10 s (the runner's programs may take a moment to die) until nothing of
/// the run `name` is left: see [`leftovers`].
fn assert_deleted(name: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = leftovers(name);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: left behind:\n{}",
            left.join("\n")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What is left of the run `name`: interfaces with its alias in any network namespace a
/// process holds (as its own, or by a descriptor) or a mount keeps (`ip netns add`), and
/// on this machine's namespace any `socklab` interface, 10.77.0.x address or `socklab`
/// namespace name.
fn leftovers(name: &str) -> Vec<String> {
    let mut left = Vec::new();
    let mut seen = HashSet::new();
    for path in namespace_paths() {
        // Opened first, then checked: a descriptor seen holding a namespace may have been
        // closed since, and its number given to another file.
        let Ok(ns) = fs::File::open(&path) else {
            continue; // a process that ended meanwhile
        };
        let opened = fs::read_link(format!("/proc/self/fd/{}", ns.as_raw_fd()));
        if !opened.is_ok_and(|t| t.to_string_lossy().starts_with("net:[")) {
            continue;
        }
        // The namespace's inode: each namespace looked at once.
        let meta = ns.metadata().expect("fstat an open namespace");
        if !seen.insert((meta.dev(), meta.ino())) {
            continue;
        }
        for line in ip_in(Some(ns.into()), &["-o", "link", "show"]).lines() {
            if line.contains(&format!("alias {name}-")) {
                left.push(format!("{path}: {line}"));
            }
        }
    }
    for line in ip_in(None, &["-o", "link", "show"]).lines() {
        if line.contains("socklab") {
            left.push(format!("this machine: {line}"));
        }
    }
    for line in ip_in(None, &["-o", "addr", "show"]).lines() {
        if line.contains("10.77.0.") {
            left.push(format!("this machine: {line}"));
        }
    }
    for line in ip_in(None, &["netns", "list"]).lines() {
        if line.contains("socklab") {
            left.push(format!("ip netns list: {line}"));
        }
    }
    left
}

/// Paths to every network namespace in reach: each process's and thread's own, each
/// descriptor that holds one, and each mount of one (`/run/netns/NAME`).
fn namespace_paths() -> Vec<String> {
    let mut paths = Vec::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return paths;
    };
    for entry in procs.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        paths.push(format!("/proc/{pid}/ns/net"));
        if let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) {
            for t in tasks.flatten() {
                paths.push(format!("{}/ns/net", t.path().display()));
            }
        }
        if let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) {
            for fd in fds.flatten() {
                let is_net = fs::read_link(fd.path())
                    .is_ok_and(|t| t.to_string_lossy().starts_with("net:["));
                if is_net {
                    paths.push(fd.path().display().to_string());
                }
            }
        }
    }
    // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT … - FSTYPE SOURCE …"
    let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let fstype = fields.iter().position(|f| *f == "-").map(|i| fields[i + 1]);
        if fstype == Some("nsfs") && fields[3].starts_with("net:[") {
            paths.push(fields[4].to_string());
        }
    }
    paths
}

/// What `ip ARGS` prints, run in the namespace `ns` (or this machine's).
fn ip_in(ns: Option<OwnedFd>, args: &[&str]) -> String {
    let mut cmd = Command::new("ip");
    cmd.args(args).stdin(Stdio::null()).stderr(Stdio::null());
    if let Some(ns) = ns {
        // SAFETY: the closure runs in the child between fork and exec and calls only
        // setns(2), async-signal-safe, on a descriptor it inherited (open until exec).
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    match cmd.output() {
        Ok(out) => String::from_utf8_lossy(&out.stdout).into_owned(),
        Err(e) => panic!("ip {args:?}: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// Ctrl-C and SIGKILL: the runner, as a student runs it.

/// `cargo lesson udp-echo --two-hosts --input -` with a word typed; then `signal` to the
/// runner. Returns how it ended, what it printed, and the run's name.
fn interrupted(signal: libc::c_int) -> (std::process::ExitStatus, String, String) {
    let mut child = Command::new(LESSON)
        .args(["udp-echo", "--two-hosts", "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start the lesson runner");
    // The run's name: the runner's pid, and its first hosts.
    let name = format!("socklab-{}-0", child.id());
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let wait_for = |prefix: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return,
                Ok(_) => {}
                Err(e) => panic!("waiting for {prefix:?}: {e}"),
            }
        }
    };
    wait_for("── client:");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"hello\n").unwrap();
    wait_for("client | hello");
    assert_eq!(leftovers(&name).len(), 2, "{:#?}", leftovers(&name));
    // SAFETY: kill takes a pid and a signal and touches no memory of ours; the pid is our
    // child's, not yet reaped, so it is no other process's.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = child.wait().unwrap();
    drop(stdin);
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
    let stdout = reader.join().unwrap();
    (status, format!("{stdout}{stderr}"), name)
}

#[test]
fn ctrl_c_deletes_the_hosts() {
    if !may_make_hosts("ctrl_c_deletes_the_hosts") {
        return;
    }
    let (status, printed, name) = interrupted(libc::SIGINT);
    assert_eq!(status.code(), Some(128 + libc::SIGINT), "{printed}");
    assert!(
        printed.contains("interrupted; stopped everything"),
        "{printed}"
    );
    assert_deleted(&name);
}

#[test]
fn sigkill_of_the_runner_leaves_nothing() {
    if !may_make_hosts("sigkill_of_the_runner_leaves_nothing") {
        return;
    }
    let (status, printed, name) = interrupted(libc::SIGKILL);
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{printed}");
    // Its server and client die with it (PR_SET_PDEATHSIG), the kernel closes its
    // descriptors, and with the last of them the hosts go.
    assert_deleted(&name);
}

// ---------------------------------------------------------------------------------------
// The command line.

#[test]
fn diff_on_two_hosts_finds_the_pairs_the_same() {
    if !may_make_hosts("diff_on_two_hosts_finds_the_pairs_the_same") {
        return;
    }
    let out = Command::new(LESSON)
        .args(["diff", "udp-echo", "--two-hosts", "--stable-output"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("── the same:"), "{stdout}");
    assert!(stdout.contains("inet_addr(\"10.77.0.2\")"), "{stdout}");
    assert!(!stdout.contains("127.0.0.1"), "{stdout}");
}

/// Without root, a clear message, status 1, no panic, nothing built or started. As root,
/// run as `nobody` (uid 65534) to see it.
#[test]
fn without_root_it_says_what_it_needs() {
    let mut cmd = Command::new(LESSON);
    cmd.args(["udp-hello", "--two-hosts"]);
    if is_root() {
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().expect("run the lesson runner");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("needs root (the capability CAP_SYS_ADMIN)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run it as root: `sudo -E cargo lesson udp-hello --two-hosts`"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

#[test]
fn lessons_of_steps_refuse_two_hosts() {
    for name in ["reuseaddr", "tcp-chat", "fork-echo", "handshake"] {
        let out = Command::new(LESSON)
            .args([name, "--two-hosts"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("It applies to: udp-hello, udp-echo, tcp-hello, tcp-echo"),
            "{name}: {stderr}"
        );
    }
}
