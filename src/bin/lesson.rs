//! `cargo lesson`: watch a server and a client from the notes talk, in C, in Rust, or one
//! of each.
//!
//! ```text
//! cargo lesson list
//! cargo lesson udp-echo [--server c|rust] [--client c|rust] [--port N] [--input FILE]
//! cargo lesson udp-echo --all          # the four server × client mixes in turn
//! cargo lesson udp-echo --input -      # type as the client (Ctrl-D ends the input)
//! cargo lesson udp-echo --two-hosts    # server and client on two hosts (root)
//! ```
//!
//! It builds what it needs (the C with the system compiler, the Rust with cargo), starts
//! the server, waits for the kernel to show its socket bound, feeds the client, prints
//! both sides' output labelled and in order, and stops everything it started, also on
//! Ctrl-C. The machinery is `socklab::lab`.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use socklab::lab::build::{Builds, CFlavor};
use socklab::lab::hosts::Hosts;
use socklab::lab::kernel::{self, SocketEntry, Transport};
use socklab::lab::lessons::{self, Kind, Lesson, LESSONS};
use socklab::lab::mux::{Event, Stream, Who};
use socklab::lab::process::describe;
use socklab::lab::run::{self, Input, Lang, Narrator, Observer, Outcome, Pair, RunError};
use socklab::lab::signals::Interrupts;
use socklab::lab::{capture, chat, fork_echo, reuseaddr};

/// `println!` that never panics: if stdout is closed (`cargo lesson udp-echo | head`),
/// the line is dropped and the lesson goes on to stop what it started. (`println!`
/// panics on `EPIPE`, and Rust ignores `SIGPIPE`, so that is the only way it would end.)
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` that never panics (see `say!`).
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        let _ = write!(io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see `say!`).
macro_rules! tell {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr().lock(), $($arg)*);
    }};
}

/// Watch a server and a client from the notes talk, in C, in Rust, or one of each.
#[derive(Parser, Debug)]
#[command(name = "cargo lesson", version, after_help = lesson_list())]
struct Cli {
    /// The lesson to run, `list`, or `diff` followed by a lesson.
    #[arg(default_value = "list")]
    lesson: String,

    /// After `diff`: the lesson whose C pair and Rust pair to compare.
    #[arg(value_name = "LESSON")]
    diffed: Option<String>,

    /// The server's language.
    #[arg(long, value_enum, default_value_t = Side::C)]
    server: Side,

    /// The client's language.
    #[arg(long, value_enum, default_value_t = Side::Rust)]
    client: Side,

    /// Run all four server × client mixes, one after the other.
    #[arg(long, conflicts_with_all = ["server", "client"])]
    all: bool,

    /// The server's port (default: one the kernel says is free).
    #[arg(long)]
    port: Option<u16>,

    /// The client's input: a file, or `-` for this terminal (default: the lesson's).
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,

    /// Build the C with AddressSanitizer, to see the notes' buffer overflows reported.
    #[arg(long)]
    asan: bool,

    /// Show each program's socket calls as it makes them (`strace`, normalised as the
    /// tests compare them: `~` lines).
    #[arg(long)]
    trace: bool,

    /// Run the server and the client on two hosts, 10.77.0.1 and 10.77.0.2: network
    /// namespaces made for the run, joined by a veth pair, deleted at its end (root).
    #[arg(long)]
    two_hosts: bool,

    /// No colours (also when NO_COLOR is set or the output is not a terminal).
    #[arg(long)]
    no_color: bool,

    /// Output that is the same on every run, for the book and its check: no colours,
    /// no compiler lines, and the port number printed as PORT.
    #[arg(long)]
    stable_output: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Side {
    C,
    Rust,
}

impl From<Side> for Lang {
    fn from(side: Side) -> Lang {
        match side {
            Side::C => Lang::C,
            Side::Rust => Lang::Rust,
        }
    }
}

fn lesson_list() -> String {
    let mut s = String::from("Lessons:\n");
    for l in LESSONS {
        s.push_str(&format!(
            "  {:<14} notes §{:<6} {} ({})\n",
            l.name, l.section, l.title, l.title_zh
        ));
    }
    s
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.lesson == "list" {
        say_raw!("{}", lesson_list());
        return ExitCode::SUCCESS;
    }
    let diff = cli.lesson == "diff";
    let name = if diff {
        cli.diffed.as_deref().unwrap_or("")
    } else {
        cli.lesson.as_str()
    };
    let Some(lesson) = lessons::find(name) else {
        tell!(
            "cargo lesson: no lesson called '{name}'.\n\n{}",
            lesson_list()
        );
        return ExitCode::from(2);
    };
    if cli.two_hosts && lesson.kind != Kind::Pair {
        eprintln!(
            "cargo lesson: --two-hosts puts a lesson's one server and one client on two \
             hosts, and {} is not such a lesson. It applies to: {}",
            lesson.name,
            pair_lessons()
        );
        return ExitCode::from(2);
    }
    let result = if diff {
        diff_main(&cli, lesson)
    } else if cli.diffed.is_some() {
        tell!("cargo lesson: one lesson at a time (or `cargo lesson diff {name}`)");
        return ExitCode::from(2);
    } else {
        lesson_main(&cli, lesson)
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            tell!("cargo lesson: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The lessons of one server and one client, for messages: "udp-hello, udp-echo, …".
fn pair_lessons() -> String {
    LESSONS
        .iter()
        .filter(|l| l.kind == Kind::Pair)
        .map(|l| l.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// With `--two-hosts`, the hosts; without root, an error that says how to run it.
fn two_hosts(cli: &Cli, command: &str) -> io::Result<Option<Hosts>> {
    if !cli.two_hosts {
        return Ok(None);
    }
    Hosts::create().map(Some).map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::PermissionDenied {
            format!("\nrun it as root: `sudo -E cargo lesson {command} --two-hosts`")
        } else {
            String::new()
        };
        io::Error::new(e.kind(), format!("--two-hosts: {e}{hint}"))
    })
}

fn lesson_main(cli: &Cli, lesson: &'static Lesson) -> io::Result<ExitCode> {
    let interrupts = Interrupts::install()?;
    // First, so that without root it says so before building anything. Dropped when this
    // function returns, however it returns: the hosts are deleted then.
    let hosts = two_hosts(cli, lesson.name)?;
    let color =
        !cli.no_color && std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal();
    let input = match &cli.input {
        None => Input::Bytes(lesson.default_input.as_bytes().to_vec()),
        Some(path) if path.as_os_str() == "-" => Input::Inherit,
        Some(path) => Input::Bytes(fs::read(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot read --input {}: {e}", path.display()),
            )
        })?),
    };
    let mixes: Vec<(Lang, Lang)> = if cli.all {
        vec![
            (Lang::C, Lang::C),
            (Lang::C, Lang::Rust),
            (Lang::Rust, Lang::C),
            (Lang::Rust, Lang::Rust),
        ]
    } else {
        vec![(cli.server.into(), cli.client.into())]
    };
    let flavor = if cli.asan {
        CFlavor::Asan
    } else {
        CFlavor::Plain
    };

    // Build everything first, so that compiler output does not cut into a conversation.
    let exe = std::env::current_exe()?;
    let builds = Builds::beside(exe.parent().unwrap_or(&exe));
    if mixes
        .iter()
        .any(|&(s, c)| s == Lang::Rust || c == Lang::Rust)
    {
        if let Some(code) = build_twins(&builds)? {
            return Ok(code);
        }
    }

    let mut out = Printer {
        color,
        stable: cli.stable_output,
        transport: lesson.transport,
        port: None,
    };
    out.title(lesson);
    if let Some(hosts) = &hosts {
        out.note(&hosts.describe());
    }
    let mut code = ExitCode::SUCCESS;
    for (i, &(server_lang, client_lang)) in mixes.iter().enumerate() {
        if i > 0 {
            say!();
        }
        let (server, compiled_s) = run::program(&builds, lesson, "server", server_lang, flavor)?;
        let (client, compiled_c) = run::program(&builds, lesson, "client", client_lang, flavor)?;
        if !cli.stable_output {
            for shown in [compiled_s, compiled_c].into_iter().flatten() {
                out.note(&format!("compiled: {shown}"));
            }
        }
        out.note(&format!("{server_lang} server, {client_lang} client"));
        let pair = Pair {
            port: cli.port,
            input: input.clone(),
            c_flavor: flavor,
            trace: cli.trace,
            hosts: hosts.as_ref(),
            ..Pair::new(lesson, server_lang, client_lang)
        };
        let steps = match lesson.kind {
            Kind::Pair | Kind::Capture => None,
            Kind::ReuseAddr => Some(
                reuseaddr::run(
                    lesson,
                    &builds,
                    server_lang,
                    client_lang,
                    flavor,
                    &mut out,
                    Some(&interrupts),
                )
                .map(drop),
            ),
            Kind::Chat => Some(
                chat::run(
                    lesson,
                    &builds,
                    server_lang,
                    client_lang,
                    flavor,
                    &input,
                    &mut out,
                    Some(&interrupts),
                )
                .map(drop),
            ),
            Kind::ForkEcho => Some(
                fork_echo::run(
                    lesson,
                    &builds,
                    server_lang,
                    client_lang,
                    flavor,
                    &input,
                    &mut out,
                    Some(&interrupts),
                )
                .map(drop),
            ),
        };
        let steps = match (steps, lesson.kind) {
            (None, Kind::Capture) => Some(
                capture::run(
                    lesson,
                    &builds,
                    server_lang,
                    client_lang,
                    flavor,
                    &input,
                    &mut out,
                    Some(&interrupts),
                )
                .map(drop),
            ),
            (steps, _) => steps,
        };
        if let Some(result) = steps {
            if let Err(e) = result {
                code = out.failure(lesson, &e);
                break;
            }
            continue;
        }
        match &pair.input {
            Input::Bytes(bytes) if !bytes.is_empty() => out.input(bytes),
            Input::Bytes(_) => {}
            Input::Inherit => {
                out.note("type as the client; Ctrl-D ends its input, Ctrl-C the lesson")
            }
        }
        match run::run(&pair, &server, &client, &mut out, Some(&interrupts)) {
            Ok(outcome) => out.outcome(&outcome),
            Err(e) => {
                code = out.failure(lesson, &e);
                break;
            }
        }
    }
    Ok(code)
}

/// `cargo lesson diff LESSON`: the C pair and the Rust pair on the same input, traced;
/// exits 0 when they agree, or differ only as the book lists.
fn diff_main(cli: &Cli, lesson: &'static Lesson) -> io::Result<ExitCode> {
    if lesson.kind != Kind::Pair {
        tell!(
            "cargo lesson diff: {} is a lesson of steps; diff compares the lessons of one \
             server and one client: {}",
            lesson.name,
            pair_lessons()
        );
        return Ok(ExitCode::from(2));
    }
    let interrupts = Interrupts::install()?;
    let hosts = two_hosts(cli, &format!("diff {}", lesson.name))?;
    let color = !cli.no_color
        && !cli.stable_output
        && std::env::var_os("NO_COLOR").is_none()
        && io::stdout().is_terminal();
    let input = match &cli.input {
        None => lesson.default_input.as_bytes().to_vec(),
        Some(path) => fs::read(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot read --input {}: {e}", path.display()),
            )
        })?,
    };
    let exe = std::env::current_exe()?;
    let builds = Builds::beside(exe.parent().unwrap_or(&exe));
    if let Some(code) = build_twins(&builds)? {
        return Ok(code);
    }
    let mut quiet = run::Quiet;
    let mut outcomes = Vec::new();
    for lang in [Lang::C, Lang::Rust] {
        let server = run::program(&builds, lesson, "server", lang, CFlavor::Plain)?.0;
        let client = run::program(&builds, lesson, "client", lang, CFlavor::Plain)?.0;
        let pair = Pair {
            input: Input::Bytes(input.clone()),
            trace: true,
            hosts: hosts.as_ref(),
            ..Pair::new(lesson, lang, lang)
        };
        match run::run(&pair, &server, &client, &mut quiet, Some(&interrupts)) {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                tell!("cargo lesson diff: the {lang} pair: {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let out = Printer {
        color,
        stable: cli.stable_output,
        transport: lesson.transport,
        port: None,
    };
    say!(
        "{}",
        out.paint(
            "1",
            &format!(
                "diff {}: the C pair and the Rust pair on the same input, line by line",
                lesson.name
            )
        )
    );
    if let Some(hosts) = &hosts {
        out.note(&hosts.describe());
    }
    let sections = socklab::lab::diff::compare(&outcomes[0], &outcomes[1]);
    let mut differing = 0;
    for section in &sections {
        out.note(&section.title);
        for line in &section.lines {
            match line {
                socklab::lab::diff::Line::Same(l) => say!("   = {l}"),
                socklab::lab::diff::Line::Differ(c, rust) => {
                    differing += 1;
                    let show = |l: &Option<String>| l.clone().unwrap_or_else(|| "(none)".into());
                    say!("{}", out.paint("31", &format!("   C    {}", show(c))));
                    say!("{}", out.paint("32", &format!("   Rust {}", show(rust))));
                }
            }
        }
    }
    let total: usize = sections.iter().map(|s| s.lines.len()).sum();
    if differing == 0 {
        out.note(&format!("the same: {total} lines, C and Rust"));
        return Ok(ExitCode::SUCCESS);
    }
    let listed = socklab::lab::diff::explanations(lesson, &input);
    if listed.is_empty() {
        out.note(&format!(
            "{differing} of {total} lines differ, and no listed difference explains them: \
             a regression, or a difference to list in book/src/differences.md"
        ));
        return Ok(ExitCode::FAILURE);
    }
    for l in &listed {
        out.note(&format!(
            "{differing} of {total} lines differ, as listed: \"{}\" (book/src/differences.md#{})",
            l.title, l.anchor
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the Rust twins. A Ctrl-C during the build stops cargo too (it is in the
/// terminal's process group): that is an interruption, `Some(130)`, not a failed build.
fn build_twins(builds: &Builds) -> io::Result<Option<ExitCode>> {
    match builds.build_rust() {
        Ok(()) => Ok(None),
        Err(_) if Interrupts::caught().is_some() => {
            tell!("cargo lesson: interrupted while building");
            let sig = Interrupts::caught().map_or(2, |s| s as u8);
            Ok(Some(ExitCode::from(128 + sig)))
        }
        Err(e) => Err(e),
    }
}

/// Prints a run as it happens.
struct Printer {
    color: bool,
    /// `--stable-output`: the port is printed as PORT.
    stable: bool,
    transport: Transport,
    /// The port of the run under way.
    port: Option<u16>,
}

impl Printer {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn title(&self, l: &Lesson) {
        say!(
            "{}",
            self.paint(
                "1",
                &format!(
                    "{}: notes §{} {} ({})",
                    l.name, l.section, l.title, l.title_zh
                )
            )
        );
    }

    fn note(&self, s: &str) {
        say!("{}", self.paint("2", &format!("── {}", self.scrub(s))));
    }

    /// With `--stable-output`, the port number replaced by PORT.
    fn scrub(&self, s: &str) -> String {
        match self.port {
            Some(port) if self.stable => s.replace(&port.to_string(), "PORT"),
            _ => s.to_string(),
        }
    }

    fn input(&self, bytes: &[u8]) {
        self.note("the client's input:");
        for line in String::from_utf8_lossy(bytes).lines() {
            say!("{}", self.paint("2", &format!("   stdin  < {line}")));
        }
    }

    fn outcome(&self, o: &Outcome) {
        self.note(&format!("client {}", describe(o.client_status)));
        if o.server_stopped {
            self.note(&format!(
                "server {} (the runner stopped it: it serves until killed)",
                describe(o.server_status)
            ));
        } else {
            self.note(&format!("server {}", describe(o.server_status)));
        }
    }

    fn failure(&self, lesson: &Lesson, e: &RunError) -> ExitCode {
        tell!(
            "{}",
            self.paint("31;1", &self.scrub(&format!("cargo lesson: {e}")))
        );
        match e {
            RunError::ServerEnded {
                port, transcript, ..
            } => {
                let stderr = transcript.text(Who::Server, Stream::Stderr);
                if stderr.contains("Address already in use") {
                    tell!("{}", in_use_advice(lesson.transport, *port));
                }
                ExitCode::FAILURE
            }
            RunError::Interrupted { .. } => {
                let sig = Interrupts::caught().map_or(2, |s| s as u8);
                ExitCode::from(128 + sig)
            }
            _ => ExitCode::FAILURE,
        }
    }
}

/// Why `port` is taken, and what to do about it.
fn in_use_advice(transport: Transport, port: u16) -> String {
    let owners = kernel::port_owners(transport, port);
    if !owners.is_empty() {
        let by: Vec<String> = owners
            .iter()
            .map(|(pid, comm)| format!("pid {pid} ({comm})"))
            .collect();
        return format!(
            "port {port}/{transport} is in use by {}. Stop it, or leave out --port to get a \
             free port.",
            by.join(", ")
        );
    }
    if !kernel::time_wait_on(transport, port).is_empty() {
        return format!(
            "port {port}/{transport} is held by a closed connection in TIME_WAIT, which no \
             process owns: the kernel frees it within 60 s. Wait, leave out --port to get a \
             free port, or see `cargo lesson reuseaddr` for SO_REUSEADDR."
        );
    }
    format!(
        "port {port}/{transport} is in use by a socket of another user or network namespace. \
         Leave out --port to get a free port."
    )
}

impl Narrator for Printer {
    fn stable_output(&self) -> bool {
        self.stable
    }

    fn step(&mut self, n: u32, what: &str) {
        say!("{}", self.paint("1", &format!("{n}. {what}")));
    }

    fn remark(&mut self, what: &str) {
        self.note(what);
    }

    fn table(&mut self, port: u16, entries: &[SocketEntry]) {
        self.note(&format!(
            "the kernel's table for port {port} (/proc/net/tcp, as `ss -tan` shows it):"
        ));
        if entries.is_empty() {
            say!("   (nothing)");
        }
        for e in entries {
            // The client's port was chosen by the kernel: different on every run.
            let peer = if self.stable {
                "EPHEMERAL".to_string()
            } else {
                e.remote.1.to_string()
            };
            say!(
                "   {}:{} -> {}:{peer}  {}",
                e.local.0,
                self.scrub(&e.local.1.to_string()),
                e.remote.0,
                e.state.name()
            );
        }
    }
}

impl Observer for Printer {
    fn server_started(&mut self, shown: &str, port: u16) {
        self.port = Some(port);
        self.note(&format!("server: {shown}"));
    }

    fn server_bound(&mut self, entry: &SocketEntry) {
        let state = match self.transport {
            Transport::Udp => String::new(),
            Transport::Tcp => format!(", {}", entry.state.name()),
        };
        self.note(&format!(
            "the kernel's socket table shows it bound: {}:{}/{}{state}",
            entry.local.0, entry.local.1, self.transport
        ));
    }

    fn client_started(&mut self, shown: &str) {
        self.note(&format!("client: {shown}"));
    }

    fn event(&mut self, e: &Event) {
        let (label, code) = match (e.who, e.stream) {
            (Who::Server, Stream::Stdout) => ("server |", "36"),
            (Who::Server, Stream::Stderr) => ("server !", "31"),
            (Who::Client, Stream::Stdout) => ("client |", "33"),
            (Who::Client, Stream::Stderr) => ("client !", "31"),
            (Who::Server, Stream::Trace) => ("server ~", "2;36"),
            (Who::Client, Stream::Trace) => ("client ~", "2;33"),
        };
        let text = String::from_utf8_lossy(&e.bytes);
        let mut stdout = io::stdout().lock();
        for line in text.strip_suffix('\n').unwrap_or(&text).split('\n') {
            let _ = writeln!(stdout, "{} {}", self.paint(code, label), self.scrub(line));
        }
    }
}
