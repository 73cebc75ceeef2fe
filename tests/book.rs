//! The book's sources, checked the way mdBook reads them, so that a broken page fails
//! `cargo test` rather than a reader:
//!
//! 1. `SUMMARY.md` lists every chapter in `book/src/`, and every chapter it lists exists.
//! 2. Every `{{#include PATH:ANCHOR}}` names a file (relative to the page) in which the
//!    anchor opens (`ANCHOR: name`) and closes (`ANCHOR_END: name`) exactly once, and what
//!    it includes, without the nested anchor lines that mdBook drops, is not blank.
//! 3. No code is pasted: the body of every fenced block is `{{#include}}` lines only, so
//!    the code the book shows is the code that is compiled and tested.
//! 4. Every ```` ```rust ```` block is marked `ignore`: they are fragments, which
//!    `mdbook test` must skip.
//! 5. Every relative link outside code names a file, and its `#fragment` an id of the
//!    built page when `book/book/` holds the built HTML (`mdbook build book`).
//!
//! Each test collects every problem it finds and reports them all, one a line, each with
//! its file and line. Whether `mdbook build` itself warns is not checked here: CI runs
//! `mdbook build`. The checks take the book's directory as a parameter;
//! `the_checks_catch_a_broken_book` runs them on a small book broken on purpose.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

use pretty_assertions::assert_eq;

/// socklab's book: `book/`, with the sources in `book/src/`.
fn the_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

fn assert_no_problems(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s) in the book:\n{}\n",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_chapter_is_in_the_summary() {
    assert_no_problems(summary_problems(&the_book()));
}

#[test]
fn every_include_resolves_to_code() {
    assert_no_problems(include_problems(&the_book()));
}

#[test]
fn no_code_is_pasted() {
    assert_no_problems(pasted_code_problems(&the_book()));
}

#[test]
fn rust_fragments_are_ignored() {
    assert_no_problems(rust_fragment_problems(&the_book()));
}

#[test]
fn every_link_resolves() {
    assert_no_problems(link_problems(&the_book()));
}

// ---------------------------------------------------------------------------------------
// The checks. Each takes the book's directory (the one that holds `src/`) and returns its
// problems, each naming a file relative to the book's parent (`book/src/bind.md:12: …`).

/// Check 1: the chapters that `SUMMARY.md` links exist, and every page but `SUMMARY.md`
/// is one of them.
fn summary_problems(book: &Path) -> Vec<String> {
    let src = book.join("src");
    let summary = src.join("SUMMARY.md");
    let name = display(book, &summary);
    let text = read(&summary);
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (line, target) in links(&text) {
        if is_external(&target) {
            continue;
        }
        let chapter = normalize(&src.join(&target));
        if !chapter.is_file() {
            problems.push(format!("{name}:{line}: {target}: no such chapter"));
        }
        listed.insert(chapter);
    }
    for page in pages(book) {
        if page.path != summary && !listed.contains(&page.path) {
            problems.push(format!("{}: not in SUMMARY.md", page.name));
        }
    }
    problems
}

/// Check 2: every `{{#include}}` names a file, and an anchor in it that opens and closes
/// once, around something that is not blank. A line range (`:10:20`) is a problem too:
/// it silently shifts when the source changes; an anchor moves with the code.
fn include_problems(book: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages(book) {
        let dir = page.path.parent().expect("a page is in a directory");
        for include in includes(&page.text) {
            let at = format!("{}:{}: {}", page.name, include.line, include.directive);
            let Ok(code) = fs::read_to_string(normalize(&dir.join(&include.path))) else {
                problems.push(format!("{at}: no such file"));
                continue;
            };
            let lines: Vec<&str> = code.lines().collect();
            let body = match &include.part {
                Part::Whole => lines,
                Part::Lines => {
                    problems.push(format!("{at}: a line range; include by anchor"));
                    continue;
                }
                Part::Anchor(anchor) => match anchored(&lines, anchor) {
                    Ok(body) => body,
                    Err(e) => {
                        problems.push(format!("{at}: {e}"));
                        continue;
                    }
                },
            };
            if body.iter().all(|l| l.trim().is_empty()) {
                problems.push(format!("{at}: includes nothing"));
            }
        }
    }
    problems
}

/// Check 3: every fenced block holds `{{#include}}` lines (and blank ones) only, and
/// closes.
fn pasted_code_problems(book: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages(book) {
        for fence in fences(&page.text) {
            let pasted = fence
                .body
                .iter()
                .find(|(_, l)| !l.trim().is_empty() && !is_include_line(l));
            if let Some((line, code)) = pasted {
                problems.push(format!(
                    "{}:{line}: code pasted into the ```{} block of line {}: {:?}; \
                     {{{{#include}}}} it by anchor from the source",
                    page.name,
                    fence.info,
                    fence.line,
                    code.trim()
                ));
            }
            if !fence.closed {
                problems.push(format!(
                    "{}:{}: the ```{} block never closes",
                    page.name, fence.line, fence.info
                ));
            }
        }
    }
    problems
}

/// Check 4: every ```` ```rust ```` block says `ignore`.
fn rust_fragment_problems(book: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for page in pages(book) {
        for fence in fences(&page.text) {
            let mut words = fence.info.split([',', ' ', '\t']).filter(|w| !w.is_empty());
            if words.next() == Some("rust") && !words.any(|w| w == "ignore") {
                problems.push(format!(
                    "{}:{}: ```{}: a fragment; mark it rust,ignore",
                    page.name, fence.line, fence.info
                ));
            }
        }
    }
    problems
}

/// Check 5: every relative link outside code names a file, and its fragment an id of the
/// built page, if `book/book/` has it.
fn link_problems(book: &Path) -> Vec<String> {
    let src = book.join("src");
    let mut built: HashMap<PathBuf, Option<BTreeSet<String>>> = HashMap::new();
    let mut problems = Vec::new();
    for page in pages(book) {
        let dir = page.path.parent().expect("a page is in a directory");
        for (line, target) in links(&page.text) {
            if is_external(&target) {
                continue;
            }
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, fragment),
                None => (target.as_str(), ""),
            };
            let file = if path.is_empty() {
                page.path.clone()
            } else {
                normalize(&dir.join(path))
            };
            if !file.exists() {
                problems.push(format!(
                    "{}:{line}: link to {target}: no such file",
                    page.name
                ));
                continue;
            }
            if fragment.is_empty() || file.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(chapter) = file.strip_prefix(&src) else {
                continue;
            };
            let html = built_page(book, chapter);
            let ids = built.entry(html.clone()).or_insert_with(|| html_ids(&html));
            if ids.as_ref().is_some_and(|ids| !ids.contains(fragment)) {
                problems.push(format!(
                    "{}:{line}: link to {target}: no id {fragment:?} in {} \
                     (if the heading is new, run `mdbook build book` again)",
                    page.name,
                    display(book, &html)
                ));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------
// Pages and paths.

/// A page of the book's sources.
struct Page {
    path: PathBuf,
    /// `book/src/…`, for messages.
    name: String,
    text: String,
}

/// Every `.md` file under `book/src/`, in path order.
fn pages(book: &Path) -> Vec<Page> {
    let src = book.join("src");
    let mut paths = Vec::new();
    walk(&src, &mut paths);
    paths.sort();
    assert!(!paths.is_empty(), "no pages in {}", src.display());
    paths
        .into_iter()
        .map(|path| Page {
            name: display(book, &path),
            text: read(&path),
            path: normalize(&path),
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `path` relative to the directory that holds the book: `book/src/bind.md`.
fn display(book: &Path, path: &Path) -> String {
    let base = book.parent().unwrap_or(book);
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `path` with its `.` and `..` resolved, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The 1-based line of `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

// ---------------------------------------------------------------------------------------
// {{#include}}, as mdBook parses it.

/// One `{{#include …}}` of a page.
struct Include {
    line: usize,
    /// The whole `{{#include …}}`, as written.
    directive: String,
    /// The file, relative to the page.
    path: String,
    part: Part,
}

/// What an include takes from its file.
enum Part {
    Whole,
    /// `PATH:START:END` and its variants.
    Lines,
    Anchor(String),
}

/// The `{{#include}}`s of `text`, as mdBook finds them: `{{`, optional whitespace,
/// `#include`, whitespace, then anything but `}` up to `}}`; `\{{#include …}}` is
/// escaped. They count everywhere, inside code blocks too.
fn includes(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("{{") {
        let start = from + i;
        from = start + 2;
        if text[..start].ends_with('\\') {
            continue;
        }
        let Some(args) = text[from..].trim_start().strip_prefix("#include") else {
            continue;
        };
        if !args.starts_with(char::is_whitespace) {
            continue; // `{{#includes …}}` is another directive
        }
        let Some(close) = args.find('}') else {
            continue;
        };
        if !args[close..].starts_with("}}") {
            continue;
        }
        let end = text.len() - args.len() + close + 2;
        let Some(spec) = args[..close].split_whitespace().next() else {
            continue;
        };
        let (path, part) = match spec.split_once(':') {
            None | Some((_, "")) => (spec.split(':').next().unwrap_or(spec), Part::Whole),
            Some((path, rest)) => {
                let first = rest.split(':').next().unwrap_or(rest);
                if first.is_empty() || first.parse::<usize>().is_ok() {
                    (path, Part::Lines)
                } else {
                    (path, Part::Anchor(first.to_string()))
                }
            }
        };
        found.push(Include {
            line: line_of(text, start),
            directive: text[start..end].to_string(),
            path: path.to_string(),
            part,
        });
        from = end;
    }
    found
}

/// Whether `line` is one `{{#include}}` and nothing else.
fn is_include_line(line: &str) -> bool {
    let line = line.trim();
    matches!(includes(line).as_slice(), [include] if include.directive == line)
}

/// The lines between the one `ANCHOR: anchor` line and the one `ANCHOR_END: anchor` line,
/// without the anchor lines nested in them (mdBook drops those).
fn anchored<'a>(lines: &[&'a str], anchor: &str) -> Result<Vec<&'a str>, String> {
    let named = |marker: &str| -> Vec<usize> {
        (0..lines.len())
            .filter(|&i| anchor_name(lines[i], marker) == Some(anchor))
            .collect()
    };
    let (starts, ends) = (named("ANCHOR:"), named("ANCHOR_END:"));
    match (starts.as_slice(), ends.as_slice()) {
        (&[start], &[end]) if start < end => Ok(lines[start + 1..end]
            .iter()
            .copied()
            .filter(|l| !is_anchor_line(l))
            .collect()),
        (&[_], &[_]) => Err("its ANCHOR_END comes before its ANCHOR".to_string()),
        _ => Err(format!(
            "{} ANCHOR and {} ANCHOR_END, not one of each",
            starts.len(),
            ends.len()
        )),
    }
}

/// The name after the first `marker` (`ANCHOR:` or `ANCHOR_END:`) in `line` that has one:
/// mdBook's `ANCHOR:\s*([\w_-]+)`, anywhere in the line.
fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.match_indices(marker).find_map(|(i, _)| {
        let rest = line[i + marker.len()..].trim_start();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

fn is_anchor_line(line: &str) -> bool {
    anchor_name(line, "ANCHOR:").is_some() || anchor_name(line, "ANCHOR_END:").is_some()
}

// ---------------------------------------------------------------------------------------
// Fenced code blocks.

/// A fenced code block of a page.
struct Fence<'a> {
    /// The line of the opening fence.
    line: usize,
    /// The info string: `rust,ignore`, `c`, ….
    info: &'a str,
    /// The lines between the fences, with their line numbers.
    body: Vec<(usize, &'a str)>,
    /// Whether a closing fence ends it (or the end of the page does).
    closed: bool,
}

/// The fenced blocks of `text`: opened by three or more backticks or tildes, closed by
/// at least as many of the same and nothing else.
fn fences(text: &str) -> Vec<Fence<'_>> {
    let mut found = Vec::new();
    let mut open: Option<(char, usize, Fence)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        match open.as_mut() {
            None => {
                if let Some((c, len, info)) = fence_line(line) {
                    if c == '`' && info.contains('`') {
                        continue; // ```code``` inline, not a fence
                    }
                    let body = Vec::new();
                    let fence = Fence {
                        line: n,
                        info,
                        body,
                        closed: false,
                    };
                    open = Some((c, len, fence));
                }
            }
            Some((c, len, fence)) => match fence_line(line) {
                Some((d, l, "")) if d == *c && l >= *len => {
                    fence.closed = true;
                    found.extend(open.take().map(|(_, _, fence)| fence));
                }
                _ => fence.body.push((n, line)),
            },
        }
    }
    found.extend(open.map(|(_, _, fence)| fence));
    found
}

/// A fence line's character, length and info string.
fn fence_line(line: &str) -> Option<(char, usize, &str)> {
    let line = line.trim_start();
    let c = line.chars().next().filter(|&c| c == '`' || c == '~')?;
    let len = line.len() - line.trim_start_matches(c).len();
    (len >= 3).then(|| (c, len, line[len..].trim()))
}

// ---------------------------------------------------------------------------------------
// Links.

/// The link targets of `text` with their lines, in order: inline links and images
/// (`[text](target)`) and reference definitions (`[label]: target`), outside fenced
/// blocks, code spans and HTML comments.
fn links(text: &str) -> Vec<(usize, String)> {
    let prose = prose(text);
    let mut found = Vec::new();
    for (i, _) in prose.match_indices("](") {
        found.extend(link_target(&prose[i + 2..]).map(|t| (i, t)));
    }
    let mut offset = 0;
    for line in prose.split('\n') {
        let trimmed = line.trim_start();
        if line.len() - trimmed.len() <= 3 && trimmed.starts_with('[') && !trimmed.starts_with("[^")
        {
            if let Some(close) = trimmed.find("]:") {
                if !trimmed[1..close].contains(['[', ']']) {
                    found.extend(link_target(&trimmed[close + 2..]).map(|t| (offset, t)));
                }
            }
        }
        offset += line.len() + 1;
    }
    found.sort_by_key(|&(i, _)| i);
    found
        .into_iter()
        .map(|(i, t)| (line_of(&prose, i), t))
        .collect()
}

/// The target at the start of `s`, which follows `](` or `]:`: `<…>`, or up to
/// whitespace or the `)` that closes the link. None when empty (a draft chapter's `()`).
fn link_target(s: &str) -> Option<String> {
    let s = s.trim_start();
    let target = if let Some(rest) = s.strip_prefix('<') {
        &rest[..rest.find('>')?]
    } else {
        let mut depth = 0;
        let end = s
            .find(|c: char| match c {
                '(' => {
                    depth += 1;
                    false
                }
                ')' if depth == 0 => true,
                ')' => {
                    depth -= 1;
                    false
                }
                c => c.is_whitespace(),
            })
            .unwrap_or(s.len());
        &s[..end]
    };
    (!target.is_empty()).then(|| target.to_string())
}

/// Whether `target` has a scheme (`https:`, `mailto:`): not a file of the book.
fn is_external(target: &str) -> bool {
    target.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// `text` with fenced blocks emptied and code spans and HTML comments blanked, lines
/// (and so line numbers) kept: what is left is where links are links.
fn prose(text: &str) -> String {
    let mut code = BTreeSet::new();
    for fence in fences(text) {
        let last = fence.line + fence.body.len() + usize::from(fence.closed);
        code.extend(fence.line..=last);
    }
    let mut bytes: Vec<u8> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if code.contains(&(i + 1)) { "" } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    blank_code_spans(&mut bytes);
    blank_comments(&mut bytes);
    String::from_utf8(bytes).expect("only whole characters were blanked")
}

/// Replace each code span (a run of backticks up to the next run as long, within the
/// paragraph) by spaces, newlines kept.
fn blank_code_spans(s: &mut [u8]) {
    let run = |s: &[u8], at: usize| s[at..].iter().take_while(|&&b| b == b'`').count();
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'`' {
            i += 1;
            continue;
        }
        let len = run(s, i);
        let mut j = i + len;
        let mut close = None;
        while j < s.len() {
            match s[j] {
                b'`' => {
                    let l = run(s, j);
                    if l == len {
                        close = Some(j);
                        break;
                    }
                    j += l;
                }
                b'\n'
                    if s[j + 1..]
                        .iter()
                        .take_while(|&&b| b != b'\n')
                        .all(|b| b.is_ascii_whitespace()) =>
                {
                    break; // a blank line ends the paragraph, and the span with it
                }
                _ => j += 1,
            }
        }
        match close {
            Some(j) => {
                blank(&mut s[i..j + len]);
                i = j + len;
            }
            None => i += len,
        }
    }
}

fn blank_comments(s: &mut [u8]) {
    let mut i = 0;
    while let Some(start) = find(&s[i..], b"<!--").map(|k| i + k) {
        let end = find(&s[start + 4..], b"-->").map_or(s.len(), |k| start + 4 + k + 3);
        blank(&mut s[start..end]);
        i = end;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn blank(s: &mut [u8]) {
    for b in s.iter_mut().filter(|b| **b != b'\n') {
        *b = b' ';
    }
}

/// Where `mdbook build` writes the page of `chapter` (a path in `book/src/`).
fn built_page(book: &Path, chapter: &Path) -> PathBuf {
    let html = if chapter.file_stem().is_some_and(|s| s == "README") {
        chapter.with_file_name("index.html")
    } else {
        chapter.with_extension("html")
    };
    book.join("book").join(html)
}

/// The `id`s of the built page `html`, or None if it is not built.
fn html_ids(html: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(html).ok()?;
    Some(
        text.split("id=\"")
            .skip(1)
            .filter_map(|s| s.split_once('"').map(|(id, _)| id.to_string()))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// The checks, on a book broken on purpose.

const SUMMARY: &str = "\
# Summary

[Intro](intro.md)
- [Gone](gone.md)
- [Draft]()
";

const INTRO: &str = r#"# Intro

```rust,ignore
{{#include ../../code/lib.rs:good}}
```

```rust
{{#include ../../code/lib.rs:twice}}
```

```c
{{#include ../../code/lib.rs:blank}}
int pasted;
```

{{#include ../../code/lib.rs:unclosed}}
{{#include ../../code/missing.rs:good}}
{{#include ../../code/lib.rs:3:5}}
{{#include ../../code/lib.rs:backwards}} \{{#include escaped.rs}}

[fine](intro.md#known), [here](#known), [out](https://example.com/x), `[code](nowhere.md)`
[gone](nowhere.md), [unknown fragment](intro.md#unknown)
a span `across
lines [x](nowhere.md)` <!-- [y](nowhere.md) -->

~~~text
[in code](nowhere.md)
~~~
[ref]: elsewhere.md
```rust
"#;

const LIB: &str = "\
// ANCHOR: good
fn good() {}
// ANCHOR: inner
// ANCHOR_END: inner
// ANCHOR_END: good
// ANCHOR: twice
// ANCHOR_END: twice
let s = \"ANCHOR: twice\"; // ANCHOR_END: twice
// ANCHOR: blank

// ANCHOR: nested
// ANCHOR_END: nested
// ANCHOR_END: blank
// ANCHOR: unclosed
x
// ANCHOR_END: backwards
// ANCHOR: backwards
// ANCHOR: good-bye
";

/// Deletes the broken book when the test ends, passed or failed.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_checks_catch_a_broken_book() {
    let root =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("broken-book-{}", std::process::id()));
    let _scratch = Scratch(root.clone());
    for (path, text) in [
        ("book/src/SUMMARY.md", SUMMARY),
        ("book/src/intro.md", INTRO),
        ("book/src/orphans/orphan.md", "# Orphan\n"),
        ("book/book/intro.html", "<h1 id=\"known\">Intro</h1>"),
        ("code/lib.rs", LIB),
    ] {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
    let book = root.join("book");
    let at = |line: usize, rest: &str| format!("book/src/intro.md:{line}: {rest}");

    assert_eq!(
        summary_problems(&book),
        [
            "book/src/SUMMARY.md:4: gone.md: no such chapter",
            "book/src/orphans/orphan.md: not in SUMMARY.md",
        ]
    );
    assert_eq!(
        include_problems(&book),
        [
            at(
                8,
                "{{#include ../../code/lib.rs:twice}}: \
                 2 ANCHOR and 2 ANCHOR_END, not one of each"
            ),
            at(12, "{{#include ../../code/lib.rs:blank}}: includes nothing"),
            at(
                16,
                "{{#include ../../code/lib.rs:unclosed}}: \
                 1 ANCHOR and 0 ANCHOR_END, not one of each"
            ),
            at(17, "{{#include ../../code/missing.rs:good}}: no such file"),
            at(
                18,
                "{{#include ../../code/lib.rs:3:5}}: a line range; include by anchor"
            ),
            at(
                19,
                "{{#include ../../code/lib.rs:backwards}}: \
                 its ANCHOR_END comes before its ANCHOR"
            ),
        ]
    );
    assert_eq!(
        pasted_code_problems(&book),
        [
            at(
                13,
                "code pasted into the ```c block of line 11: \"int pasted;\"; \
                 {{#include}} it by anchor from the source"
            ),
            at(
                27,
                "code pasted into the ```text block of line 26: \
                 \"[in code](nowhere.md)\"; {{#include}} it by anchor from the source"
            ),
            at(30, "the ```rust block never closes"),
        ]
    );
    assert_eq!(
        rust_fragment_problems(&book),
        [
            at(7, "```rust: a fragment; mark it rust,ignore"),
            at(30, "```rust: a fragment; mark it rust,ignore"),
        ]
    );
    assert_eq!(
        link_problems(&book),
        [
            "book/src/SUMMARY.md:4: link to gone.md: no such file".to_string(),
            at(22, "link to nowhere.md: no such file"),
            at(
                22,
                "link to intro.md#unknown: no id \"unknown\" in book/book/intro.html \
                 (if the heading is new, run `mdbook build book` again)"
            ),
            at(29, "link to elsewhere.md: no such file"),
        ]
    );
}
