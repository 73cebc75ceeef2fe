//! The C oracle: small C programs in `tests/oracle/`, compiled by the system C compiler
//! and run by the tests, whose output is the expected value (never our own code's).
//!
//! A test file uses it with `mod common;`. Each test binary compiles only what it asks
//! for, once per process, into `target/tmp/oracle/<name>`; the compile is atomic
//! (`compile_c` renames a finished binary into place), so test binaries running at the
//! same time may build the same oracle without harm. Not every test binary uses every
//! item, hence the `#[allow(dead_code)]`s.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;

use socklab::lab::build::{compile_c, CFlavor};

/// The compiled oracle `tests/oracle/<name>.c`, compiled on the first call for `name` in
/// this process (as a student would: `CFlavor::Plain`, `-O2`, so glibc's headers use
/// their macros). Panics with the compiler's message if it does not compile.
#[allow(dead_code)]
pub fn c_oracle(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    // The lock is held while compiling, so two tests asking for the same oracle at once
    // compile it once. A test that panicked while holding it poisoned nothing of value.
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(format!("{name}.c"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("oracle")
        .join(name);
    if let Err(e) = compile_c(&source, &out, &[], CFlavor::Plain) {
        panic!("cannot compile the C oracle {}: {e}", source.display());
    }
    built.insert(name.to_owned(), out.clone());
    out
}

/// Runs the oracle `name` (compiling it first if need be) with `stdin` as its standard
/// input, and returns its standard output. Panics if it does not exit with status 0 or
/// writes anything on stderr, or if its output is not UTF-8.
#[allow(dead_code)]
pub fn run_oracle(name: &str, stdin: &[u8]) -> String {
    let path = c_oracle(name);
    let mut child = Command::new(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run the C oracle {}: {e}", path.display()));
    // Written from another thread: an oracle may print more than a pipe holds before it
    // reads its input, and would wait for us while we waited for it.
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().expect("wait for the C oracle");
    writer
        .join()
        .expect("the stdin writer panicked")
        .unwrap_or_else(|e| panic!("cannot write the C oracle {name}'s stdin: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "the C oracle {name} failed ({}): {stderr}",
        output.status
    );
    String::from_utf8(output.stdout)
        .unwrap_or_else(|e| panic!("the C oracle {name} printed non-UTF-8: {e}"))
}

/// The output of an oracle that prints `name value` lines (`tests/oracle/layout.c`), as
/// a map from name to value (the rest of the line after the first space). Panics on a
/// line without a space or a name printed twice.
#[allow(dead_code)]
pub fn oracle_values(name: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for line in run_oracle(name, b"").lines() {
        let (key, value) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("oracle {name}: not `name value`: {line:?}"));
        let previous = values.insert(key.to_owned(), value.to_owned());
        assert!(previous.is_none(), "oracle {name}: {key} printed twice");
    }
    values
}
