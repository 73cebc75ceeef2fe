//! `cargo lesson diff <lesson>`: the C pair and the Rust pair on the same input, what
//! each side printed and which socket calls it made, line against line.
//!
//! The lines compared are the ones the tests compare (`tests/transcripts.rs`,
//! `tests/syscalls.rs`): each side's output, in order, and its system calls under
//! `strace`, normalised by [`super::trace`]. Where they differ, the difference is either
//! one the book lists (`book/src/differences.md`), which [`LISTED`] knows how to
//! recognise from the input, or a regression.

use super::lessons::Lesson;
use super::mux::{Stream, Who};
use super::process::describe;
use super::run::Outcome;

/// One line of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// The same on both sides.
    Same(String),
    /// Different: the C's line and the Rust's (`None` where one side has fewer lines).
    Differ(Option<String>, Option<String>),
}

/// The comparison of one kind of line of one side ("server: output").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// What is compared.
    pub title: String,
    /// Line against line.
    pub lines: Vec<Line>,
}

impl Section {
    /// Whether every line is the same.
    pub fn same(&self) -> bool {
        self.lines.iter().all(|l| matches!(l, Line::Same(_)))
    }
}

/// A difference the book lists, and how to tell that an input brings it about.
#[derive(Clone, Copy, Debug)]
pub struct Listed {
    /// Its title in `book/src/differences.md`.
    pub title: &'static str,
    /// Its heading's anchor there.
    pub anchor: &'static str,
    /// Whether `input`, given to `lesson`'s client, brings it about.
    pub applies: fn(lesson: &Lesson, input: &[u8]) -> bool,
}

/// The listed differences that an input of a lesson's client can bring about. (The
/// others, such as a 100-byte datagram from some other client, or `inet_ntoa`'s static
/// buffer, do not arise from the twins' own input.)
pub const LISTED: &[Listed] = &[Listed {
    title: "A word of 100 characters or more",
    anchor: "a-word-of-100-characters-or-more",
    applies: has_a_long_word,
}];

/// Whether `lesson`'s client reads words with `scanf("%s")` into `char buf[100]`, and
/// `input` has one of 100 bytes or more.
fn has_a_long_word(lesson: &Lesson, input: &[u8]) -> bool {
    let reads_words = matches!(
        lesson.owner_of("client"),
        "udp-echo" | "tcp-hello" | "tcp-echo" | "tcp-chat"
    );
    reads_words
        && input
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
            .any(|word| word.len() >= 100)
}

/// The listed differences that `input` to `lesson` brings about.
pub fn explanations(lesson: &Lesson, input: &[u8]) -> Vec<&'static Listed> {
    LISTED
        .iter()
        .filter(|l| (l.applies)(lesson, input))
        .collect()
}

/// Compares the C pair's run with the Rust pair's, side by side.
pub fn compare(c: &Outcome, rust: &Outcome) -> Vec<Section> {
    let mut sections = Vec::new();
    for who in [Who::Server, Who::Client] {
        for (kind, streams) in [
            ("output", &[Stream::Stdout, Stream::Stderr][..]),
            ("system calls", &[Stream::Trace][..]),
        ] {
            let lines = |o: &Outcome| -> Vec<String> {
                o.transcript
                    .lines()
                    .into_iter()
                    .filter(|(w, s, _)| *w == who && streams.contains(s))
                    .map(|(_, s, line)| {
                        let line = String::from_utf8_lossy(&line).into_owned();
                        match s {
                            Stream::Stderr => format!("(stderr) {line}"),
                            _ => line,
                        }
                    })
                    .collect()
            };
            sections.push(Section {
                title: format!("{}: {kind}", who.name()),
                lines: line_by_line(lines(c), lines(rust)),
            });
        }
    }
    sections.push(Section {
        title: "how they ended".into(),
        lines: line_by_line(
            vec![
                format!("server {}", describe(c.server_status)),
                format!("client {}", describe(c.client_status)),
            ],
            vec![
                format!("server {}", describe(rust.server_status)),
                format!("client {}", describe(rust.client_status)),
            ],
        ),
    });
    sections
}

/// Line `i` against line `i`. (No realignment: the twins are meant to agree line for
/// line, and a shifted line is a difference worth seeing as one.)
fn line_by_line(c: Vec<String>, rust: Vec<String>) -> Vec<Line> {
    let n = c.len().max(rust.len());
    let mut c = c.into_iter();
    let mut rust = rust.into_iter();
    (0..n)
        .map(|_| match (c.next(), rust.next()) {
            (Some(a), Some(b)) if a == b => Line::Same(a),
            (a, b) => Line::Differ(a, b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_compared_in_place() {
        let got = line_by_line(
            vec!["a".into(), "b".into(), "c".into()],
            vec!["a".into(), "x".into()],
        );
        assert_eq!(
            got,
            [
                Line::Same("a".into()),
                Line::Differ(Some("b".into()), Some("x".into())),
                Line::Differ(Some("c".into()), None),
            ]
        );
    }

    #[test]
    fn a_long_word_is_recognised_as_the_listed_difference() {
        let echo = super::super::lessons::find("udp-echo").unwrap();
        let hello = super::super::lessons::find("udp-hello").unwrap();
        let long = format!("short {}\n", "w".repeat(100));
        assert_eq!(explanations(echo, long.as_bytes()).len(), 1);
        assert!(explanations(echo, format!("{}\n", "w".repeat(99)).as_bytes()).is_empty());
        // udp-hello's client reads no input: no word can be too long for it.
        assert!(explanations(hello, long.as_bytes()).is_empty());
    }
}
