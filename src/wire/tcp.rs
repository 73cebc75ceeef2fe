//! TCP segments (RFC 9293): the other protocol of the 传输层 (transport layer) of notes
//! §1.2, what a `SOCK_STREAM` socket sends (notes §5), and the handshake's flags and
//! numbers (notes §5.1.3).

use std::fmt;
use std::net::Ipv4Addr;

use super::{be16, be32, checksum, truncated, ChecksumStatus, Error, IpProtocol};

// ANCHOR: field
/// The byte ranges of a TCP header (RFC 9293 §3.1, "Header Format").
pub mod field {
    use crate::wire::{Field, Rest};

    /// Source Port.
    pub const SRC_PORT: Field = 0..2;
    /// Destination Port.
    pub const DST_PORT: Field = 2..4;
    /// Sequence Number: the number of the segment's first byte of data (of its SYN, if
    /// SYN is set: the initial sequence number, ISN).
    pub const SEQ_NUM: Field = 4..8;
    /// Acknowledgment Number: when ACK is set, the next sequence number the sender
    /// expects to receive.
    pub const ACK_NUM: Field = 8..12;
    /// Data Offset (high 4 bits: the header's length in 32-bit words) and Rsrvd (low 4
    /// bits, zero).
    pub const DATA_OFFSET: Field = 12..13;
    /// The control bits: CWR, ECE, URG, ACK, PSH, RST, SYN, FIN, high bit first.
    pub const FLAGS: Field = 13..14;
    /// Window: how many bytes, from the acknowledged one on, the sender will accept
    /// (scaled by the Window Scale option, RFC 7323, except in a SYN).
    pub const WINDOW: Field = 14..16;
    /// Checksum: the Internet checksum of a pseudo-header, the header and the data.
    pub const CHECKSUM: Field = 16..18;
    /// Urgent Pointer: with URG, where the urgent data ends.
    pub const URGENT: Field = 18..20;
    /// Options (when Data Offset > 5), then the data.
    pub const OPTIONS: Rest = 20..;
}
// ANCHOR_END: field

/// TCP's control bits (RFC 9293 §3.1; CWR and ECE from RFC 3168).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN: no more data from the sender (takes one sequence number).
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// SYN: synchronise sequence numbers (takes one sequence number).
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// RST: reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// PSH: push, deliver the data to the application without waiting.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// ACK: the Acknowledgment Number is valid.
    pub const ACK: TcpFlags = TcpFlags(0x10);
    /// URG: the Urgent Pointer is valid.
    pub const URG: TcpFlags = TcpFlags(0x20);
    /// ECE: ECN-Echo (RFC 3168).
    pub const ECE: TcpFlags = TcpFlags(0x40);
    /// CWR: Congestion Window Reduced (RFC 3168).
    pub const CWR: TcpFlags = TcpFlags(0x80);

    const NAMES: [(TcpFlags, &'static str); 8] = [
        (TcpFlags::FIN, "FIN"),
        (TcpFlags::SYN, "SYN"),
        (TcpFlags::RST, "RST"),
        (TcpFlags::PSH, "PSH"),
        (TcpFlags::ACK, "ACK"),
        (TcpFlags::URG, "URG"),
        (TcpFlags::ECE, "ECE"),
        (TcpFlags::CWR, "CWR"),
    ];

    /// Whether every bit of `other` is set here.
    pub fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for TcpFlags {
    type Output = TcpFlags;
    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | rhs.0)
    }
}

/// As Wireshark shows them, lowest bit first: `SYN, ACK`; `FIN, ACK`; `PSH, ACK`.
impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (flag, name) in TcpFlags::NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// One TCP option (RFC 9293 §3.2; Window Scale and Timestamps RFC 7323, SACK RFC 2018).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpOption<'a> {
    /// Kind 0: End of Option List; what follows is padding.
    EndOfList,
    /// Kind 1: No-Operation, one byte, to align the next option.
    NoOperation,
    /// Kind 2: Maximum Segment Size, the most data the sender will take in one segment.
    /// SYN only.
    MaxSegmentSize(u16),
    /// Kind 3: Window Scale: the sender's windows are to be shifted left by this much
    /// (RFC 7323 §2). SYN only.
    WindowScale(u8),
    /// Kind 4: SACK Permitted (RFC 2018). SYN only.
    SackPermitted,
    /// Kind 5: SACK, the blocks received beyond a gap (RFC 2018).
    Sack(&'a [u8]),
    /// Kind 8: Timestamps: the sender's clock, and the last one it received (RFC 7323 §3).
    Timestamps {
        /// TSval, the sender's timestamp clock.
        tsval: u32,
        /// TSecr, the TSval it last received (0 in a first SYN).
        tsecr: u32,
    },
    /// Any other kind, with its data.
    Unknown {
        /// The kind.
        kind: u8,
        /// The bytes after kind and length.
        data: &'a [u8],
    },
}

impl TcpOption<'_> {
    /// Its length on the wire: kind, length byte, data.
    pub fn len(&self) -> usize {
        match self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::Sack(data) | TcpOption::Unknown { data, .. } => 2 + data.len(),
            TcpOption::Timestamps { .. } => 10,
        }
    }

    /// Never: an option has at least a kind byte. (For clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Display for TcpOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpOption::EndOfList => write!(f, "end of options"),
            TcpOption::NoOperation => write!(f, "no-op"),
            TcpOption::MaxSegmentSize(mss) => write!(f, "MSS {mss}"),
            TcpOption::WindowScale(shift) => write!(f, "window scale {shift}"),
            TcpOption::SackPermitted => write!(f, "SACK permitted"),
            TcpOption::Sack(data) => write!(f, "SACK ({} bytes)", data.len()),
            TcpOption::Timestamps { tsval, tsecr } => {
                write!(f, "timestamps TSval {tsval} TSecr {tsecr}")
            }
            TcpOption::Unknown { kind, data } => {
                write!(f, "option {kind} ({} bytes)", data.len())
            }
        }
    }
}

/// The options of a TCP header, one by one; an option whose length runs past the end is
/// an error, after which the iteration stops.
#[derive(Clone, Debug)]
pub struct TcpOptions<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TcpOptions<'a> {
    type Item = Result<TcpOption<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&kind, after) = self.rest.split_first()?;
        let option = match kind {
            0 => {
                self.rest = &[];
                return Some(Ok(TcpOption::EndOfList));
            }
            1 => {
                self.rest = after;
                return Some(Ok(TcpOption::NoOperation));
            }
            _ => {
                let malformed = |value: usize| Error::Malformed {
                    header: "TCP",
                    field: "option length",
                    value: value as u32,
                };
                let Some(&len) = after.first() else {
                    self.rest = &[];
                    return Some(Err(truncated("TCP option", 2, 1)));
                };
                let len = usize::from(len);
                if len < 2 {
                    self.rest = &[];
                    return Some(Err(malformed(len)));
                }
                if len > self.rest.len() {
                    let got = self.rest.len();
                    self.rest = &[];
                    return Some(Err(truncated("TCP option", len, got)));
                }
                let data = &self.rest[2..len];
                self.rest = &self.rest[len..];
                match (kind, data.len()) {
                    (2, 2) => TcpOption::MaxSegmentSize(u16::from_be_bytes([data[0], data[1]])),
                    (3, 1) => TcpOption::WindowScale(data[0]),
                    (4, 0) => TcpOption::SackPermitted,
                    (5, _) => TcpOption::Sack(data),
                    (8, 8) => TcpOption::Timestamps {
                        tsval: u32::from_be_bytes([data[0], data[1], data[2], data[3]]),
                        tsecr: u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
                    },
                    (2..=4 | 8, n) => {
                        self.rest = &[];
                        return Some(Err(malformed(n + 2)));
                    }
                    _ => TcpOption::Unknown { kind, data },
                }
            }
        };
        Some(Ok(option))
    }
}

// ANCHOR: diagram
/// A view of a TCP segment: header, options, data. TCP has no length field: the
/// segment is the IPv4 datagram's data, all of the buffer.
///
/// RFC 9293 §3.1, "Header Format":
///
/// ```text
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Acknowledgment Number                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// |       |       |R|E|G|K|H|T|N|N|                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Checksum            |         Urgent Pointer        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           [Options]                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               :
/// :                             Data                              :
/// :                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSegment<T: AsRef<[u8]>> {
    buffer: T,
}
// ANCHOR_END: diagram

impl<T: AsRef<[u8]>> TcpSegment<T> {
    /// The length of a header without options: 20 bytes.
    pub const MIN_HEADER_LEN: usize = 20;

    /// A view of `buffer`, unchecked: the getters may panic on a short buffer or a lying
    /// Data Offset. For building a segment in a buffer of the right size.
    pub const fn new_unchecked(buffer: T) -> Self {
        TcpSegment { buffer }
    }

    /// A view of `buffer`, once [`check_len`](Self::check_len) has passed.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let segment = Self::new_unchecked(buffer);
        segment.check_len()?;
        Ok(segment)
    }

    /// Checks that the buffer holds a 20-byte header, that Data Offset is at least 5,
    /// and that the buffer holds the header with its options.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < Self::MIN_HEADER_LEN {
            return Err(truncated("TCP", Self::MIN_HEADER_LEN, len));
        }
        if self.data_offset() < 5 {
            return Err(Error::Malformed {
                header: "TCP",
                field: "Data Offset",
                value: self.data_offset().into(),
            });
        }
        if len < self.header_len() {
            return Err(truncated("TCP", self.header_len(), len));
        }
        Ok(())
    }

    /// The buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Source Port, host order.
    pub fn src_port(&self) -> u16 {
        be16(self.b(), field::SRC_PORT)
    }

    /// Destination Port, host order.
    pub fn dst_port(&self) -> u16 {
        be16(self.b(), field::DST_PORT)
    }

    /// Sequence Number, host order.
    pub fn seq_number(&self) -> u32 {
        be32(self.b(), field::SEQ_NUM)
    }

    /// Acknowledgment Number, host order (meaningful only with ACK).
    pub fn ack_number(&self) -> u32 {
        be32(self.b(), field::ACK_NUM)
    }

    /// Data Offset: the header's length in 32-bit words (5 to 15).
    pub fn data_offset(&self) -> u8 {
        self.b()[field::DATA_OFFSET.start] >> 4
    }

    /// The header's length in bytes: Data Offset × 4.
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset()) * 4
    }

    /// The control bits.
    pub fn flags(&self) -> TcpFlags {
        TcpFlags(self.b()[field::FLAGS.start])
    }

    /// FIN.
    pub fn fin(&self) -> bool {
        self.flags().contains(TcpFlags::FIN)
    }

    /// SYN.
    pub fn syn(&self) -> bool {
        self.flags().contains(TcpFlags::SYN)
    }

    /// RST.
    pub fn rst(&self) -> bool {
        self.flags().contains(TcpFlags::RST)
    }

    /// PSH.
    pub fn psh(&self) -> bool {
        self.flags().contains(TcpFlags::PSH)
    }

    /// ACK.
    pub fn ack(&self) -> bool {
        self.flags().contains(TcpFlags::ACK)
    }

    /// URG.
    pub fn urg(&self) -> bool {
        self.flags().contains(TcpFlags::URG)
    }

    /// ECE.
    pub fn ece(&self) -> bool {
        self.flags().contains(TcpFlags::ECE)
    }

    /// CWR.
    pub fn cwr(&self) -> bool {
        self.flags().contains(TcpFlags::CWR)
    }

    /// Window, host order, as sent (not scaled).
    pub fn window_len(&self) -> u16 {
        be16(self.b(), field::WINDOW)
    }

    /// Checksum, host order.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), field::CHECKSUM)
    }

    /// Urgent Pointer, host order.
    pub fn urgent_at(&self) -> u16 {
        be16(self.b(), field::URGENT)
    }

    // ANCHOR: segment_len
    /// How many sequence numbers the segment takes: its data, plus one for a SYN and one
    /// for a FIN. The other side acknowledges `seq_number() + segment_len()`.
    pub fn segment_len(&self) -> usize {
        (self.b().len() - self.header_len()) + usize::from(self.syn()) + usize::from(self.fin())
    }
    // ANCHOR_END: segment_len

    /// The checksum's status, with the pseudo-header of `src` and `dst` (the IPv4
    /// header's addresses).
    pub fn checksum_status(&self, src: Ipv4Addr, dst: Ipv4Addr) -> ChecksumStatus {
        checksum::transport_status(self.b(), self.checksum(), src, dst, IpProtocol::TCP.0)
    }

    /// Whether the checksum checks out.
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        self.checksum_status(src, dst) == ChecksumStatus::Verified
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> TcpSegment<&'a T> {
    /// The options, parsed one by one.
    pub fn options(&self) -> TcpOptions<'a> {
        TcpOptions {
            rest: self.options_bytes(),
        }
    }

    /// The header, options included.
    pub fn header(&self) -> &'a [u8] {
        &self.buffer.as_ref()[..self.header_len()]
    }

    /// The options' bytes (with their padding): empty when Data Offset is 5.
    pub fn options_bytes(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::OPTIONS.start..self.header_len()]
    }

    /// The data: everything after the header.
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpSegment<T> {
    fn m(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    fn set16(&mut self, range: super::Field, value: u16) {
        self.m()[range].copy_from_slice(&value.to_be_bytes());
    }

    fn set32(&mut self, range: super::Field, value: u32) {
        self.m()[range].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets Source Port, given in host order.
    pub fn set_src_port(&mut self, port: u16) {
        self.set16(field::SRC_PORT, port);
    }

    /// Sets Destination Port, given in host order.
    pub fn set_dst_port(&mut self, port: u16) {
        self.set16(field::DST_PORT, port);
    }

    /// Sets Sequence Number, given in host order.
    pub fn set_seq_number(&mut self, seq: u32) {
        self.set32(field::SEQ_NUM, seq);
    }

    /// Sets Acknowledgment Number, given in host order.
    pub fn set_ack_number(&mut self, ack: u32) {
        self.set32(field::ACK_NUM, ack);
    }

    /// Sets Data Offset, in 32-bit words (Rsrvd is cleared).
    pub fn set_data_offset(&mut self, words: u8) {
        self.m()[field::DATA_OFFSET.start] = words << 4;
    }

    /// Sets the control bits.
    pub fn set_flags(&mut self, flags: TcpFlags) {
        self.m()[field::FLAGS.start] = flags.0;
    }

    /// Sets Window, given in host order.
    pub fn set_window_len(&mut self, window: u16) {
        self.set16(field::WINDOW, window);
    }

    /// Sets Checksum, given in host order.
    pub fn set_checksum(&mut self, checksum: u16) {
        self.set16(field::CHECKSUM, checksum);
    }

    /// Sets Urgent Pointer, given in host order.
    pub fn set_urgent_at(&mut self, urgent: u16) {
        self.set16(field::URGENT, urgent);
    }

    /// The options' bytes, to fill in (Data Offset must be set).
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.m()[field::OPTIONS.start..end]
    }

    /// The data, to fill in (Data Offset must be set).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.m()[start..]
    }

    /// Computes the checksum with the pseudo-header of `src` and `dst`, and writes it:
    /// set every other field and the data first.
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let len = self.b().len() as u16;
        let pseudo = checksum::pseudo_header(src, dst, IpProtocol::TCP.0, len);
        let sum = !checksum::combine(&[pseudo, checksum::sum(self.b())]);
        self.set_checksum(sum);
    }
}
