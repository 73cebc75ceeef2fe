//! The `reuseaddr` lesson (notes §6, "bind错误处理"): the two causes of
//! `bind: Address already in use`, and what `SO_REUSEADDR` does about each.
//!
//! 1. A tcp-echo server serves a client and is stopped while the client is connected.
//!    The server's end closed first (the "active close"), so its connection socket, bound
//!    to the server's port, waits in `TIME_WAIT` (60 s on Linux) in case its last ACK
//!    was lost. The kernel's table shows it.
//! 2. The same server, started again on that port: `bind` fails, `EADDRINUSE`.
//! 3. The server with the notes' `SO_REUSEADDR` line, on that port: `bind` fails too!
//!    Linux lets a socket bind over a `TIME_WAIT` socket only when **both** asked for
//!    `SO_REUSEADDR` (`inet_bind_conflict` in `net/ipv4/inet_connection_sock.c`), and the
//!    connection in `TIME_WAIT` belonged to a server that had not.
//! 4. So, on a new port, the `SO_REUSEADDR` server serves a client and is stopped the
//!    same way: `TIME_WAIT` again, this time with `SO_REUSEADDR`.
//! 5. The `SO_REUSEADDR` server, started again: it binds, in spite of `TIME_WAIT`.
//! 6. While it listens, a second `SO_REUSEADDR` server on the same port: `bind` fails.
//!    `SO_REUSEADDR` forgives a dead connection's socket, never a live listener: the
//!    notes' other cause, two servers at once, has no such cure.
//!
//! Had the client closed first, the `TIME_WAIT` socket would have been the client's, on
//! its ephemeral port, and the server could have restarted at once.

use std::fs::File;
use std::io::Write;
use std::process::{ExitStatus, Stdio};

use super::build::{Builds, CFlavor};
use super::kernel::{self, SocketEntry, TcpState, Transport};
use super::lessons::Lesson;
use super::mux::{Stream, Who};
use super::run::{program, Lang, Limits, Narrator, Program, RunError, Session};
use super::signals::Interrupts;

/// What the six steps showed.
#[derive(Debug)]
pub struct Outcome {
    /// Steps 1–3: the server without `SO_REUSEADDR`, then both servers, on this port.
    pub port: u16,
    /// Step 1: the sockets left on `port` once server and client had gone.
    pub after_plain: Vec<SocketEntry>,
    /// Step 2: how the restarted server ended, and its stderr.
    pub plain_restart: (ExitStatus, String),
    /// Step 3: how the `SO_REUSEADDR` server ended on `port`, and its stderr.
    pub reuse_over_plain: (ExitStatus, String),
    /// Steps 4–6: the `SO_REUSEADDR` server, on this port.
    pub reuse_port: u16,
    /// Step 4: the sockets left on `reuse_port`.
    pub after_reuse: Vec<SocketEntry>,
    /// Step 5: the restarted `SO_REUSEADDR` server's listening socket.
    pub reuse_restart: SocketEntry,
    /// Step 6: how the second `SO_REUSEADDR` server ended, and its stderr.
    pub second_listener: (ExitStatus, String),
}

/// Runs the lesson's six steps: servers in `server`, the client in `client`.
pub fn run(
    lesson: &Lesson,
    builds: &Builds,
    server: Lang,
    client: Lang,
    flavor: CFlavor,
    narrator: &mut dyn Narrator,
    interrupts: Option<&Interrupts>,
) -> Result<Outcome, RunError> {
    let limits = Limits::default();
    let plain = program(builds, echo_lesson(), "server", server, flavor)?.0;
    let reusing = program(builds, lesson, "server", server, flavor)?.0;
    let client = program(builds, lesson, "client", client, flavor)?.0;
    let bench = Bench {
        client,
        input: lesson.default_input,
        limits,
        interrupts,
    };

    let port = kernel::free_port(Transport::Tcp)?;
    narrator.step(
        1,
        "the tcp-echo server serves a client and is stopped while the client is connected",
    );
    let after_plain = bench.serve_and_stop(narrator, &plain, port)?;
    narrator.step(2, "the same server, started again on the same port");
    let plain_restart = bench.expect_bind_failure(narrator, &plain, port)?;
    narrator.step(
        3,
        "the server with SO_REUSEADDR (reuseaddr/server.c), on the same port",
    );
    let reuse_over_plain = bench.expect_bind_failure(narrator, &reusing, port)?;
    narrator
        .remark("Linux lets bind pass a TIME_WAIT socket only if both sockets set SO_REUSEADDR");

    let reuse_port = kernel::free_port(Transport::Tcp)?;
    narrator.step(
        4,
        "on another port, the SO_REUSEADDR server serves a client and is stopped the same way",
    );
    let after_reuse = bench.serve_and_stop(narrator, &reusing, reuse_port)?;
    narrator.step(5, "the SO_REUSEADDR server, started again on that port");
    let mut session = Session::new(&mut *narrator, interrupts)?;
    let (mut first, reuse_restart) = bench.start_server(&mut session, &reusing, reuse_port)?;
    drop(session);
    narrator.step(
        6,
        "while it listens, a second SO_REUSEADDR server on the same port",
    );
    let second_listener = bench.expect_bind_failure(narrator, &reusing, reuse_port)?;
    let status = first.terminate(limits.grace)?;
    narrator.remark(&format!(
        "the listening SO_REUSEADDR server was stopped: {}",
        super::process::describe(status)
    ));

    Ok(Outcome {
        port,
        after_plain,
        plain_restart,
        reuse_over_plain,
        reuse_port,
        after_reuse,
        reuse_restart,
        second_listener,
    })
}

/// What every step needs: the client, its input, the limits, Ctrl-C.
struct Bench<'a> {
    client: Program,
    input: &'static str,
    limits: Limits,
    interrupts: Option<&'a Interrupts>,
}

impl Bench<'_> {
    /// Starts `server` on `port` and waits for the kernel to show it listening.
    fn start_server(
        &self,
        session: &mut Session<'_>,
        server: &Program,
        port: u16,
    ) -> Result<(super::process::Proc, SocketEntry), RunError> {
        let args = [port.to_string()];
        let mut proc = session.start(server, &args, Who::Server, Stdio::null(), true)?;
        session
            .observer()
            .server_started(&server.shown(&args), port);
        let entry = session.wait_bound(&mut proc, Transport::Tcp, port, self.limits.bind)?;
        session.observer().server_bound(&entry);
        Ok((proc, entry))
    }

    /// `server` on `port` serves the client one word; the server is stopped while the
    /// client is connected, then the client's input ends. Returns the sockets the kernel
    /// then lists on `port`.
    fn serve_and_stop(
        &self,
        narrator: &mut dyn Narrator,
        server: &Program,
        port: u16,
    ) -> Result<Vec<SocketEntry>, RunError> {
        let mut session = Session::new(&mut *narrator, self.interrupts)?;
        let (mut server_proc, _) = self.start_server(&mut session, server, port)?;
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        let args = ["127.0.0.1".to_string(), port.to_string()];
        let mut client =
            session.start(&self.client, &args, Who::Client, Stdio::from(read), true)?;
        session.observer().client_started(&self.client.shown(&args));
        let mut stdin = File::from(write);
        stdin.write_all(self.input.as_bytes())?;
        let first_word = self.input.split_whitespace().next().unwrap_or("");
        session.wait_output(
            Who::Client,
            format!("{first_word}\n").as_bytes(),
            self.limits.client,
        )?;
        // The client's end of this connection, as the kernel lists it: its port tells
        // this connection's sockets from any other on the same port number (an older
        // connection's TIME_WAIT, say, from another run).
        let client_end = kernel::sockets(client.pid(), Transport::Tcp)?
            .into_iter()
            .find(|s| s.remote.1 == port && s.state == TcpState::ESTABLISHED)
            .map(|s| s.local)
            .ok_or_else(|| std::io::Error::other("the client's connection is not in the table"))?;
        let server_status = session.terminate(&mut server_proc, self.limits.grace)?;
        drop(stdin); // end of input: the client closes its socket and ends
        let client_status = session.wait_exit(&mut client, Some(self.limits.client))?;
        drop(session);
        narrator.remark(&format!(
            "the server was stopped ({}) with the client connected; then the client's \
             input ended and it {}",
            super::process::describe(server_status),
            client_status.map_or("did not end".into(), super::process::describe)
        ));
        let table = connection_on(port, client_end)?;
        narrator.table(port, &table);
        Ok(table)
    }

    /// Starts `server` on `port`, which should fail to bind: returns how it ended and
    /// its stderr. A server that binds after all is stopped, and that is an error.
    fn expect_bind_failure(
        &self,
        narrator: &mut dyn Narrator,
        server: &Program,
        port: u16,
    ) -> Result<(ExitStatus, String), RunError> {
        let mut session = Session::new(&mut *narrator, self.interrupts)?;
        match self.start_server(&mut session, server, port) {
            Err(RunError::ServerEnded {
                status, transcript, ..
            }) => {
                drop(session);
                narrator.remark(&format!("server {}", super::process::describe(status)));
                Ok((status, transcript.text(Who::Server, Stream::Stderr)))
            }
            Ok((mut proc, _)) => {
                session.terminate(&mut proc, self.limits.grace)?;
                Err(RunError::Io(std::io::Error::other(format!(
                    "the server bound port {port}, which this step expected to be taken"
                ))))
            }
            Err(e) => Err(e),
        }
    }
}

/// The tcp-echo lesson, whose server (without `SO_REUSEADDR`) steps 1 and 2 run.
fn echo_lesson() -> &'static Lesson {
    super::lessons::find("tcp-echo").expect("the tcp-echo lesson")
}

/// The server's end of the connection with `client_end`, on local `port`, as the
/// kernel's table lists it for this network namespace.
fn connection_on(
    port: u16,
    client_end: (std::net::Ipv4Addr, u16),
) -> std::io::Result<Vec<SocketEntry>> {
    Ok(kernel::sockets(std::process::id(), Transport::Tcp)?
        .into_iter()
        .filter(|s| s.local.1 == port && s.remote == client_end)
        .collect())
}
