//! The capture lessons, `encapsulation` (notes §1.3) and `handshake` (§5.1.3), run for
//! real: their packets captured on `lo` with an `AF_PACKET` socket, which needs root (or
//! `CAP_NET_RAW`). Without it these tests print a note and pass, except under `CI`
//! (which runs as root), where that is a failure.
//!
//! - The C and the Rust twins, in all four mixes, send the same packets: the same
//!   layers, flags, lengths and data; not the same ports, sequence numbers, checksums or
//!   IP identifications, which the kernel picks anew every run.
//! - Every packet captured reads the same in `socklab::wire` and in `etherparse`.
//! - In the handshake, ack = seq + 1, both ways; the data is acknowledged by its length.
//! - The IPv4 header checksums verify; the UDP and TCP ones are lo's partial sums, which
//!   completed by `wire` give what `etherparse` computes.
//! - Without `CAP_NET_RAW`, the lesson says how to run it and fails, without a panic.

use std::path::Path;
use std::process::Command;

use etherparse::{NetHeaders, PacketHeaders, TransportHeader};
use pretty_assertions::assert_eq;
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::capture::{self, Frame, Outcome, Segment};
use socklab::lab::kernel::TcpState;
use socklab::lab::lessons::{self, Lesson};
use socklab::lab::run::{Input, Lang, Quiet};
use socklab::wire::{
    ChecksumStatus, EtherType, EthernetFrame, IpProtocol, Ipv4Packet, TcpFlags, TcpSegment,
    UdpDatagram,
};

const MIXES: [(Lang, Lang); 4] = [
    (Lang::C, Lang::C),
    (Lang::C, Lang::Rust),
    (Lang::Rust, Lang::C),
    (Lang::Rust, Lang::Rust),
];

fn builds() -> Builds {
    Builds::beside(Path::new(env!("CARGO_BIN_EXE_lesson")).parent().unwrap())
}

fn is_root() -> bool {
    // SAFETY: geteuid takes nothing, touches no memory of ours, and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether packets may be captured here. Not as root: a note, and `false`, except under
/// `CI`, where the tests must run.
fn may_capture(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI runs as root, but this is not root: packets cannot be captured"
    );
    eprintln!("{test}: skipped, not root (capturing packets needs root or CAP_NET_RAW)");
    false
}

fn lesson(name: &str) -> &'static Lesson {
    lessons::find(name).unwrap_or_else(|| panic!("the {name} lesson"))
}

fn capture(name: &str, server: Lang, client: Lang) -> Outcome {
    let lesson = lesson(name);
    let input = Input::Bytes(lesson.default_input.as_bytes().to_vec());
    let outcome = capture::run(
        lesson,
        &builds(),
        server,
        client,
        CFlavor::Plain,
        &input,
        &mut Quiet,
        None,
    )
    .unwrap_or_else(|e| panic!("{name}, {server} server, {client} client: {e}"));
    assert!(
        outcome.run.client_status.success() && outcome.run.server_status.success(),
        "{name}, {server} server, {client} client: {outcome:?}"
    );
    assert!(
        outcome.private_net,
        "as root, the lesson has a lo of its own"
    );
    assert_eq!(
        outcome.arrivals,
        outcome.frames.len(),
        "lo shows every frame twice: as it leaves and as it arrives"
    );
    for frame in &outcome.frames {
        reads_the_same_in_etherparse(frame);
    }
    outcome
}

/// The frame read by `wire` and by `etherparse`, field by field; the IPv4 checksum
/// verified; the transport checksum lo's partial one, which completed gives etherparse's.
fn reads_the_same_in_etherparse(frame: &Frame) {
    let bytes = &frame.bytes[..];
    let theirs = PacketHeaders::from_ethernet_slice(bytes).expect("etherparse reads it");
    let eth = EthernetFrame::new_checked(bytes).expect("wire reads Ethernet");
    assert_eq!(eth.ethertype(), EtherType::IPV4);
    let Some(etherparse::LinkHeader::Ethernet2(e)) = &theirs.link else {
        panic!("no Ethernet II header in etherparse's reading");
    };
    assert_eq!(
        (e.source, e.destination, e.ether_type.0),
        (eth.source().0, eth.destination().0, eth.ethertype().0)
    );
    let ip = Ipv4Packet::new_checked(eth.payload()).expect("wire reads IPv4");
    let Some(NetHeaders::Ipv4(h, _)) = &theirs.net else {
        panic!("no IPv4 header in etherparse's reading");
    };
    assert_eq!(
        (
            h.total_len,
            h.identification,
            h.dont_fragment,
            h.time_to_live,
            h.protocol.0,
            h.header_checksum,
            h.source,
            h.destination
        ),
        (
            ip.total_len(),
            ip.ident(),
            ip.dont_frag(),
            ip.ttl(),
            ip.protocol().0,
            ip.checksum(),
            ip.src_addr().octets(),
            ip.dst_addr().octets()
        )
    );
    assert!(ip.verify_checksum(), "the IPv4 header checksum");
    assert_eq!(h.calc_header_checksum(), ip.checksum());
    let (src, dst) = (ip.src_addr(), ip.dst_addr());
    match theirs.transport {
        Some(TransportHeader::Udp(u)) => {
            let udp = UdpDatagram::new_checked(ip.payload()).expect("wire reads UDP");
            assert_eq!(
                (u.source_port, u.destination_port, u.length, u.checksum),
                (udp.src_port(), udp.dst_port(), udp.len(), udp.checksum())
            );
            assert_eq!(udp.checksum_status(src, dst), ChecksumStatus::Partial);
            let mut copy = udp.datagram().to_vec();
            let mut completed = UdpDatagram::new_unchecked(&mut copy[..]);
            completed.fill_checksum(src, dst);
            assert!(completed.verify_checksum(src, dst));
            let expected = u.calc_checksum_ipv4(h, udp.payload()).unwrap();
            assert_eq!(completed.checksum(), expected);
        }
        Some(TransportHeader::Tcp(t)) => {
            let tcp = TcpSegment::new_checked(ip.payload()).expect("wire reads TCP");
            assert_eq!(
                (t.source_port, t.destination_port),
                (tcp.src_port(), tcp.dst_port())
            );
            assert_eq!(
                (t.sequence_number, t.acknowledgment_number),
                (tcp.seq_number(), tcp.ack_number())
            );
            assert_eq!(
                (t.syn, t.ack, t.fin, t.rst, t.psh),
                (tcp.syn(), tcp.ack(), tcp.fin(), tcp.rst(), tcp.psh())
            );
            assert_eq!(
                (t.window_size, t.checksum, t.urgent_pointer),
                (tcp.window_len(), tcp.checksum(), tcp.urgent_at())
            );
            assert_eq!(t.options.as_slice(), tcp.options_bytes());
            assert_eq!(t.header_len(), tcp.header_len());
            assert!(tcp.options().all(|o| o.is_ok()), "lo's options parse");
            assert_eq!(tcp.checksum_status(src, dst), ChecksumStatus::Partial);
            let mut copy = ip.payload().to_vec();
            let mut completed = TcpSegment::new_unchecked(&mut copy[..]);
            completed.fill_checksum(src, dst);
            assert!(completed.verify_checksum(src, dst));
            let expected = t.calc_checksum_ipv4(h, tcp.payload()).unwrap();
            assert_eq!(completed.checksum(), expected);
        }
        other => panic!("neither UDP nor TCP: {other:?}"),
    }
}

/// The frame with what varies from run to run zeroed: IP identification and checksum,
/// ports, transport checksum, TCP sequence numbers and timestamps.
fn shape(frame: &Frame) -> Vec<u8> {
    let mut bytes = frame.bytes.clone();
    let ip = &mut bytes[14..];
    ip[4..6].fill(0);
    ip[10..12].fill(0);
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let transport = &mut ip[ihl..];
    transport[0..4].fill(0);
    match transport.len() {
        _ if frame_is_udp(frame) => transport[6..8].fill(0),
        _ => {
            transport[4..12].fill(0);
            transport[16..18].fill(0);
        }
    }
    bytes
}

fn frame_is_udp(frame: &Frame) -> bool {
    frame.bytes[14 + 9] == IpProtocol::UDP.0
}

#[test]
fn encapsulation_captures_one_datagram_the_same_from_c_and_rust() {
    if !may_capture("encapsulation_captures_one_datagram_the_same_from_c_and_rust") {
        return;
    }
    let mut shapes = Vec::new();
    for (server, client) in MIXES {
        let outcome = capture("encapsulation", server, client);
        let mix = format!("{server} server, {client} client");
        assert_eq!(outcome.frames.len(), 1, "{mix}: one datagram");
        let frame = &outcome.frames[0];
        let eth = EthernetFrame::new_checked(&frame.bytes[..]).unwrap();
        assert_eq!(eth.source().0, [0; 6], "{mix}: lo has no MAC address");
        assert_eq!(eth.destination().0, [0; 6]);
        let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
        assert_eq!(
            (ip.version(), ip.ihl(), ip.ttl(), ip.protocol()),
            (4, 5, 64, IpProtocol::UDP)
        );
        assert_eq!(ip.total_len(), 20 + 8 + 12);
        assert_eq!(
            (ip.src_addr(), ip.dst_addr()),
            (std::net::Ipv4Addr::LOCALHOST, std::net::Ipv4Addr::LOCALHOST)
        );
        let udp = UdpDatagram::new_checked(ip.payload()).unwrap();
        assert_eq!(
            udp.dst_port(),
            outcome.run.port,
            "{mix}: to the server's port"
        );
        assert_ne!(udp.src_port(), outcome.run.port);
        assert_eq!(udp.len(), 8 + 12);
        assert_eq!(
            udp.payload(),
            b"hello world\0",
            "{mix}: sizeof(buf), the NUL too"
        );
        assert_eq!(frame.bytes.len(), 54);
        shapes.push((mix, shape(frame)));
    }
    for (mix, s) in &shapes[1..] {
        assert_eq!(s, &shapes[0].1, "{mix} against {}", shapes[0].0);
    }
}

/// A segment as compared across runs: who sent it, its flags, its relative numbers,
/// its data. Not the real numbers, nor the window.
fn comparable(s: &Segment) -> (bool, TcpFlags, u32, Option<u32>, Vec<u8>) {
    (
        s.from_client,
        s.flags,
        s.rel_seq,
        s.rel_ack,
        s.payload.clone(),
    )
}

/// The close, told by role (true: the side that closed first) rather than by client
/// and server, and without the ACK of the data that may cross the first FIN: the same
/// in every run, whoever closes first.
fn close_by_role(segments: &[Segment]) -> Vec<(bool, TcpFlags)> {
    let first = segments
        .iter()
        .position(|s| s.flags.contains(TcpFlags::FIN))
        .expect("a FIN");
    let active = segments[first].from_client;
    let fins: Vec<&Segment> = segments[first..]
        .iter()
        .filter(|s| s.flags.contains(TcpFlags::FIN))
        .collect();
    segments[first..]
        .iter()
        .filter(|s| {
            s.flags.contains(TcpFlags::FIN)
                || fins
                    .iter()
                    .any(|f| f.from_client != s.from_client && s.rel_ack == Some(f.rel_seq + 1))
        })
        .map(|s| (s.from_client == active, s.flags))
        .collect()
}

#[test]
fn handshake_captures_the_same_segments_from_c_and_rust() {
    if !may_capture("handshake_captures_the_same_segments_from_c_and_rust") {
        return;
    }
    let mut hello = vec![0u8; 100];
    hello[..5].copy_from_slice(b"hello");
    let ack = TcpFlags::ACK;
    let expected_start = vec![
        (true, TcpFlags::SYN, 0, None, vec![]),
        (false, TcpFlags::SYN | ack, 0, Some(1), vec![]),
        (true, ack, 1, Some(1), vec![]),
        (true, TcpFlags::PSH | ack, 1, Some(1), hello),
    ];
    let mut closes = Vec::new();
    for (server, client) in MIXES {
        let outcome = capture("handshake", server, client);
        let mix = format!("{server} server, {client} client");
        let segments = outcome.segments();
        let start: Vec<_> = segments.iter().take(4).map(comparable).collect();
        assert_eq!(start, expected_start, "{mix}: handshake and data");

        // ack = seq + 1, on the real numbers: the SYN and the SYN+ACK each took one.
        let (syn, syn_ack, third) = (&segments[0], &segments[1], &segments[2]);
        assert_eq!(syn_ack.ack, syn.seq.wrapping_add(1), "{mix}: J + 1");
        assert_eq!(third.ack, syn_ack.seq.wrapping_add(1), "{mix}: K + 1");
        assert_eq!(third.seq, syn.seq.wrapping_add(1));
        // The 100 bytes are acknowledged: ack = 1 + 100.
        assert!(
            segments
                .iter()
                .any(|s| !s.from_client && s.rel_ack >= Some(101)),
            "{mix}: the data's ACK"
        );
        // Each side sends one FIN, and no RST.
        for side in [true, false] {
            let fins = segments
                .iter()
                .filter(|s| s.from_client == side && s.flags.contains(TcpFlags::FIN))
                .count();
            assert_eq!(fins, 1, "{mix}: one FIN from each side");
        }
        assert!(segments.iter().all(|s| !s.flags.contains(TcpFlags::RST)));
        assert!(
            segments
                .iter()
                .all(|s| s.checksum == ChecksumStatus::Partial),
            "{mix}: lo's partial checksums"
        );
        // The side that closed first holds the connection in TIME_WAIT.
        let first_fin = segments
            .iter()
            .find(|s| s.flags.contains(TcpFlags::FIN))
            .unwrap();
        let time_wait: Vec<_> = outcome
            .after
            .iter()
            .filter(|e| e.state == TcpState::TIME_WAIT)
            .collect();
        assert_eq!(time_wait.len(), 1, "{mix}: {:?}", outcome.after);
        assert_eq!(
            time_wait[0].local.1 != outcome.run.port,
            first_fin.from_client,
            "{mix}: TIME_WAIT is the active closer's"
        );
        closes.push((mix, close_by_role(&segments)));
    }
    for (mix, close) in &closes {
        assert_eq!(
            close, &closes[0].1,
            "{mix} against {}: the close, by role",
            closes[0].0
        );
    }
    let (active, passive) = (true, false);
    assert!(
        closes[0].1
            == [
                (active, TcpFlags::FIN | TcpFlags::ACK),
                (passive, TcpFlags::FIN | TcpFlags::ACK),
                (active, TcpFlags::ACK)
            ]
            || closes[0].1
                == [
                    (active, TcpFlags::FIN | TcpFlags::ACK),
                    (passive, TcpFlags::ACK),
                    (passive, TcpFlags::FIN | TcpFlags::ACK),
                    (active, TcpFlags::ACK)
                ],
        "a close of three or four segments: {:?}",
        closes[0].1
    );
}

#[test]
fn without_cap_net_raw_the_lesson_says_how_to_run_it() {
    let lesson_bin = env!("CARGO_BIN_EXE_lesson");
    let args = [
        "handshake",
        "--server",
        "rust",
        "--client",
        "rust",
        "--no-color",
    ];
    // As root, drop the capability for the runner (and what it starts); otherwise it
    // has none to drop.
    let mut cmd = if is_root() {
        if Command::new("setpriv").arg("--version").output().is_err() {
            eprintln!("skipped: no setpriv to drop CAP_NET_RAW with");
            return;
        }
        let mut cmd = Command::new("setpriv");
        cmd.args(["--inh-caps=-net_raw", "--bounding-set=-net_raw", "--"])
            .arg(lesson_bin);
        cmd
    } else {
        Command::new(lesson_bin)
    };
    let out = cmd
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("socket(AF_PACKET, SOCK_RAW, 0): Operation not permitted"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "capturing packets needs root or CAP_NET_RAW: run it as root, e.g. `sudo -E \
             cargo lesson handshake`, or give the binary the capability with `sudo setcap \
             cap_net_raw+ep target/debug/lesson`"
        ),
        "{stderr}"
    );
}
