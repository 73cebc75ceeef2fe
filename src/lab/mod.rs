//! The lesson runner's machinery. Not a mirror of C: this is the lab bench on which the
//! C and Rust twins run, for `cargo lesson` and for the tests.
//!
//! - [`build`]: compiling the C reference and the C oracle; building the Rust twins.
//! - [`lessons`]: the catalogue of lessons.
//! - [`kernel`]: the kernel's socket table (`/proc/net/udp`, `/proc/net/tcp`), free ports.
//! - [`mux`]: one ordered, labelled transcript of several processes' output.
//! - [`process`]: starting programs so that they are always ended.
//! - [`run`]: a server and a client, from start to clean end.
//! - [`reuseaddr`]: the steps of the `reuseaddr` lesson.
//! - [`chat`]: the `tcp-chat` lesson, both sides typing.
//! - [`fork_echo`]: the `fork-echo` lesson, many clients at once.
//! - [`capture`]: the `encapsulation` and `handshake` lessons, packets captured on `lo`.
//! - [`hosts`]: `--two-hosts`, server and client on two network namespaces and a cable.
//! - [`signals`]: Ctrl-C, so that the runner stops what it started before it exits.
//! - [`trace`]: system-call traces with `strace`, normalised for comparison.
//! - [`diff`]: `cargo lesson diff`, the C pair against the Rust pair, line by line.
//! - [`live_trace`]: `--trace`, those normalised calls shown as they are made.

pub mod build;
pub mod capture;
pub mod chat;
pub mod diff;
pub mod fork_echo;
pub mod hosts;
pub mod kernel;
pub mod lessons;
pub mod live_trace;
pub mod mux;
pub mod process;
pub mod reuseaddr;
pub mod run;
pub mod signals;
pub mod trace;
