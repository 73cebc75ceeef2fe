//! `socklab::wire`, grouped by header: each view on fixed bytes both ways (every field
//! parsed; the same bytes built with the setters), its length checks on every prefix,
//! and `etherparse` as the oracle, on packets proptest makes, built by one and read by
//! the other. The packets the capture lessons catch are checked in `tests/capture.rs`.

use std::net::Ipv4Addr;

use etherparse::{
    IpDscp, IpEcn, IpFragOffset, IpHeaders, IpNumber, Ipv4Extensions, Ipv4Header, LinkHeader,
    NetHeaders, PacketBuilder, PacketHeaders, PayloadSlice, TcpHeader, TransportHeader,
};
use pretty_assertions::assert_eq;
use proptest::prelude::*;
use socklab::wire::{
    checksum, ChecksumStatus, Error, EtherType, EthernetFrame, IpProtocol, Ipv4Packet, MacAddress,
    TcpFlags, TcpOption, TcpSegment, UdpDatagram,
};

/// The udp-hello datagram as the `encapsulation` lesson captured it on `lo`: port 60184
/// to 5678, "hello world\0". The UDP checksum is lo's partial one (the pseudo-header's
/// sum, 0xfe27), as every capture on lo shows it.
const UDP_HELLO: [u8; 54] = [
    // Ethernet: destination, source, EtherType
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
    // IPv4: version+IHL, TOS, total length, identification, flags+offset, TTL, protocol,
    // header checksum, source, destination
    0x45, 0x00, 0x00, 0x28, 0x37, 0x6a, 0x40, 0x00, 0x40, 0x11, 0x05, 0x59, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, // UDP: source port, destination port, length, checksum
    0xeb, 0x18, 0x16, 0x2e, 0x00, 0x14, 0xfe, 0x27, // the data
    b'h', b'e', b'l', b'l', b'o', b' ', b'w', b'o', b'r', b'l', b'd', 0x00,
];

/// A SYN captured on `lo`: port 51122 to 5679, ISN 0x1e1a5472, with MSS, SACK permitted,
/// timestamps and window scale.
const TCP_SYN: [u8; 74] = [
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, //
    0x45, 0x00, 0x00, 0x3c, 0x62, 0x2a, 0x40, 0x00, 0x40, 0x06, 0xda, 0x8f, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, //
    // TCP: ports, seq, ack, data offset, flags, window, checksum, urgent pointer
    0xc7, 0xb2, 0x16, 0x2f, 0x1e, 0x1a, 0x54, 0x72, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xff, 0xd7,
    0xfe, 0x30, 0x00, 0x00, //
    // options: MSS 65495, SACK permitted, timestamps, NOP, window scale 7
    0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a, 0x94, 0x0e, 0x4c, 0x0a, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x03, 0x03, 0x07,
];

/// The server's FIN+ACK of the same connection (seq 0xedade4a0, ack 0x1e1a54d8).
const TCP_FIN_ACK: [u8; 66] = [
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, //
    0x45, 0x00, 0x00, 0x34, 0x0a, 0xc5, 0x40, 0x00, 0x40, 0x06, 0x31, 0xfd, 0x7f, 0x00, 0x00, 0x01,
    0x7f, 0x00, 0x00, 0x01, //
    0x16, 0x2f, 0xc7, 0xb2, 0xed, 0xad, 0xe4, 0xa0, 0x1e, 0x1a, 0x54, 0xd8, 0x80, 0x11, 0x00, 0x40,
    0xfe, 0x28, 0x00, 0x00, //
    0x01, 0x01, 0x08, 0x0a, 0x6b, 0xfe, 0x70, 0x09, 0x94, 0x0e, 0x4c, 0x0a,
];

const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

fn layers(bytes: &[u8]) -> (EthernetFrame<&[u8]>, Ipv4Packet<&[u8]>) {
    let eth = EthernetFrame::new_checked(bytes).expect("Ethernet");
    let ip = Ipv4Packet::new_checked(eth.payload()).expect("IPv4");
    (eth, ip)
}

// ---------------------------------------------------------------------------------------
// The Internet checksum (RFC 1071).

#[test]
fn checksum_of_rfc_1071s_example() {
    // RFC 1071 §3, "Numerical Examples": the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
    let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(checksum::sum(&bytes), 0xddf2);
    assert_eq!(checksum::checksum(&bytes), !0xddf2);
    // An odd length: the last byte is the high half of a word.
    assert_eq!(checksum::sum(&[0x01]), 0x0100);
    assert_eq!(checksum::combine(&[0xffff, 0x0001]), 0x0001);
}

#[test]
fn the_pseudo_header_of_lo_is_the_partial_checksum() {
    // 7f00 + 0001 + 7f00 + 0001 + 0011 + 0014 = fe27: what lo leaves in the field.
    assert_eq!(
        checksum::pseudo_header(LOCALHOST, LOCALHOST, 17, 20),
        0xfe27
    );
}

// ---------------------------------------------------------------------------------------
// Ethernet (RFC 894).

#[test]
fn ethernet_parses_every_field() {
    let eth = EthernetFrame::new_checked(&UDP_HELLO[..]).unwrap();
    assert_eq!(eth.destination(), MacAddress([0; 6]));
    assert_eq!(eth.source(), MacAddress([0; 6]));
    assert_eq!(eth.ethertype(), EtherType::IPV4);
    assert_eq!(eth.ethertype().to_string(), "0x0800 (IPv4)");
    assert_eq!(eth.header(), &UDP_HELLO[..14]);
    assert_eq!(eth.payload(), &UDP_HELLO[14..]);
    assert_eq!(
        MacAddress([0x02, 0x42, 0xac, 0x11, 0x00, 0x02]).to_string(),
        "02:42:ac:11:00:02"
    );
}

#[test]
fn ethernet_builds_the_same_bytes() {
    let mut buf = [0xffu8; 54];
    let mut eth = EthernetFrame::new_unchecked(&mut buf[..]);
    eth.set_destination(MacAddress([0; 6]));
    eth.set_source(MacAddress([0; 6]));
    eth.set_ethertype(EtherType::IPV4);
    eth.payload_mut().copy_from_slice(&UDP_HELLO[14..]);
    assert_eq!(buf, UDP_HELLO);
}

// ---------------------------------------------------------------------------------------
// IPv4 (RFC 791).

#[test]
fn ipv4_parses_every_field() {
    let (_, ip) = layers(&UDP_HELLO);
    assert_eq!(ip.version(), 4);
    assert_eq!(ip.ihl(), 5);
    assert_eq!(ip.header_len(), 20);
    assert_eq!((ip.tos(), ip.dscp(), ip.ecn()), (0, 0, 0));
    assert_eq!(ip.total_len(), 40);
    assert_eq!(ip.ident(), 0x376a);
    assert!(ip.dont_frag());
    assert!(!ip.more_frags());
    assert_eq!(ip.frag_offset(), 0);
    assert_eq!(ip.ttl(), 64);
    assert_eq!(ip.protocol(), IpProtocol::UDP);
    assert_eq!(ip.protocol().to_string(), "17 (UDP)");
    assert_eq!(ip.checksum(), 0x0559);
    assert!(ip.verify_checksum());
    assert_eq!(ip.src_addr(), LOCALHOST);
    assert_eq!(ip.dst_addr(), LOCALHOST);
    assert_eq!(ip.options(), b"");
    assert_eq!(ip.header(), &UDP_HELLO[14..34]);
    assert_eq!(ip.payload(), &UDP_HELLO[34..]);
}

#[test]
fn ipv4_builds_the_same_bytes() {
    let mut buf = [0u8; 40];
    let mut ip = Ipv4Packet::new_unchecked(&mut buf[..]);
    ip.set_version(4);
    ip.set_ihl(5);
    ip.set_tos(0);
    ip.set_total_len(40);
    ip.set_ident(0x376a);
    ip.set_flags_frag(true, false, 0);
    ip.set_ttl(64);
    ip.set_protocol(IpProtocol::UDP);
    ip.set_src_addr(LOCALHOST);
    ip.set_dst_addr(LOCALHOST);
    ip.payload_mut().copy_from_slice(&UDP_HELLO[34..]);
    ip.fill_checksum();
    assert_eq!(buf, UDP_HELLO[14..]);
}

#[test]
fn ipv4_checksum_detects_a_changed_byte() {
    let mut bytes = UDP_HELLO;
    bytes[22] -= 1; // TTL 63, as after a router that did not fix the checksum
    let (_, ip) = layers(&bytes);
    assert!(!ip.verify_checksum());
}

#[test]
fn ipv4_options_and_padding_after_total_length() {
    // IHL 6: four bytes of options (a NOP and an End of Options, padded); then two
    // bytes of data, then padding the datagram does not own (as Ethernet pads).
    let mut buf = [0u8; 30];
    let mut ip = Ipv4Packet::new_unchecked(&mut buf[..]);
    ip.set_version(4);
    ip.set_ihl(6);
    ip.set_total_len(26);
    ip.set_protocol(IpProtocol::ICMP);
    ip.payload_mut().copy_from_slice(b"hi");
    buf[20] = 1;
    let mut ip = Ipv4Packet::new_unchecked(&mut buf[..]);
    ip.fill_checksum();
    let ip = Ipv4Packet::new_checked(&buf[..]).unwrap();
    assert_eq!(ip.options(), &[1, 0, 0, 0]);
    assert_eq!(ip.payload(), b"hi");
    assert!(ip.verify_checksum());
}

#[test]
fn ipv4_rejects_what_rfc_791_rules_out() {
    let malformed = |field: &'static str, value: u32| Error::Malformed {
        header: "IPv4",
        field,
        value,
    };
    let ip = &UDP_HELLO[14..];
    let mut v6 = ip.to_vec();
    v6[0] = 0x65;
    assert_eq!(
        Ipv4Packet::new_checked(&v6[..]),
        Err(malformed("Version", 6))
    );
    let mut ihl4 = ip.to_vec();
    ihl4[0] = 0x44;
    assert_eq!(Ipv4Packet::new_checked(&ihl4[..]), Err(malformed("IHL", 4)));
    let mut short_total = ip.to_vec();
    short_total[3] = 19;
    assert_eq!(
        Ipv4Packet::new_checked(&short_total[..]),
        Err(malformed("Total Length", 19))
    );
    let mut long_total = ip.to_vec();
    long_total[3] = 41;
    assert_eq!(
        Ipv4Packet::new_checked(&long_total[..]),
        Err(Error::Truncated {
            header: "IPv4",
            needed: 41,
            got: 40
        })
    );
    let mut ihl15 = ip.to_vec();
    ihl15[0] = 0x4f;
    assert_eq!(
        Ipv4Packet::new_checked(&ihl15[..]).unwrap_err().to_string(),
        "IPv4: 40 bytes, 60 needed"
    );
}

// ---------------------------------------------------------------------------------------
// UDP (RFC 768).

#[test]
fn udp_parses_every_field() {
    let (_, ip) = layers(&UDP_HELLO);
    let udp = UdpDatagram::new_checked(ip.payload()).unwrap();
    assert_eq!(udp.src_port(), 60184);
    assert_eq!(udp.dst_port(), 5678);
    assert_eq!(udp.len(), 20);
    assert!(!udp.is_empty());
    assert_eq!(udp.checksum(), 0xfe27);
    assert_eq!(udp.header(), &UDP_HELLO[34..42]);
    assert_eq!(udp.payload(), b"hello world\0");
    assert_eq!(udp.datagram(), &UDP_HELLO[34..]);
    assert_eq!(
        udp.checksum_status(ip.src_addr(), ip.dst_addr()),
        ChecksumStatus::Partial
    );
    assert!(!udp.verify_checksum(ip.src_addr(), ip.dst_addr()));
}

#[test]
fn udp_builds_the_same_bytes_and_a_full_checksum() {
    let mut buf = [0u8; 20];
    let mut udp = UdpDatagram::new_unchecked(&mut buf[..]);
    udp.set_src_port(60184);
    udp.set_dst_port(5678);
    udp.set_len(20);
    udp.set_checksum(0xfe27);
    udp.payload_mut().copy_from_slice(b"hello world\0");
    assert_eq!(buf, UDP_HELLO[34..]);

    // What a network card would have finished: the oracle agrees on the value.
    let mut udp = UdpDatagram::new_unchecked(&mut buf[..]);
    udp.fill_checksum(LOCALHOST, LOCALHOST);
    let udp = UdpDatagram::new_checked(&buf[..]).unwrap();
    assert_eq!(
        udp.checksum_status(LOCALHOST, LOCALHOST),
        ChecksumStatus::Verified
    );
    let (theirs, _) = etherparse::UdpHeader::from_slice(&buf).unwrap();
    let expected = theirs
        .calc_checksum_ipv4_raw([127, 0, 0, 1], [127, 0, 0, 1], b"hello world\0")
        .unwrap();
    assert_eq!(udp.checksum(), expected);
}

#[test]
fn udp_zero_checksum_is_absent_and_lengths_are_checked() {
    let mut dgram = UDP_HELLO[34..].to_vec();
    dgram[6] = 0;
    dgram[7] = 0;
    let udp = UdpDatagram::new_checked(&dgram[..]).unwrap();
    assert_eq!(
        udp.checksum_status(LOCALHOST, LOCALHOST),
        ChecksumStatus::Absent
    );
    assert!(udp.verify_checksum(LOCALHOST, LOCALHOST));
    dgram[5] = 7;
    assert_eq!(
        UdpDatagram::new_checked(&dgram[..]),
        Err(Error::Malformed {
            header: "UDP",
            field: "Length",
            value: 7
        })
    );
    dgram[5] = 21;
    assert_eq!(
        UdpDatagram::new_checked(&dgram[..]),
        Err(Error::Truncated {
            header: "UDP",
            needed: 21,
            got: 20
        })
    );
}

// ---------------------------------------------------------------------------------------
// TCP (RFC 9293).

#[test]
fn tcp_parses_every_field_of_a_syn() {
    let (_, ip) = layers(&TCP_SYN);
    assert_eq!(ip.protocol(), IpProtocol::TCP);
    assert!(ip.verify_checksum());
    let tcp = TcpSegment::new_checked(ip.payload()).unwrap();
    assert_eq!(tcp.src_port(), 51122);
    assert_eq!(tcp.dst_port(), 5679);
    assert_eq!(tcp.seq_number(), 0x1e1a5472);
    assert_eq!(tcp.ack_number(), 0);
    assert_eq!(tcp.data_offset(), 10);
    assert_eq!(tcp.header_len(), 40);
    assert_eq!(tcp.flags(), TcpFlags::SYN);
    assert!(tcp.syn());
    for flag in [
        tcp.ack(),
        tcp.fin(),
        tcp.rst(),
        tcp.psh(),
        tcp.urg(),
        tcp.ece(),
        tcp.cwr(),
    ] {
        assert!(!flag);
    }
    assert_eq!(tcp.window_len(), 65495);
    assert_eq!(tcp.checksum(), 0xfe30);
    assert_eq!(tcp.urgent_at(), 0);
    assert_eq!(tcp.payload(), b"");
    assert_eq!(tcp.segment_len(), 1, "a SYN takes one sequence number");
    assert_eq!(tcp.options_bytes(), &TCP_SYN[54..]);
    let options: Vec<TcpOption> = tcp.options().map(Result::unwrap).collect();
    assert_eq!(
        options,
        [
            TcpOption::MaxSegmentSize(65495),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                tsval: 0x940e4c0a,
                tsecr: 0
            },
            TcpOption::NoOperation,
            TcpOption::WindowScale(7),
        ]
    );
    assert_eq!(options.iter().map(TcpOption::len).sum::<usize>(), 20);
    assert_eq!(
        tcp.checksum_status(ip.src_addr(), ip.dst_addr()),
        ChecksumStatus::Partial
    );
}

#[test]
fn tcp_parses_a_fin_ack() {
    let (_, ip) = layers(&TCP_FIN_ACK);
    let tcp = TcpSegment::new_checked(ip.payload()).unwrap();
    assert_eq!((tcp.src_port(), tcp.dst_port()), (5679, 51122));
    assert_eq!(tcp.seq_number(), 0xedade4a0);
    assert_eq!(tcp.ack_number(), 0x1e1a54d8);
    assert_eq!(tcp.flags(), TcpFlags::FIN | TcpFlags::ACK);
    assert!(tcp.fin() && tcp.ack());
    assert_eq!(tcp.flags().to_string(), "FIN, ACK");
    assert_eq!(tcp.window_len(), 64);
    assert_eq!(tcp.segment_len(), 1, "a FIN takes one sequence number");
    let options: Vec<TcpOption> = tcp.options().map(Result::unwrap).collect();
    assert_eq!(
        options,
        [
            TcpOption::NoOperation,
            TcpOption::NoOperation,
            TcpOption::Timestamps {
                tsval: 0x6bfe7009,
                tsecr: 0x940e4c0a
            },
        ]
    );
}

#[test]
fn tcp_builds_the_same_bytes() {
    let mut buf = [0u8; 40];
    let mut tcp = TcpSegment::new_unchecked(&mut buf[..]);
    tcp.set_src_port(51122);
    tcp.set_dst_port(5679);
    tcp.set_seq_number(0x1e1a5472);
    tcp.set_ack_number(0);
    tcp.set_data_offset(10);
    tcp.set_flags(TcpFlags::SYN);
    tcp.set_window_len(65495);
    tcp.set_checksum(0xfe30);
    tcp.set_urgent_at(0);
    tcp.options_mut().copy_from_slice(&TCP_SYN[54..]);
    assert_eq!(tcp.payload_mut(), b"");
    assert_eq!(buf, TCP_SYN[34..]);

    // The full checksum, as etherparse computes it.
    let mut tcp = TcpSegment::new_unchecked(&mut buf[..]);
    tcp.fill_checksum(LOCALHOST, LOCALHOST);
    let tcp = TcpSegment::new_checked(&buf[..]).unwrap();
    assert!(tcp.verify_checksum(LOCALHOST, LOCALHOST));
    let (theirs, _) = TcpHeader::from_slice(&buf).unwrap();
    let expected = theirs
        .calc_checksum_ipv4_raw([127, 0, 0, 1], [127, 0, 0, 1], &[])
        .unwrap();
    assert_eq!(tcp.checksum(), expected);
}

#[test]
fn tcp_flags_print_as_wireshark_does() {
    assert_eq!(TcpFlags::SYN.to_string(), "SYN");
    assert_eq!((TcpFlags::SYN | TcpFlags::ACK).to_string(), "SYN, ACK");
    assert_eq!((TcpFlags::PSH | TcpFlags::ACK).to_string(), "PSH, ACK");
    assert_eq!((TcpFlags::RST | TcpFlags::ACK).to_string(), "RST, ACK");
    assert_eq!(
        TcpFlags(0xff).to_string(),
        "FIN, SYN, RST, PSH, ACK, URG, ECE, CWR"
    );
    assert_eq!(TcpFlags(0).to_string(), "none");
}

#[test]
fn tcp_rejects_bad_offsets_and_options() {
    let mut seg = TCP_SYN[34..].to_vec();
    seg[12] = 0x40;
    assert_eq!(
        TcpSegment::new_checked(&seg[..]),
        Err(Error::Malformed {
            header: "TCP",
            field: "Data Offset",
            value: 4
        })
    );
    seg[12] = 0xb0; // 44 bytes of header in 40
    assert!(matches!(
        TcpSegment::new_checked(&seg[..]),
        Err(Error::Truncated { needed: 44, .. })
    ));
    // Options that lie: a length of 1, a length past the end, a MSS of 3 bytes.
    for (options, what) in [
        (&[2u8, 1, 0, 0][..], "length 1"),
        (&[8, 12, 0, 0][..], "past the end"),
        (&[2, 3, 0, 1][..], "MSS of one byte"),
    ] {
        let mut seg = [0u8; 24];
        let mut tcp = TcpSegment::new_unchecked(&mut seg[..]);
        tcp.set_data_offset(6);
        tcp.options_mut().copy_from_slice(options);
        let tcp = TcpSegment::new_checked(&seg[..]).unwrap();
        let parsed: Vec<_> = tcp.options().collect();
        assert_eq!(parsed.len(), 1, "{what}: one error, then the end");
        assert!(parsed[0].is_err(), "{what}");
    }
}

// ---------------------------------------------------------------------------------------
// Short input: an error at every length, never a panic.

#[test]
fn every_prefix_is_an_error_not_a_panic() {
    for packet in [&UDP_HELLO[..], &TCP_SYN[..], &TCP_FIN_ACK[..]] {
        for len in 0..packet.len() {
            let bytes = &packet[..len];
            let Ok(eth) = EthernetFrame::new_checked(bytes) else {
                assert!(len < 14);
                continue;
            };
            // Every IPv4 prefix is short of Total Length.
            assert!(matches!(
                Ipv4Packet::new_checked(eth.payload()),
                Err(Error::Truncated { .. })
            ));
            // The transport header alone, cut short.
            let transport = &packet[34..len.max(34)];
            if packet.len() == UDP_HELLO.len() {
                assert!(UdpDatagram::new_checked(transport).is_err());
            } else if transport.len() < 40 {
                assert!(TcpSegment::new_checked(transport).is_err());
            }
        }
    }
}

proptest! {
    /// Any bytes: the checks say no, or every getter works.
    #[test]
    fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        if let Ok(eth) = EthernetFrame::new_checked(&bytes[..]) {
            let _ = (eth.destination(), eth.source(), eth.ethertype(), eth.payload());
        }
        if let Ok(ip) = Ipv4Packet::new_checked(&bytes[..]) {
            let _ = (ip.version(), ip.ihl(), ip.tos(), ip.total_len(), ip.ident(), ip.ttl());
            let _ = (ip.dont_frag(), ip.more_frags(), ip.frag_offset(), ip.protocol());
            let _ = (ip.checksum(), ip.src_addr(), ip.dst_addr(), ip.verify_checksum());
            let _ = (ip.header(), ip.options(), ip.payload());
        }
        if let Ok(udp) = UdpDatagram::new_checked(&bytes[..]) {
            let _ = (udp.src_port(), udp.dst_port(), udp.len(), udp.checksum());
            let _ = (udp.payload(), udp.checksum_status(LOCALHOST, LOCALHOST));
        }
        if let Ok(tcp) = TcpSegment::new_checked(&bytes[..]) {
            let _ = (tcp.src_port(), tcp.dst_port(), tcp.seq_number(), tcp.ack_number());
            let _ = (tcp.flags(), tcp.window_len(), tcp.checksum(), tcp.urgent_at());
            let _ = (tcp.payload(), tcp.segment_len(), tcp.options().count());
            let _ = tcp.checksum_status(LOCALHOST, LOCALHOST);
        }
    }
}

// ---------------------------------------------------------------------------------------
// etherparse, the oracle: packets it builds, read by us; packets we build, read by it.

/// The fields of an IPv4 header as we read them, in etherparse's terms.
fn ours_as_etherparse(ip: &Ipv4Packet<&[u8]>) -> Ipv4Header {
    let mut h = Ipv4Header {
        dscp: IpDscp::try_new(ip.dscp()).unwrap(),
        ecn: IpEcn::try_new(ip.ecn()).unwrap(),
        total_len: ip.total_len(),
        identification: ip.ident(),
        dont_fragment: ip.dont_frag(),
        more_fragments: ip.more_frags(),
        fragment_offset: IpFragOffset::try_new(ip.frag_offset()).unwrap(),
        time_to_live: ip.ttl(),
        protocol: IpNumber(ip.protocol().0),
        header_checksum: ip.checksum(),
        source: ip.src_addr().octets(),
        destination: ip.dst_addr().octets(),
        ..Default::default()
    };
    h.options = ip.options().try_into().unwrap();
    h
}

/// What proptest varies in an IPv4 header.
#[derive(Debug, Clone)]
struct IpParams {
    dscp: u8,
    ecn: u8,
    ident: u16,
    df: bool,
    ttl: u8,
    src: [u8; 4],
    dst: [u8; 4],
    options: Vec<u8>,
}

fn ip_params() -> impl Strategy<Value = IpParams> {
    (
        0u8..64,
        0u8..4,
        any::<u16>(),
        any::<bool>(),
        any::<u8>(),
        any::<[u8; 4]>(),
        any::<[u8; 4]>(),
        (0usize..=10).prop_flat_map(|words| proptest::collection::vec(any::<u8>(), words * 4)),
    )
        .prop_map(|(dscp, ecn, ident, df, ttl, src, dst, options)| IpParams {
            dscp,
            ecn,
            ident,
            df,
            ttl,
            src,
            dst,
            options,
        })
}

fn etherparse_ipv4(p: &IpParams, protocol: IpNumber) -> Ipv4Header {
    let mut h = Ipv4Header::new(0, p.ttl, protocol, p.src, p.dst).unwrap();
    h.dscp = IpDscp::try_new(p.dscp).unwrap();
    h.ecn = IpEcn::try_new(p.ecn).unwrap();
    h.identification = p.ident;
    h.dont_fragment = p.df;
    h.options = p.options[..].try_into().unwrap();
    h
}

/// Builds Ethernet + IPv4 with our setters around a transport `segment` (its checksum
/// already filled), and fills the IPv4 checksum.
fn build_ours(p: &IpParams, macs: ([u8; 6], [u8; 6]), protocol: u8, segment: &[u8]) -> Vec<u8> {
    let ihl = 5 + p.options.len() / 4;
    let total = ihl * 4 + segment.len();
    let mut buf = vec![0u8; 14 + total];
    let mut eth = EthernetFrame::new_unchecked(&mut buf[..]);
    eth.set_destination(MacAddress(macs.1));
    eth.set_source(MacAddress(macs.0));
    eth.set_ethertype(EtherType::IPV4);
    let mut ip = Ipv4Packet::new_unchecked(eth.payload_mut());
    ip.set_version(4);
    ip.set_ihl(ihl as u8);
    ip.set_tos(p.dscp << 2 | p.ecn);
    ip.set_total_len(total as u16);
    ip.set_ident(p.ident);
    ip.set_flags_frag(p.df, false, 0);
    ip.set_ttl(p.ttl);
    ip.set_protocol(IpProtocol(protocol));
    ip.set_src_addr(p.src.into());
    ip.set_dst_addr(p.dst.into());
    buf[14 + 20..14 + ihl * 4].copy_from_slice(&p.options);
    buf[14 + ihl * 4..].copy_from_slice(segment);
    let mut ip = Ipv4Packet::new_unchecked(&mut buf[14..]);
    ip.fill_checksum();
    buf
}

/// The Ethernet and IPv4 headers as etherparse reads `bytes`, checked against ours.
fn check_link_and_net<'a>(bytes: &'a [u8]) -> PacketHeaders<'a> {
    let theirs = PacketHeaders::from_ethernet_slice(bytes).expect("etherparse reads it");
    let (eth, ip) = layers(bytes);
    let Some(LinkHeader::Ethernet2(e)) = &theirs.link else {
        panic!("etherparse: no Ethernet II header");
    };
    assert_eq!(e.source, eth.source().0);
    assert_eq!(e.destination, eth.destination().0);
    assert_eq!(e.ether_type.0, eth.ethertype().0);
    let Some(NetHeaders::Ipv4(h, _)) = &theirs.net else {
        panic!("etherparse: no IPv4 header");
    };
    assert_eq!(h, &ours_as_etherparse(&ip));
    assert_eq!(h.header_len(), ip.header_len());
    assert_eq!(h.ihl(), ip.ihl());
    assert!(ip.verify_checksum());
    assert_eq!(h.calc_header_checksum(), ip.checksum());
    theirs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// UDP built by etherparse, read by us, field by field.
    #[test]
    fn udp_built_by_etherparse_reads_the_same(
        p in ip_params(),
        macs in any::<([u8; 6], [u8; 6])>(),
        ports in any::<(u16, u16)>(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let builder = PacketBuilder::ethernet2(macs.0, macs.1)
            .ip(IpHeaders::Ipv4(etherparse_ipv4(&p, IpNumber::UDP), Ipv4Extensions::default()))
            .udp(ports.0, ports.1);
        let mut bytes = Vec::new();
        builder.write(&mut bytes, &payload).unwrap();

        let theirs = check_link_and_net(&bytes);
        let (_, ip) = layers(&bytes);
        let udp = UdpDatagram::new_checked(ip.payload()).unwrap();
        let Some(TransportHeader::Udp(u)) = theirs.transport else { panic!("no UDP") };
        prop_assert_eq!(
            (udp.src_port(), udp.dst_port(), udp.len(), udp.checksum()),
            (u.source_port, u.destination_port, u.length, u.checksum)
        );
        prop_assert_eq!(udp.payload(), &payload[..]);
        prop_assert!(matches!(theirs.payload, PayloadSlice::Udp(d) if d == &payload[..]));
        prop_assert!(udp.verify_checksum(ip.src_addr(), ip.dst_addr()));
    }

    /// UDP built by us, read by etherparse, checksums computed by both.
    #[test]
    fn udp_built_by_us_reads_the_same_in_etherparse(
        p in ip_params(),
        macs in any::<([u8; 6], [u8; 6])>(),
        ports in any::<(u16, u16)>(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let len = 8 + payload.len();
        let mut segment = vec![0u8; len];
        let mut udp = UdpDatagram::new_unchecked(&mut segment[..]);
        udp.set_src_port(ports.0);
        udp.set_dst_port(ports.1);
        udp.set_len(len as u16);
        udp.payload_mut().copy_from_slice(&payload);
        let mut udp = UdpDatagram::new_unchecked(&mut segment[..]);
        udp.fill_checksum(p.src.into(), p.dst.into());
        let bytes = build_ours(&p, macs, 17, &segment);

        let theirs = check_link_and_net(&bytes);
        let Some(TransportHeader::Udp(u)) = theirs.transport else { panic!("no UDP") };
        prop_assert_eq!((u.source_port, u.destination_port), ports);
        prop_assert_eq!(usize::from(u.length), segment.len());
        prop_assert_eq!(u.calc_checksum_ipv4_raw(p.src, p.dst, &payload).unwrap(), u.checksum);
    }

    /// TCP built by etherparse, with any flags and options, read by us.
    #[test]
    fn tcp_built_by_etherparse_reads_the_same(
        p in ip_params(),
        macs in any::<([u8; 6], [u8; 6])>(),
        ports in any::<(u16, u16)>(),
        (seq, ack, window, urgent) in any::<(u32, u32, u16, u16)>(),
        flags in any::<u8>(),
        options in (0usize..=10).prop_flat_map(|w| proptest::collection::vec(any::<u8>(), w * 4)),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut t = TcpHeader::new(ports.0, ports.1, seq, window);
        t.acknowledgment_number = ack;
        t.urgent_pointer = urgent;
        let f = TcpFlags(flags);
        t.fin = f.contains(TcpFlags::FIN);
        t.syn = f.contains(TcpFlags::SYN);
        t.rst = f.contains(TcpFlags::RST);
        t.psh = f.contains(TcpFlags::PSH);
        t.ack = f.contains(TcpFlags::ACK);
        t.urg = f.contains(TcpFlags::URG);
        t.ece = f.contains(TcpFlags::ECE);
        t.cwr = f.contains(TcpFlags::CWR);
        t.set_options_raw(&options).unwrap();
        let builder = PacketBuilder::ethernet2(macs.0, macs.1)
            .ip(IpHeaders::Ipv4(etherparse_ipv4(&p, IpNumber::TCP), Ipv4Extensions::default()))
            .tcp_header(t);
        let mut bytes = Vec::new();
        builder.write(&mut bytes, &payload).unwrap();

        let theirs = check_link_and_net(&bytes);
        let (_, ip) = layers(&bytes);
        let tcp = TcpSegment::new_checked(ip.payload()).unwrap();
        let Some(TransportHeader::Tcp(h)) = theirs.transport else { panic!("no TCP") };
        prop_assert_eq!((tcp.src_port(), tcp.dst_port()), (h.source_port, h.destination_port));
        prop_assert_eq!((tcp.seq_number(), tcp.ack_number()), (h.sequence_number, h.acknowledgment_number));
        prop_assert_eq!(tcp.data_offset(), h.data_offset());
        prop_assert_eq!(tcp.header_len(), h.header_len());
        prop_assert_eq!(
            (tcp.fin(), tcp.syn(), tcp.rst(), tcp.psh(), tcp.ack(), tcp.urg(), tcp.ece(), tcp.cwr()),
            (h.fin, h.syn, h.rst, h.psh, h.ack, h.urg, h.ece, h.cwr)
        );
        prop_assert_eq!(tcp.flags(), f);
        prop_assert_eq!((tcp.window_len(), tcp.checksum(), tcp.urgent_at()), (h.window_size, h.checksum, h.urgent_pointer));
        prop_assert_eq!(tcp.options_bytes(), h.options.as_slice());
        prop_assert_eq!(tcp.payload(), &payload[..]);
        prop_assert!(tcp.verify_checksum(ip.src_addr(), ip.dst_addr()));
    }

    /// TCP built by us, read by etherparse, checksums computed by both.
    #[test]
    fn tcp_built_by_us_reads_the_same_in_etherparse(
        p in ip_params(),
        macs in any::<([u8; 6], [u8; 6])>(),
        ports in any::<(u16, u16)>(),
        (seq, ack, window, urgent) in any::<(u32, u32, u16, u16)>(),
        flags in any::<u8>(),
        options in (0usize..=10).prop_flat_map(|w| proptest::collection::vec(any::<u8>(), w * 4)),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let header_len = 20 + options.len();
        let mut segment = vec![0u8; header_len + payload.len()];
        let mut tcp = TcpSegment::new_unchecked(&mut segment[..]);
        tcp.set_src_port(ports.0);
        tcp.set_dst_port(ports.1);
        tcp.set_seq_number(seq);
        tcp.set_ack_number(ack);
        tcp.set_data_offset((header_len / 4) as u8);
        tcp.set_flags(TcpFlags(flags));
        tcp.set_window_len(window);
        tcp.set_urgent_at(urgent);
        tcp.options_mut().copy_from_slice(&options);
        tcp.payload_mut().copy_from_slice(&payload);
        tcp.fill_checksum(p.src.into(), p.dst.into());
        let bytes = build_ours(&p, macs, 6, &segment);

        let theirs = check_link_and_net(&bytes);
        let Some(TransportHeader::Tcp(h)) = theirs.transport else { panic!("no TCP") };
        prop_assert_eq!((h.source_port, h.destination_port), ports);
        prop_assert_eq!((h.sequence_number, h.acknowledgment_number), (seq, ack));
        prop_assert_eq!((h.window_size, h.urgent_pointer), (window, urgent));
        prop_assert_eq!(h.options.as_slice(), &options[..]);
        prop_assert_eq!(h.syn, TcpFlags(flags).contains(TcpFlags::SYN));
        prop_assert_eq!(h.cwr, TcpFlags(flags).contains(TcpFlags::CWR));
        prop_assert_eq!(h.calc_checksum_ipv4_raw(p.src, p.dst, &payload).unwrap(), h.checksum);
    }

    /// IPv4 headers with fragments, options, any TOS: etherparse's bytes, read by us.
    #[test]
    fn ipv4_headers_by_etherparse_read_the_same(
        p in ip_params(),
        mf in any::<bool>(),
        offset in 0u16..8192,
        protocol in any::<u8>(),
        payload in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut h = etherparse_ipv4(&p, IpNumber(protocol));
        h.more_fragments = mf;
        h.fragment_offset = IpFragOffset::try_new(offset).unwrap();
        h.set_payload_len(payload.len()).unwrap();
        h.header_checksum = h.calc_header_checksum();
        let mut bytes = h.to_bytes().to_vec();
        bytes.extend_from_slice(&payload);
        let ip = Ipv4Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(ours_as_etherparse(&ip), h);
        prop_assert!(ip.verify_checksum());
        prop_assert_eq!(ip.payload(), &payload[..]);
    }
}
