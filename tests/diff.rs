//! `cargo lesson diff` and `cargo lesson --trace`, run as a student runs them.

use std::process::{Command, Output};

fn lesson(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lesson"))
        .args(args)
        .arg("--stable-output")
        .output()
        .expect("run the lesson runner")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn diff_finds_the_c_and_rust_pairs_the_same_on_the_default_input() {
    for name in ["udp-hello", "udp-echo", "tcp-hello", "tcp-echo"] {
        let o = lesson(&["diff", name]);
        let out = text(&o);
        assert!(o.status.success(), "{name}: {out}");
        assert!(out.contains("── the same: "), "{name}: {out}");
        // Both output and system calls were compared, and every side was traced.
        assert!(
            out.contains("── server: system calls\n   = socket(AF_INET"),
            "{out}"
        );
        assert!(
            out.contains("── client: system calls\n   = socket(AF_INET"),
            "{out}"
        );
    }
}

#[test]
fn diff_names_the_listed_difference_a_long_word_brings() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let input = dir.join(format!("diff-long-word-{}.txt", std::process::id()));
    std::fs::write(&input, format!("{}\n", "w".repeat(120))).unwrap();
    for name in ["udp-echo", "tcp-echo"] {
        let o = lesson(&["diff", name, "--input", input.to_str().unwrap()]);
        let out = text(&o);
        assert!(o.status.success(), "{name}: {out}");
        assert!(out.contains("   C    "), "{name}: lines differ: {out}");
        assert!(
            out.contains("as listed: \"A word of 100 characters or more\""),
            "{name}: {out}"
        );
    }
    std::fs::remove_file(input).unwrap();
}

#[test]
fn diff_refuses_a_lesson_of_steps_clearly() {
    let o = lesson(&["diff", "reuseaddr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("diff compares the lessons of one server and one client"));
}

#[test]
fn trace_shows_each_sides_socket_calls_among_their_output() {
    let o = lesson(&["udp-echo", "--trace", "--server", "rust", "--client", "c"]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for expected in [
        "server ~ socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 3",
        "server ~ bind(3, {sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr(\"0.0.0.0\")}, 16) = 0",
        "client ~ sendto(3, \"hello\\0\", 6, 0,",
        "server | recv: hello",
        "client ~ +++ exited with 0 +++",
        "server ~ +++ killed by SIGTERM +++",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
}
