# socklab's everyday commands. `just` alone lists them.
# Everything here also works without `just`: each recipe is one or two plain commands.

# List the recipes.
default:
    @just --list --unsorted

# Run a lesson: `just lesson udp-echo`, `just lesson udp-echo --all`, `just lesson list`.
lesson *args:
    cargo lesson {{args}}

# Compare a lesson's C pair with its Rust pair: output and system calls, line by line.
diff lesson *args:
    cargo lesson diff {{lesson}} {{args}}

# Run the tests (the README's test command).
test *args:
    cargo test {{args}}

# Run the tests and the long ones too (load, stress, bad input; minutes): `just test-long --test load`.
test-long *args:
    cargo test {{args}} -- --include-ignored

# cargo-fuzz builds with nightly flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets the stable
# compiler take them. The inputs it finds stay in fuzz/corpus/, failures in fuzz/artifacts/.

# Fuzz the address parsers against glibc's for 60 s, or as long as asked: `just fuzz 600`.
fuzz seconds="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz inet -- -max_total_time={{seconds}} -dict=fuzz/inet.dict

# Check formatting and lints as CI does.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Regenerate the program output that the book shows (book/src/generated/).
update-output:
    SOCKLAB_UPDATE_OUTPUT=1 cargo test --test book_output
    SOCKLAB_UPDATE_OUTPUT=1 cargo test --test bad_input asan_excerpts

# Time the servers, C against Rust against std::net, and the address functions (~3 min); writes book/src/generated/bench.txt.
bench:
    cargo bench --bench addresses
    cargo run --release --example bench -- --write book/src/generated/bench.txt

# Build the book into book/book/ (needs mdbook: `cargo install mdbook --locked`).
book:
    mdbook build book

# Serve the book at http://127.0.0.1:3000 and rebuild it on every change.
serve-book:
    mdbook serve book --hostname 127.0.0.1 --port 3000

# Everything CI runs: the tests, the lints, the book.
ci:
    bash .ci/run
