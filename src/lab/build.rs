//! Building what a lesson runs: the C reference with the system C compiler, the Rust
//! twins with cargo.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// The checkout: `c-reference/`, `src/`, `book/` live here.
pub fn source_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// How a C program is compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CFlavor {
    /// As a student would: `-O2 -g -Wall -Wextra`.
    Plain,
    /// With AddressSanitizer (`-fsanitize=address`), which turns the notes' buffer
    /// overflows from silent undefined behaviour into a report and exit status 1.
    Asan,
}

impl CFlavor {
    fn flags(self) -> &'static [&'static str] {
        match self {
            CFlavor::Plain => &["-std=gnu11", "-O2", "-g", "-Wall", "-Wextra"],
            CFlavor::Asan => &[
                "-std=gnu11",
                "-O1",
                "-g",
                "-Wall",
                "-Wextra",
                "-fsanitize=address",
                "-fno-omit-frame-pointer",
            ],
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            CFlavor::Plain => "",
            CFlavor::Asan => "-asan",
        }
    }
}

/// Where the build products go: the cargo target directory and its profile directory.
#[derive(Clone, Debug)]
pub struct Builds {
    /// `target/debug` (or `release`): where cargo put the Rust twins.
    pub bin_dir: PathBuf,
    /// `target`: the C goes to `target/c-reference/<lesson>/<program>`.
    pub target_dir: PathBuf,
}

impl Builds {
    /// The builds next to a Rust binary of this crate: `bin_dir` is the folder that holds
    /// it (`target/debug`), so the lesson runner passes `current_exe()`'s folder, and a
    /// test the folder of `env!("CARGO_BIN_EXE_lesson")`.
    pub fn beside(bin_dir: impl Into<PathBuf>) -> Builds {
        let bin_dir = bin_dir.into();
        // target/debug/deps/… for a test binary; target/debug for the runner.
        let bin_dir = if bin_dir.ends_with("deps") {
            bin_dir.parent().map(Path::to_path_buf).unwrap_or(bin_dir)
        } else {
            bin_dir
        };
        let target_dir = bin_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| bin_dir.clone());
        Builds {
            bin_dir,
            target_dir,
        }
    }

    /// The path of the Rust binary `name` (built or not).
    pub fn rust_bin(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }

    /// The path of the C program `c-reference/<lesson>/<program>.c` once built.
    pub fn c_bin(&self, lesson: &str, program: &str, flavor: CFlavor) -> PathBuf {
        self.target_dir
            .join("c-reference")
            .join(lesson)
            .join(format!("{program}{}", flavor.suffix()))
    }

    /// Compiles `c-reference/<lesson>/<program>.c` unless the binary is newer than the
    /// source and `apue.h`. Returns the binary's path, and the command line when it ran
    /// the compiler (for the runner to show).
    pub fn build_c(
        &self,
        lesson: &str,
        program: &str,
        flavor: CFlavor,
    ) -> io::Result<(PathBuf, Option<String>)> {
        let c_dir = source_root().join("c-reference");
        let source = c_dir.join(lesson).join(format!("{program}.c"));
        let out = self.c_bin(lesson, program, flavor);
        let inputs = [source.clone(), c_dir.join("apue.h")];
        if is_fresh(&out, &inputs)? {
            return Ok((out, None));
        }
        let shown = compile_c(&source, &out, &[&c_dir], flavor)?;
        Ok((out, Some(shown)))
    }

    /// Runs `cargo build --bins`, in the profile of `bin_dir`: every twin (they build in
    /// seconds, and one lesson may run another's). Cargo decides whether anything needs
    /// building.
    pub fn build_rust(&self) -> io::Result<()> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        let mut cmd = Command::new(cargo);
        cmd.arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(source_root().join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target_dir);
        if self.bin_dir.file_name().is_some_and(|p| p == "release") {
            cmd.arg("--release");
        }
        cmd.arg("--bins");
        // Its output is shown only if it fails: "Blocking waiting for file lock" and the
        // like would otherwise cut into a lesson's transcript.
        let output = cmd.output()?;
        if output.status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "cargo build failed: {}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )))
        }
    }
}

/// Compiles one C file into the executable `out` with the system C compiler (`$CC`, or
/// `cc`), atomically: the binary appears whole or not at all, so two tests that build
/// the same program at once cannot run a half-written one. Returns the command line.
///
/// This is the C oracle's compiler too: the tests build their small C programs with it.
pub fn compile_c(
    source: &Path,
    out: &Path,
    include_dirs: &[&Path],
    flavor: CFlavor,
) -> io::Result<String> {
    let dir = out.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let cc = std::env::var_os("CC").unwrap_or_else(|| OsString::from("cc"));
    // Unique to this call, not only to this process: two threads of one test binary may
    // build the same program at once, and a shared partial file would be written by one
    // compiler while the other's result, renamed into place, is already being run.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let partial = dir.join(format!(
        ".{}.{}.{}.partial",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let mut cmd = Command::new(&cc);
    cmd.args(flavor.flags());
    for inc in include_dirs {
        cmd.arg("-I").arg(inc);
    }
    cmd.arg("-o").arg(&partial).arg(source);
    let shown = format!(
        "{} {} {}-o {} {}",
        cc.to_string_lossy(),
        flavor.flags().join(" "),
        include_dirs
            .iter()
            .map(|d| format!("-I {} ", relative(d)))
            .collect::<String>(),
        relative(out),
        relative(source),
    );
    let output = cmd.output().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot run the C compiler {cc:?}: {e} (install gcc, or set CC)"),
        )
    })?;
    if !output.status.success() {
        let _ = fs::remove_file(&partial);
        return Err(io::Error::other(format!(
            "{shown}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    fs::rename(&partial, out)?;
    Ok(shown)
}

/// `out` exists and is newer than every input.
fn is_fresh(out: &Path, inputs: &[PathBuf]) -> io::Result<bool> {
    let built = match fs::metadata(out) {
        Ok(meta) => meta.modified()?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut newest = SystemTime::UNIX_EPOCH;
    for input in inputs {
        newest = newest.max(fs::metadata(input)?.modified()?);
    }
    Ok(built > newest)
}

/// `path` relative to the checkout when it is inside it, for shorter messages.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(source_root())
        .unwrap_or(path)
        .display()
        .to_string()
}
