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
    ("encapsulation.txt", &["encapsulation"]),
    ("handshake.txt", &["handshake"]),
    ("tcp-chat.txt", &["tcp-chat", "--all"]),
    ("fork-echo.txt", &["fork-echo"]),
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
