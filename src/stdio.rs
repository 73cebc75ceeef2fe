//! The C library around the sockets: `perror`, `printf`, `puts`, `scanf("%s")`, `bzero`.
//!
//! The notes' programs print C strings (`char buf[100]`) with `printf("%s")` and read
//! words with `scanf("%s")`. Rust's `println!` takes UTF-8 text and its `read_line`
//! takes lines, so a twin written with them would print and read different bytes than
//! the C. These functions do what the C calls do, on bytes, so the twins' transcripts are
//! the C's byte for byte (`tests/transcripts.rs` checks that). They are C library
//! functions, not system calls: each ends in at most one `write(2)` (or, for `scanf`,
//! the `read(2)`s that refill stdin's buffer).
//!
//! Where they must differ from the C, they say so; `book/src/differences.md` lists it all.
//!
//! Output goes through Rust's `stdout`, which is **line-buffered** even into a pipe,
//! where C's `stdout` is block-buffered (4096 bytes) unless it is a terminal. The lesson
//! runner runs the C under `stdbuf -oL` so both print each line as it is made; without
//! that, a C server that is killed loses the lines it had not flushed (a listed
//! difference, pinned by `errors::c_stdout_is_block_buffered_into_a_pipe`).

use std::io::{self, BufRead, Write};

use libc::c_int;
use nix::errno::Errno;

/// `EOF`, what `scanf` returns when the input ends before anything was read.
pub const EOF: c_int = -1;

/// Prints `s`, a colon, a space and the message for `errnum`, then a newline, on stderr.
///
/// Mirrors C `perror(3)`: `perror("bind")` prints `bind: Address already in use` when
/// `errno` is `EADDRINUSE`. C reads the global `errno`; in Rust the error is a value,
/// the `Err` of the failed call, so it is passed in. The message is glibc's own
/// (`strerror_r(3)`), so it is the C's to the letter. See
/// [perror(3)](https://man7.org/linux/man-pages/man3/perror.3.html).
pub fn perror(s: &str, errnum: Errno) {
    let mut line = Vec::with_capacity(64);
    if !s.is_empty() {
        line.extend_from_slice(s.as_bytes());
        line.extend_from_slice(b": ");
    }
    line.extend_from_slice(strerror(errnum).as_bytes());
    line.push(b'\n');
    // C's perror ignores a failed write to stderr; there is nowhere left to report it.
    let _ = io::stderr().write_all(&line);
}

/// glibc's message for `errnum`, as `strerror(3)` gives it ("Address already in use").
pub fn strerror(errnum: Errno) -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its full length, which is what we pass; the XSI
    // strerror_r (the one the libc crate binds) writes a NUL-terminated message into it.
    let rc = unsafe { libc::strerror_r(errnum as c_int, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {}", errnum as c_int);
    }
    String::from_utf8_lossy(cstr(&buf)).into_owned()
}

/// The bytes of a C string held in `buf`: those before the first NUL, or all of `buf`
/// if it has none.
///
/// This is what `printf("%s", buf)` and `strlen(buf)` read, with one difference: C does
/// not stop at the end of the array. A `char buf[100]` filled with 100 non-NUL bytes (a
/// 100-byte datagram) makes C read on past it, into whatever lies next on the stack,
/// until some byte is 0: undefined behaviour. Here the slice ends where the array does.
// ANCHOR: cstr
pub fn cstr(buf: &[u8]) -> &[u8] {
    match buf.iter().position(|&b| b == 0) {
        Some(nul) => &buf[..nul],
        None => buf,
    }
}
// ANCHOR_END: cstr

/// `strlen(buf)`: the length of the C string in `buf` (see [`cstr`] for the difference
/// at a full buffer).
pub fn strlen(buf: &[u8]) -> usize {
    cstr(buf).len()
}

/// Sets every byte of `buf` to 0.
///
/// Mirrors C `bzero(3)` (`<strings.h>`), which the notes use to clear a buffer between
/// messages. See [bzero(3)](https://man7.org/linux/man-pages/man3/bzero.3.html).
pub fn bzero(buf: &mut [u8]) {
    buf.fill(0);
}

/// One argument of [`printf`]: an integer for `%d`, bytes for `%s`.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    /// For `%d`.
    Int(i64),
    /// For `%s`: printed up to the first NUL, as C does (see [`cstr`]).
    Str(&'a [u8]),
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Int(n as i64)
            }
        }
    )*};
}
int_args!(i32, i64, isize, u16, u32, usize);

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(s: &'a [u8]) -> Self {
        Arg::Str(s)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Arg<'a> {
    fn from(s: &'a [u8; N]) -> Self {
        Arg::Str(s)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Str(s.as_bytes())
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Str(s.as_bytes())
    }
}

/// Formats `args` by `format` and writes the result to stdout.
///
/// Mirrors C `printf(3)` for the conversions the notes use, `%s`, `%d` and `%%`: the
/// twins' `printf!("recv: %s\n", &buf)` is the C's `printf("recv: %s\n", buf)` and prints
/// the same bytes, whatever they are (Rust's `println!` would need UTF-8). Write errors
/// are ignored, as C's `printf` return value is in the notes. Returns the number of bytes
/// formatted, as C does.
///
/// # Panics
///
/// On a conversion other than `%s`, `%d`, `%%`, or an argument that does not fit its
/// conversion. C's compiler warns of those (`-Wformat`); here the formats are the twins'
/// own literals, checked by their tests.
pub fn printf(format: &str, args: &[Arg<'_>]) -> c_int {
    let mut out = Vec::with_capacity(format.len() + 64);
    let mut args = args.iter();
    let mut chars = format.bytes();
    while let Some(b) = chars.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        match (chars.next(), args.next()) {
            (Some(b'%'), _) => out.push(b'%'),
            (Some(b's'), Some(Arg::Str(s))) => out.extend_from_slice(cstr(s)),
            (Some(b'd'), Some(Arg::Int(n))) => out.extend_from_slice(n.to_string().as_bytes()),
            (conv, arg) => panic!("printf: {format:?}: %{conv:?} does not fit {arg:?}"),
        }
    }
    let _ = io::stdout().lock().write_all(&out);
    out.len() as c_int
}

/// `printf!("recv: %s\n", &buf)`: [`printf`] with its arguments converted to [`Arg`]s.
#[macro_export]
macro_rules! printf {
    ($format:expr $(, $arg:expr)* $(,)?) => {
        $crate::stdio::printf($format, &[$($crate::stdio::Arg::from($arg)),*])
    };
}

/// Writes the C string in `s` and a newline to stdout.
///
/// Mirrors C `puts(3)`, used by the notes' TCP clients. See
/// [puts(3)](https://man7.org/linux/man-pages/man3/puts.3.html).
pub fn puts(s: &[u8]) -> c_int {
    let mut line = Vec::with_capacity(s.len() + 1);
    line.extend_from_slice(cstr(s));
    line.push(b'\n');
    let _ = io::stdout().lock().write_all(&line);
    line.len() as c_int
}

/// Reads one word from stdin into `buf` as a C string; returns 1, or [`EOF`].
///
/// Mirrors C `scanf("%s", buf)` as the notes use it, with the one change that safety
/// demands: it stores at most `buf.len() - 1` bytes and the NUL, as `scanf("%99s", buf)`
/// would for a `char buf[100]`. A longer word is split, and the rest of it is the next
/// word read. The notes' `scanf("%s", buf)` has no limit: a word of 100 or more
/// characters writes past the end of `buf` (undefined behaviour; the book shows
/// AddressSanitizer's report). See
/// [scanf(3)](https://man7.org/linux/man-pages/man3/scanf.3.html).
///
/// A "word", for `%s`: leading white space (`isspace`: space, `\t`, `\n`, `\v`, `\f`,
/// `\r`) is skipped, then bytes are taken up to the next white space, which stays unread.
/// So the line "hello world" is two words, two messages: an erratum the book shows.
///
/// # Panics
///
/// If `buf` is empty: there is no room even for the NUL.
// ANCHOR: scanf_word
pub fn scanf_word(buf: &mut [u8]) -> c_int {
    assert!(!buf.is_empty(), "scanf_word: no room for the NUL");
    let room = buf.len() - 1;
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut len = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => &[],
        };
        if available.is_empty() {
            break; // end of input (or a read error, which C's scanf treats the same)
        }
        let mut used = 0;
        let mut word_ended = false;
        for &b in available {
            if is_c_space(b) {
                if len > 0 {
                    word_ended = true;
                    break;
                }
            } else if len == room {
                word_ended = true;
                break;
            } else {
                buf[len] = b;
                len += 1;
            }
            used += 1;
        }
        input.consume(used);
        if word_ended {
            break;
        }
    }
    if len == 0 {
        return EOF;
    }
    buf[len] = 0;
    1
}
// ANCHOR_END: scanf_word

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}
