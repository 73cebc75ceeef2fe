//! `--two-hosts`: the server and the client on two hosts of their own, joined by a cable,
//! as in the notes' two-machine setup: the client is given the server host's address,
//! and the server sees the client host's, not 127.0.0.1 on both sides.
//!
//! The hosts are network namespaces: each has its own interfaces, addresses, routes and
//! socket tables, as a machine has. Not a mirror of C; the bench on which the twins run.
//!
//! 1. Two new network namespaces, each made by a thread started for it: the thread calls
//!    `unshare(CLONE_NEWNET)`, as [`super::capture`] does for its quiet `lo`, opens
//!    `/proc/thread-self/ns/net` and ends. The descriptor is then the namespace's only
//!    hold; the runner's own threads never leave the machine's namespace.
//! 2. A veth pair, a virtual cable with an interface at each end: `socklab-server` in the
//!    server host, its peer `socklab-client` made directly in the client host. It never
//!    appears on this machine, not even for a moment. Each end's alias names the run,
//!    `socklab-<pid>-<n>-server` and `-client` ([`Hosts::name`]), so that a check can
//!    tell this run's hosts from any other's, wherever they are.
//! 3. Addresses from a private range (RFC 1918), only inside the two hosts: 10.77.0.1/24
//!    for the server host, 10.77.0.2/24 for the client host; `lo` up in each. Nothing
//!    routes them anywhere else: a host has no interface but its `lo` and its end of the
//!    cable. IPv6 is off on the cable, so only IPv4 and ARP cross it. Steps 2 and 3 are
//!    `ip` commands (iproute2), run inside each host: [`ip_server`], [`ip_client`].
//! 4. A program runs on a host by [`Netns::apply`]: `setns(2)` between `fork` and `exec`.
//!    It stays the runner's own child, so its pid, `/proc/<pid>/net/udp` (the table of its
//!    host, which is where the runner looks for the server's socket) and its process
//!    group work as on one machine.
//!
//! # Deleting
//!
//! Nothing to do: a namespace without a name lives while a process is in it or a
//! descriptor holds it, and the kernel deletes it after the last one, with its end of the
//! cable, and a veth end takes its peer with it. Dropping [`Hosts`] closes the
//! descriptors; the runner's [`super::process::Proc`]s have ended the programs by then.
//! An error, a panic, Ctrl-C ([`super::run::RunError::Interrupted`]): all of them drop
//! it. Even `SIGKILL` of the runner leaves nothing behind: the kernel closes a dead
//! process's descriptors, and its programs die with it (`PR_SET_PDEATHSIG`).
//!
//! That is why the hosts have no names. `ip netns add NAME` names a namespace by
//! mounting it on `/run/netns/NAME`, and the mount keeps it until `ip netns del NAME`: a
//! runner killed with `SIGKILL` would leave its hosts, their cable and their addresses
//! behind, for a `--clean-hosts` to find. A namespace held by a descriptor cannot outlive
//! its holder. To look inside a host while a lesson runs, enter the namespace of one of
//! its programs: `nsenter --net=/proc/PID/ns/net ss -uan`.

use std::fs;
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::errno::Errno;

use crate::socket::{socket, AF_INET, SOCK_CLOEXEC, SOCK_DGRAM};

/// The server host's address: private (RFC 1918), and only ever inside the two hosts.
pub const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
/// The client host's address.
pub const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
/// The length of the hosts' network prefix: 10.77.0.0/24 is on the cable.
pub const PREFIX_LEN: u8 = 24;

/// How long the cable may take to come up (the kernel says so a moment after `ip link
/// set up`; until then, packets are dropped).
const LINK_UP_LIMIT: Duration = Duration::from_secs(5);

/// One of the two hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// Where the server runs: 10.77.0.1.
    Server,
    /// Where the client runs: 10.77.0.2.
    Client,
}

impl Host {
    /// Its address on the cable.
    pub fn ip(self) -> Ipv4Addr {
        match self {
            Host::Server => SERVER_IP,
            Host::Client => CLIENT_IP,
        }
    }

    /// Its end of the cable: `socklab-server`, `socklab-client`.
    pub fn link(self) -> &'static str {
        match self {
            Host::Server => "socklab-server",
            Host::Client => "socklab-client",
        }
    }

    /// "server" or "client".
    pub fn name(self) -> &'static str {
        match self {
            Host::Server => "server",
            Host::Client => "client",
        }
    }
}

/// A network namespace, held open by a descriptor: one host. Clones share the
/// descriptor; the namespace lives while one of them does (or a process in it).
#[derive(Clone, Debug)]
pub struct Netns {
    fd: Arc<OwnedFd>,
    host: Host,
}

impl Netns {
    /// Which host it is.
    pub fn host(&self) -> Host {
        self.host
    }

    /// The path by which another process may open it while the runner holds it:
    /// `/proc/<runner's pid>/fd/<N>`.
    fn fd_path(&self) -> String {
        format!("/proc/{}/fd/{}", std::process::id(), self.fd.as_raw_fd())
    }

    // ANCHOR: apply
    /// Makes `cmd` start in this namespace: its child calls `setns(2)` between `fork` and
    /// `exec`, so the program it runs sees only this host's network.
    pub fn apply(&self, cmd: &mut Command) {
        let fd = Arc::clone(&self.fd);
        // SAFETY: the closure runs in the child between fork and exec. It calls only
        // setns(2), which is async-signal-safe, on a descriptor the child inherited (its
        // O_CLOEXEC closes it at exec, not before), and allocates nothing: an error is
        // `io::Error::last_os_error()`, a plain errno.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    // ANCHOR_END: apply

    /// Moves the calling thread into this namespace, for good: only for threads started
    /// for it ([`Hosts::within`]).
    fn enter(&self) -> io::Result<()> {
        // SAFETY: setns takes a descriptor, open for as long as `self` lives, and flags;
        // it touches no memory of ours. CLONE_NEWNET moves the calling thread only.
        Errno::result(unsafe { libc::setns(self.fd.as_raw_fd(), libc::CLONE_NEWNET) })?;
        Ok(())
    }
}

/// The two hosts and the cable between them, until dropped (then the kernel deletes
/// them: see the [module documentation](self)).
#[derive(Debug)]
pub struct Hosts {
    name: String,
    server: Netns,
    client: Netns,
}

impl Hosts {
    /// Makes the two hosts and the cable, up and addressed. Needs root (`CAP_SYS_ADMIN`,
    /// for `unshare(CLONE_NEWNET)`): without it, an error of kind `PermissionDenied` that
    /// says so. Needs iproute2's `ip`. Not one system call: two namespaces, two `ip
    /// -batch` runs, and a wait for the cable to come up.
    pub fn create() -> io::Result<Hosts> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let hosts = Hosts {
            name: format!("socklab-{}-{n}", std::process::id()),
            server: new_netns(Host::Server)?,
            client: new_netns(Host::Client)?,
        };
        // From here on, an error drops `hosts`: the namespaces go, with whatever `ip` had
        // already made in them.
        let client_path = hosts.client.fd_path();
        ip_batch(&hosts.server, &ip_server(&hosts.name, &client_path))?;
        ip_batch(&hosts.client, &ip_client(&hosts.name))?;
        for host in [Host::Server, Host::Client] {
            hosts.within(host, || wait_running(host.link(), LINK_UP_LIMIT))??;
        }
        Ok(hosts)
    }

    /// The run's name, `socklab-<pid>-<n>`: the runner's process id and a count of the
    /// hosts it made. The ends of the cable have it as their alias (`ip link` shows
    /// `alias socklab-1234-0-server`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace of `host`.
    pub fn netns(&self, host: Host) -> &Netns {
        match host {
            Host::Server => &self.server,
            Host::Client => &self.client,
        }
    }

    /// Runs `f` on `host`: in a thread started for it and moved into its namespace, so
    /// that what `f` opens (a socket, `/proc/thread-self/net/tcp`) is the host's.
    pub fn within<T: Send>(&self, host: Host, f: impl FnOnce() -> T + Send) -> io::Result<T> {
        let netns = self.netns(host);
        std::thread::scope(|s| {
            s.spawn(|| {
                netns.enter()?;
                Ok(f())
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// What they are, in a line: for the runner to say before a lesson.
    pub fn describe(&self) -> String {
        format!(
            "two hosts made for this run: the server's {SERVER_IP}/{PREFIX_LEN}, the \
             client's {CLIENT_IP}/{PREFIX_LEN}, network namespaces joined by a veth pair \
             ({} to {}); deleted when the lesson ends",
            Host::Server.link(),
            Host::Client.link()
        )
    }
}

/// A new network namespace for `host`, held by a descriptor (step 1): made by a thread of
/// its own, which sets it up as a host and ends.
fn new_netns(host: Host) -> io::Result<Netns> {
    // The machine's ephemeral port range, for the hosts to give clients ports from the
    // same range: the trace normaliser reads it here to spot them (`EPHEMERAL1`).
    let ports = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok();
    std::thread::spawn(move || {
        // ANCHOR: unshare
        // SAFETY: unshare takes flags and touches no memory of ours. CLONE_NEWNET moves
        // this thread only, which was started for it and ends below.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            let e = Errno::last();
            return Err(match e {
                Errno::EPERM | Errno::EACCES => io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "unshare(CLONE_NEWNET): {}: making a network namespace for each \
                         host needs root (the capability CAP_SYS_ADMIN)",
                        e.desc()
                    ),
                ),
                e => io::Error::other(format!("unshare(CLONE_NEWNET): {}", e.desc())),
            });
        }
        let fd = OwnedFd::from(fs::File::open("/proc/thread-self/ns/net")?);
        // ANCHOR_END: unshare
        // The sysctls under /proc/sys/net are this thread's namespace's. IPv6 off for
        // interfaces made from now on (the cable), where the kernel has IPv6 at all.
        write_sysctl("net/ipv6/conf/default/disable_ipv6", "1")?;
        if let Some(ports) = &ports {
            write_sysctl("net/ipv4/ip_local_port_range", ports)?;
        }
        Ok(Netns {
            fd: Arc::new(fd),
            host,
        })
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Writes `value` to `/proc/sys/<key>`; a key this kernel lacks is skipped.
fn write_sysctl(key: &str, value: &str) -> io::Result<()> {
    match fs::write(format!("/proc/sys/{key}"), value) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

// ANCHOR: ip
/// Steps 2 and 3 in the server host, as `ip -batch` lines: the cable, its peer end made
/// in the client host (`netns PATH`: the client host's namespace, opened by its path),
/// the run's `name` on this end, the server's address, both interfaces up.
///
/// `index 77` numbers the server's end 77 (an interface's number, `ifindex`, is per
/// namespace), unlike the client's, which gets the first number free in its host: 2, after
/// `lo`'s 1, or a little more where the kernel adds tunnel devices to every namespace.
/// With equal numbers on both ends, the kernel takes the news that the cable is up as not
/// urgent (`linkwatch_urgent_event` in `net/core/link_watch.c`: a device whose peer has
/// another number is urgent), and the cable carries nothing for up to a second.
pub fn ip_server(name: &str, client_netns: &str) -> String {
    format!(
        "link add {server} index 77 type veth peer name {client} netns {client_netns}\n\
         link set {server} alias {name}-server\n\
         addr add {SERVER_IP}/{PREFIX_LEN} dev {server}\n\
         link set {server} up\n\
         link set lo up\n",
        server = Host::Server.link(),
        client = Host::Client.link(),
    )
}

/// Step 3 in the client host: the run's `name` on its end, its address, both interfaces
/// up.
pub fn ip_client(name: &str) -> String {
    format!(
        "link set {client} alias {name}-client\n\
         addr add {CLIENT_IP}/{PREFIX_LEN} dev {client}\n\
         link set {client} up\n\
         link set lo up\n",
        client = Host::Client.link(),
    )
}
// ANCHOR_END: ip

/// Runs `ip -batch -` with `commands` on its stdin, in `netns`.
fn ip_batch(netns: &Netns, commands: &str) -> io::Result<()> {
    let mut cmd = Command::new("ip");
    cmd.args(["-batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    netns.apply(&mut cmd);
    // SAFETY: the closure runs in the child between fork and exec and calls only
    // prctl(2), async-signal-safe: `ip` dies with the runner, like the lesson's programs.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot run `ip` (iproute2), which makes the hosts' cable: {e}"),
        )
    })?;
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin.write_all(commands.as_bytes())?;
    } // closed: `ip` reads to the end
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "`ip -batch -` in the {} host ({}): {}\nthe commands were:\n{}",
            netns.host.name(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end(),
            commands.trim_end()
        )));
    }
    Ok(())
}

/// Waits up to `limit` until interface `name`, in this thread's namespace, is running
/// (`IFF_RUNNING`: up, with its peer up): the kernel then passes packets over it.
fn wait_running(name: &str, limit: Duration) -> io::Result<()> {
    let fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)?;
    // SAFETY: all-zero bytes are a valid ifreq (a name and a union of plain data).
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr.ifr_name.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    let deadline = Instant::now() + limit;
    loop {
        // SAFETY: SIOCGIFFLAGS reads the name and writes the flags of `ifr`, which is ours.
        Errno::result(unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr) })?;
        // SAFETY: SIOCGIFFLAGS filled `ifru_flags`; reading that union field is reading it.
        let flags = unsafe { ifr.ifr_ifru.ifru_flags };
        if flags & libc::IFF_RUNNING as libc::c_short != 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{name} did not come up within {limit:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batches_name_only_the_hosts_addresses() {
        let server = ip_server("socklab-1-0", "/proc/1/fd/3");
        assert!(server.contains("addr add 10.77.0.1/24 dev socklab-server"));
        assert!(server.contains("peer name socklab-client netns /proc/1/fd/3"));
        assert!(server.contains("alias socklab-1-0-server"));
        let client = ip_client("socklab-1-0");
        assert!(client.contains("addr add 10.77.0.2/24 dev socklab-client"));
        assert!(client.contains("alias socklab-1-0-client"));
        for name in [Host::Server.link(), Host::Client.link()] {
            assert!(
                name.len() < libc::IFNAMSIZ,
                "{name}: too long for an interface"
            );
        }
        assert!(SERVER_IP.is_private() && CLIENT_IP.is_private());
    }
}
