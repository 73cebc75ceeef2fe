//! The lessons: each a C pair in `c-reference/<name>/` and its Rust twins in `src/bin/`.

use super::kernel::Transport;

/// A lesson: a server and a client, in C and in Rust, from one section of the notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// The name: `c-reference/<name>/`, `src/bin/<name>-server.rs`, `cargo lesson <name>`.
    pub name: &'static str,
    /// The notes' section, "4.6".
    pub section: &'static str,
    /// The notes' title for it, in Chinese.
    pub title_zh: &'static str,
    /// What it shows, in English.
    pub title: &'static str,
    /// The transport the server binds.
    pub transport: Transport,
    /// Whether the server ends by itself once its client is done (udp-hello's receives
    /// one datagram and ends); otherwise the runner stops it.
    pub server_ends: bool,
    /// What the client reads on stdin unless told otherwise.
    pub default_input: &'static str,
    /// How the lesson runs.
    pub kind: Kind,
    /// The lesson whose client this one uses, when it has none of its own.
    pub client_of: Option<&'static str>,
    /// The lesson whose server this one uses, when it has none of its own.
    pub server_of: Option<&'static str>,
}

/// How a lesson runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A server, then a client fed its input: [`super::run::run`].
    Pair,
    /// The steps of the `reuseaddr` lesson: [`super::reuseaddr::run`].
    ReuseAddr,
    /// A two-way conversation, both sides typing: [`super::chat::run`].
    Chat,
    /// Many clients at once against one forking server: [`super::fork_echo::run`].
    ForkEcho,
    /// A lesson run while its packets are captured on `lo`: [`super::capture::run`].
    Capture,
}

impl Lesson {
    /// The lesson whose `program` ("server" or "client") this one runs: its own, or,
    /// for a client it borrows, the lesson it borrows it from.
    pub fn owner_of(&self, program: &str) -> &'static str {
        match (program, self.client_of, self.server_of) {
            ("client", Some(owner), _) | ("server", _, Some(owner)) => owner,
            _ => self.name,
        }
    }

    /// The Rust twin's binary name for `program` ("server" or "client").
    pub fn rust_bin(&self, program: &str) -> String {
        format!("{}-{program}", self.owner_of(program))
    }
}

/// Every lesson, in the notes' order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        name: "encapsulation",
        section: "1.3",
        title_zh: "数据包的封装",
        title: "the hello-world datagram captured on lo, layer by layer",
        transport: Transport::Udp,
        server_ends: true,
        default_input: "",
        kind: Kind::Capture,
        client_of: Some("udp-hello"),
        server_of: Some("udp-hello"),
    },
    Lesson {
        name: "udp-hello",
        section: "4.5",
        title_zh: "C/S UDP整体代码",
        title: "UDP hello: one datagram, \"hello world\"",
        transport: Transport::Udp,
        server_ends: true,
        default_input: "",
        kind: Kind::Pair,
        client_of: None,
        server_of: None,
    },
    Lesson {
        name: "udp-echo",
        section: "4.6",
        title_zh: "C/S UDP 回射服务器",
        title: "UDP echo: each word sent back",
        transport: Transport::Udp,
        server_ends: false,
        default_input: "hello world\nsocket 套接字\n",
        kind: Kind::Pair,
        client_of: None,
        server_of: None,
    },
    Lesson {
        name: "handshake",
        section: "5.1.3",
        title_zh: "三次握手与四次挥手",
        title: "the three-way handshake and the four-way close, captured",
        transport: Transport::Tcp,
        server_ends: true,
        default_input: "hello\n",
        kind: Kind::Capture,
        client_of: Some("tcp-hello"),
        server_of: Some("tcp-hello"),
    },
    Lesson {
        name: "tcp-hello",
        section: "5.4",
        title_zh: "C/S TCP整体代码",
        title: "TCP hello: connect, one word, close",
        transport: Transport::Tcp,
        server_ends: true,
        default_input: "hello\n",
        kind: Kind::Pair,
        client_of: None,
        server_of: None,
    },
    Lesson {
        name: "tcp-echo",
        section: "5.5",
        title_zh: "C/S TCP回射服务器",
        title: "TCP echo: each word written back",
        transport: Transport::Tcp,
        // The notes' server ends, though not by design: once its client has gone, its
        // second write to the closed connection raises SIGPIPE.
        server_ends: true,
        default_input: "hello world\nsocket 套接字\n",
        kind: Kind::Pair,
        client_of: None,
        server_of: None,
    },
    Lesson {
        name: "reuseaddr",
        section: "6",
        title_zh: "bind错误处理: setsockopt",
        title: "bind: Address already in use, TIME_WAIT and SO_REUSEADDR",
        transport: Transport::Tcp,
        server_ends: true,
        default_input: "hello\n",
        kind: Kind::ReuseAddr,
        client_of: Some("tcp-echo"),
        server_of: None,
    },
    Lesson {
        name: "tcp-chat",
        section: "6.2",
        title_zh: "多进程TCP实现并发",
        title: "a full-duplex chat: each side forks, a child to send, a parent to receive",
        transport: Transport::Tcp,
        server_ends: false,
        default_input: "",
        kind: Kind::Chat,
        client_of: None,
        server_of: None,
    },
    Lesson {
        name: "fork-echo",
        section: "6",
        title_zh: "多进程并发服务器",
        title: "beyond the notes: one child per client, reaped on SIGCHLD",
        transport: Transport::Tcp,
        server_ends: false,
        default_input: "hello world\n",
        kind: Kind::ForkEcho,
        client_of: Some("tcp-echo"),
        server_of: None,
    },
];

/// The lesson called `name`.
pub fn find(name: &str) -> Option<&'static Lesson> {
    LESSONS.iter().find(|l| l.name == name)
}
