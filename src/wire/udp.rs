//! UDP datagrams (RFC 768): one of the two protocols of the 传输层 (transport layer) of
//! notes §1.2, what a `SOCK_DGRAM` socket sends (notes §4).

use std::net::Ipv4Addr;

use super::{be16, checksum, truncated, ChecksumStatus, Error, IpProtocol};

// ANCHOR: field
/// The byte ranges of a UDP header (RFC 768, "Format").
pub mod field {
    use crate::wire::{Field, Rest};

    /// Source Port: the sender's port (for a client, the ephemeral port the kernel chose).
    pub const SRC_PORT: Field = 0..2;
    /// Destination Port: the port the receiver bound (`sin_port`, notes §4.4.3).
    pub const DST_PORT: Field = 2..4;
    /// Length: of header and data, in bytes (so at least 8).
    pub const LENGTH: Field = 4..6;
    /// Checksum: the Internet checksum of a pseudo-header, the header and the data.
    pub const CHECKSUM: Field = 6..8;
    /// The data: what `sendto` was given.
    pub const PAYLOAD: Rest = 8..;
}
// ANCHOR_END: field

// ANCHOR: diagram
/// A view of a UDP datagram: header and data.
///
/// RFC 768, "Format":
///
/// ```text
///  0      7 8     15 16    23 24    31
/// +--------+--------+--------+--------+
/// |     Source      |   Destination   |
/// |      Port       |      Port       |
/// +--------+--------+--------+--------+
/// |                 |                 |
/// |     Length      |    Checksum     |
/// +--------+--------+--------+--------+
/// |
/// |          data octets ...
/// +---------------- ...
/// ```
///
/// The data is what Length says, which may be less than the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpDatagram<T: AsRef<[u8]>> {
    buffer: T,
}
// ANCHOR_END: diagram

impl<T: AsRef<[u8]>> UdpDatagram<T> {
    /// The length of the header: 8 bytes.
    pub const HEADER_LEN: usize = 8;

    /// A view of `buffer`, unchecked: the getters may panic on a short buffer or a
    /// lying Length. For building a datagram in a buffer of the right size.
    pub const fn new_unchecked(buffer: T) -> Self {
        UdpDatagram { buffer }
    }

    /// A view of `buffer`, once [`check_len`](Self::check_len) has passed.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let datagram = Self::new_unchecked(buffer);
        datagram.check_len()?;
        Ok(datagram)
    }

    /// Checks that the buffer holds the header, that Length is at least 8, and that the
    /// buffer holds Length bytes.
    pub fn check_len(&self) -> Result<(), Error> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(truncated("UDP", Self::HEADER_LEN, len));
        }
        let stated = usize::from(self.len());
        if stated < Self::HEADER_LEN {
            return Err(Error::Malformed {
                header: "UDP",
                field: "Length",
                value: stated as u32,
            });
        }
        if len < stated {
            return Err(truncated("UDP", stated, len));
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

    // ANCHOR: src_port
    /// Source Port, host order.
    pub fn src_port(&self) -> u16 {
        be16(self.b(), field::SRC_PORT)
    }
    // ANCHOR_END: src_port

    /// Destination Port, host order.
    pub fn dst_port(&self) -> u16 {
        be16(self.b(), field::DST_PORT)
    }

    /// Length (header and data), host order.
    pub fn len(&self) -> u16 {
        be16(self.b(), field::LENGTH)
    }

    /// Whether the datagram carries no data (Length is 8).
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) == Self::HEADER_LEN
    }

    /// Checksum, host order.
    pub fn checksum(&self) -> u16 {
        be16(self.b(), field::CHECKSUM)
    }

    /// The checksum's status, with the pseudo-header of `src` and `dst` (the IPv4
    /// header's addresses). A zero checksum is [`ChecksumStatus::Absent`] (RFC 768).
    pub fn checksum_status(&self, src: Ipv4Addr, dst: Ipv4Addr) -> ChecksumStatus {
        if self.checksum() == 0 {
            return ChecksumStatus::Absent;
        }
        checksum::transport_status(
            &self.b()[..usize::from(self.len())],
            self.checksum(),
            src,
            dst,
            IpProtocol::UDP.0,
        )
    }

    /// Whether the checksum checks out (or is absent, which RFC 768 allows over IPv4).
    pub fn verify_checksum(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        matches!(
            self.checksum_status(src, dst),
            ChecksumStatus::Verified | ChecksumStatus::Absent
        )
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> UdpDatagram<&'a T> {
    /// The header's 8 bytes.
    pub fn header(&self) -> &'a [u8] {
        &self.buffer.as_ref()[..Self::HEADER_LEN]
    }

    /// The data: Length − 8 bytes.
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD.start..usize::from(self.len())]
    }

    /// The datagram, header and data, as Length says.
    pub fn datagram(&self) -> &'a [u8] {
        &self.buffer.as_ref()[..usize::from(self.len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpDatagram<T> {
    fn set16(&mut self, range: super::Field, value: u16) {
        self.buffer.as_mut()[range].copy_from_slice(&value.to_be_bytes());
    }

    // ANCHOR: set_src_port
    /// Sets Source Port, given in host order.
    pub fn set_src_port(&mut self, port: u16) {
        self.set16(field::SRC_PORT, port);
    }
    // ANCHOR_END: set_src_port

    /// Sets Destination Port, given in host order.
    pub fn set_dst_port(&mut self, port: u16) {
        self.set16(field::DST_PORT, port);
    }

    /// Sets Length, given in host order.
    pub fn set_len(&mut self, len: u16) {
        self.set16(field::LENGTH, len);
    }

    /// Sets Checksum, given in host order.
    pub fn set_checksum(&mut self, checksum: u16) {
        self.set16(field::CHECKSUM, checksum);
    }

    /// Computes the checksum with the pseudo-header of `src` and `dst`, and writes it:
    /// set every other field and the data first. A sum that comes out 0 is sent as
    /// `0xffff` (its other form in one's complement), since 0 means "no checksum".
    pub fn fill_checksum(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let pseudo = checksum::pseudo_header(src, dst, IpProtocol::UDP.0, self.len());
        let sum = !checksum::combine(&[
            pseudo,
            checksum::sum(&self.buffer.as_ref()[..usize::from(self.len())]),
        ]);
        self.set_checksum(if sum == 0 { 0xffff } else { sum });
    }

    /// The data, to fill in (Length must be set).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = field::PAYLOAD.start..usize::from(self.len());
        &mut self.buffer.as_mut()[range]
    }
}
