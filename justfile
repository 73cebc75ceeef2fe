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

# Check formatting and lints as CI does.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Regenerate the program output that the book shows (book/src/generated/).
update-output:
    SOCKLAB_UPDATE_OUTPUT=1 cargo test --test book_output

# Build the book into book/book/ (needs mdbook: `cargo install mdbook --locked`).
book:
    mdbook build book

# Serve the book at http://127.0.0.1:3000 and rebuild it on every change.
serve-book:
    mdbook serve book --hostname 127.0.0.1 --port 3000

# Everything CI runs: the tests, the lints, the book.
ci:
    bash .ci/run
