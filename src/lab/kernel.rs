//! The kernel's socket table, as `/proc/<pid>/net/{udp,tcp}` shows it (what `ss` and
//! `netstat` read), and the process table of `/proc/<pid>/fd`.
//!
//! The runner waits for a server's socket to appear here, bound, before it starts the
//! client: the kernel says when the server is ready, so there is no sleeping and hoping.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io;
use std::net::Ipv4Addr;

/// A transport protocol, and its table in `/proc/net`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP, `SOCK_DGRAM`: `/proc/net/udp`.
    Udp,
    /// TCP, `SOCK_STREAM`: `/proc/net/tcp`.
    Tcp,
}

impl Transport {
    fn table(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.table())
    }
}

/// A TCP state, as the kernel numbers them (`include/net/tcp_states.h`).
/// UDP sockets show 07 (`CLOSE`) when unconnected, 01 when connected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpState(pub u8);

impl TcpState {
    /// `TCP_ESTABLISHED`: a connection after the handshake.
    pub const ESTABLISHED: TcpState = TcpState(0x01);
    /// `TCP_TIME_WAIT`: a connection closed by this side first, kept for 60 s.
    pub const TIME_WAIT: TcpState = TcpState(0x06);
    /// `TCP_LISTEN`: a server socket after `listen`.
    pub const LISTEN: TcpState = TcpState(0x0a);

    /// The state's name, as `ss` prints it.
    pub fn name(self) -> &'static str {
        match self.0 {
            0x01 => "ESTABLISHED",
            0x02 => "SYN_SENT",
            0x03 => "SYN_RECV",
            0x04 => "FIN_WAIT1",
            0x05 => "FIN_WAIT2",
            0x06 => "TIME_WAIT",
            0x07 => "CLOSE",
            0x08 => "CLOSE_WAIT",
            0x09 => "LAST_ACK",
            0x0a => "LISTEN",
            0x0b => "CLOSING",
            // The kernel's TCP_NEW_SYN_RECV (0x0c) is never printed here: /proc/net/tcp
            // shows a half-open connection as SYN_RECV (`get_openreq4`).
            _ => "?",
        }
    }
}

/// One line of `/proc/net/udp` or `/proc/net/tcp`: an IPv4 socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketEntry {
    /// The local address and port (host order here, for printing).
    pub local: (Ipv4Addr, u16),
    /// The remote address and port; 0.0.0.0:0 when not connected.
    pub remote: (Ipv4Addr, u16),
    /// The state (see [`TcpState`]).
    pub state: TcpState,
    /// The socket's inode: `/proc/<pid>/fd/N` links to `socket:[inode]`.
    pub inode: u64,
}

impl fmt::Display for SocketEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} -> {}:{} {}",
            self.local.0,
            self.local.1,
            self.remote.0,
            self.remote.1,
            self.state.name()
        )
    }
}

/// The IPv4 sockets of `transport` in the network namespace of process `pid`.
pub fn sockets(pid: u32, transport: Transport) -> io::Result<Vec<SocketEntry>> {
    let text = fs::read_to_string(format!("/proc/{pid}/net/{}", transport.table()))?;
    Ok(text.lines().skip(1).filter_map(parse_line).collect())
}

/// Parses `  0: 0100007F:162E 00000000:0000 07 … inode …` (addresses are the bytes of
/// the network-order `s_addr` printed as a host-order integer, so reversed on x86).
fn parse_line(line: &str) -> Option<SocketEntry> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let endpoint = |s: &str| -> Option<(Ipv4Addr, u16)> {
        let (addr, port) = s.split_once(':')?;
        let addr = u32::from_str_radix(addr, 16).ok()?;
        let port = u16::from_str_radix(port, 16).ok()?;
        // The kernel printed the in-memory (network-order) word as a native integer.
        Some((Ipv4Addr::from(addr.to_ne_bytes()), port))
    };
    Some(SocketEntry {
        local: endpoint(fields.get(1)?)?,
        remote: endpoint(fields.get(2)?)?,
        state: TcpState(u8::from_str_radix(fields.get(3)?, 16).ok()?),
        inode: fields.get(9)?.parse().ok()?,
    })
}

/// The inodes of the sockets that process `pid` holds open.
pub fn socket_inodes(pid: u32) -> io::Result<HashSet<u64>> {
    let mut inodes = HashSet::new();
    for entry in fs::read_dir(format!("/proc/{pid}/fd"))? {
        // A descriptor may close while we read the folder: skip what vanished.
        let Ok(target) = fs::read_link(entry?.path()) else {
            continue;
        };
        let target = target.to_string_lossy();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|s| s.strip_suffix(']'))
        {
            if let Ok(inode) = inode.parse() {
                inodes.insert(inode);
            }
        }
    }
    Ok(inodes)
}

/// The socket of process `pid` bound to local `port` and ready to serve: for UDP, any
/// socket bound there; for TCP, one in `LISTEN`.
pub fn bound_socket(pid: u32, transport: Transport, port: u16) -> io::Result<Option<SocketEntry>> {
    let mine = socket_inodes(pid)?;
    Ok(sockets(pid, transport)?.into_iter().find(|s| {
        s.local.1 == port
            && mine.contains(&s.inode)
            && (transport == Transport::Udp || s.state == TcpState::LISTEN)
    }))
}

/// The sockets of `transport` on local `port` in `TIME_WAIT`, in this process's network
/// namespace: connections closed by this side first, which keep the port for 60 s.
pub fn time_wait_on(transport: Transport, port: u16) -> Vec<SocketEntry> {
    sockets(std::process::id(), transport)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.local.1 == port && s.state == TcpState::TIME_WAIT)
        .collect()
}

/// The processes (id and command name) that hold a socket bound to local `port`, as far
/// as this process may look: for "port 5678 is in use by pid 1234 (nc)".
pub fn port_owners(transport: Transport, port: u16) -> Vec<(u32, String)> {
    let Ok(table) = sockets(std::process::id(), transport) else {
        return Vec::new();
    };
    let inodes: HashSet<u64> = table
        .iter()
        .filter(|s| s.local.1 == port && s.inode != 0)
        .map(|s| s.inode)
        .collect();
    let mut owners = Vec::new();
    if inodes.is_empty() {
        return owners;
    }
    let Ok(procs) = fs::read_dir("/proc") else {
        return owners;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if socket_inodes(pid).is_ok_and(|held| !held.is_disjoint(&inodes)) {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            owners.push((pid, comm.trim().to_string()));
        }
    }
    owners
}

/// A port that is free now on 127.0.0.1 for `transport`: the kernel picks one when we
/// bind port 0, we read it back and close the socket. Another process could take it
/// before the server binds it; the runner then says so (`bind: Address already in use`).
pub fn free_port(transport: Transport) -> io::Result<u16> {
    use std::net::{TcpListener, UdpSocket};
    let addr = (Ipv4Addr::LOCALHOST, 0);
    Ok(match transport {
        Transport::Udp => UdpSocket::bind(addr)?.local_addr()?.port(),
        Transport::Tcp => TcpListener::bind(addr)?.local_addr()?.port(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_proc_net_udp_line() {
        // A line as Linux 6.x prints it for a socket bound to 127.0.0.1:5678.
        let line = "  123: 0100007F:162E 00000000:0000 07 00000000:00000000 00:00000000 \
                    00000000     0        0 98765 2 0000000000000000 0";
        let entry = parse_line(line).expect("parses");
        assert_eq!(entry.local, (Ipv4Addr::LOCALHOST, 5678));
        assert_eq!(entry.remote, (Ipv4Addr::UNSPECIFIED, 0));
        assert_eq!(entry.state.name(), "CLOSE");
        assert_eq!(entry.inode, 98765);
    }

    #[test]
    fn finds_our_own_bound_socket() {
        let sock = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = sock.local_addr().unwrap().port();
        let found = bound_socket(std::process::id(), Transport::Udp, port)
            .unwrap()
            .expect("our socket is in the table");
        assert_eq!(found.local, (Ipv4Addr::LOCALHOST, port));
        drop(sock);
        assert_eq!(
            bound_socket(std::process::id(), Transport::Udp, port).unwrap(),
            None
        );
    }
}
