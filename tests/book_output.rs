//! The book shows program output that a command generated, never typed by hand.
//!
//! Each entry of [`OUTPUTS`] is a file in `book/src/generated/` and the `cargo lesson`
//! arguments that make it. This test runs each command and fails if the file is not what
//! the command prints now. `just update-output` (`SOCKLAB_UPDATE_OUTPUT=1 cargo test
//! --test book_output`) writes the files instead.
//!
//! The commands run with `--stable-output`: the port the kernel chose is printed as PORT,
//! and nothing depends on what was already built, so the output is the same on every run.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use pretty_assertions::assert_eq;

/// (file in `book/src/generated/`, `cargo lesson` arguments)
const OUTPUTS: &[(&str, &[&str])] = &[
    ("udp-echo-default.txt", &["udp-echo"]),
    ("udp-hello.txt", &["udp-hello", "--all"]),
    ("udp-echo.txt", &["udp-echo", "--all"]),
    ("tcp-hello.txt", &["tcp-hello", "--all"]),
    ("tcp-echo.txt", &["tcp-echo", "--all"]),
    ("reuseaddr.txt", &["reuseaddr"]),
    // The five elements (five-elements.md) and `cargo lesson diff` (introduction.md).
    ("udp-echo-diff.txt", &["diff", "udp-echo"]),
    // "Try it" at the end of the lesson chapters; inputs in book/src/try/.
    ("try-udp-hello-diff.txt", &["diff", "udp-hello"]),
    (
        "try-udp-hello-asan.txt",
        &["udp-hello", "--server", "c", "--client", "c", "--asan"],
    ),
    (
        "try-udp-echo-long-word.txt",
        &["udp-echo", "--input", "book/src/try/long-word.txt"],
    ),
    (
        "try-udp-echo-spaces.txt",
        &[
            "udp-echo",
            "--server",
            "rust",
            "--client",
            "c",
            "--input",
            "book/src/try/spaces.txt",
        ],
    ),
    (
        "try-udp-echo-empty.txt",
        &["udp-echo", "--input", "book/src/try/empty.txt"],
    ),
    ("try-tcp-hello-diff.txt", &["diff", "tcp-hello"]),
    (
        "try-tcp-hello-two-words.txt",
        &["tcp-hello", "--input", "book/src/try/hello-world.txt"],
    ),
    (
        "try-tcp-hello-empty.txt",
        &["tcp-hello", "--input", "book/src/try/empty.txt"],
    ),
    ("try-tcp-echo-diff.txt", &["diff", "tcp-echo"]),
    (
        "try-tcp-echo-long-word.txt",
        &["tcp-echo", "--input", "book/src/try/long-word.txt"],
    ),
    (
        "try-tcp-echo-empty.txt",
        &["tcp-echo", "--input", "book/src/try/empty.txt"],
    ),
    ("try-reuseaddr-rust.txt", &["reuseaddr", "--server", "rust"]),
    (
        "try-reuseaddr-c-client.txt",
        &["reuseaddr", "--client", "c"],
    ),
    ("encapsulation.txt", &["encapsulation"]),
    ("handshake.txt", &["handshake"]),
    ("tcp-chat.txt", &["tcp-chat", "--all"]),
    ("fork-echo.txt", &["fork-echo"]),
    // Reading a trace (reading-a-trace.md) uses udp-echo-diff.txt and try-tcp-echo-diff.txt.
    // Two hosts (two-hosts.md): root, like the capture lessons.
    (
        "two-hosts-udp-hello.txt",
        &["udp-hello", "--two-hosts", "--all"],
    ),
    (
        "two-hosts-diff-udp-echo.txt",
        &["diff", "udp-echo", "--two-hosts"],
    ),
    (
        "two-hosts-diff-tcp-hello.txt",
        &["diff", "tcp-hello", "--two-hosts"],
    ),
];

/// What `cargo lesson ARGS --stable-output` prints, stdout and stderr in order, after a
/// first line that shows the command.
fn generate(args: &[&str]) -> String {
    let (mut read, write) = std::io::pipe().expect("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lesson"))
        .args(args)
        .arg("--stable-output")
        .stdin(std::process::Stdio::null())
        .stdout(write.try_clone().expect("dup"))
        .stderr(write)
        .spawn()
        .expect("start the lesson runner");
    let mut out = String::new();
    read.read_to_string(&mut out).expect("read its output");
    let status = child.wait().expect("wait for it");
    assert!(status.success(), "cargo lesson {args:?}: {status}\n{out}");
    format!("$ cargo lesson {}\n{out}", args.join(" "))
}

#[test]
fn generated_output_in_the_book_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/generated");
    let update = std::env::var_os("SOCKLAB_UPDATE_OUTPUT").is_some();
    for (file, args) in OUTPUTS {
        let path = dir.join(file);
        let now = generate(args);
        if update {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &now).unwrap();
            continue;
        }
        let committed = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `just update-output`", path.display()));
        assert_eq!(
            committed,
            now,
            "{} is out of date: run `just update-output`",
            path.display()
        );
    }
}
