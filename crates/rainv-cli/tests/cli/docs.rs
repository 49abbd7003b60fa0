//! `docs/cli.md`, executed: every example in it runs against the real binary, so the manual
//! cannot drift from what `rainv` does.
//!
//! # The conventions (also written at the top of `docs/cli.md`)
//!
//! - Every ```` ```console ```` block is run. A line starting with `$ ` is a command; the lines
//!   after it, up to the next command, are what it prints: standard output and standard error
//!   **merged**, in the order they were written (the block runs with `exec 2>&1`).
//! - Each block runs as one `bash` script (`set -o pipefail`), in a fresh temporary directory
//!   that stands in for the repository root: `testdata` there links to the repository's
//!   `testdata/`, and `../shared` to the Windows-made files of `../shared` when they exist.
//!   Files the examples write (`-o alice.msrcincident`) land in that temporary directory, never
//!   in the repository. Blocks do not share files; a block that needs a file made by a command
//!   makes it itself. The environment is cleared except for `PATH` (with the freshly built
//!   `rainv` first), `HOME` and `TMPDIR` (inside the temporary directory), `TZ=UTC` and
//!   `LC_ALL=C`; standard input is `/dev/null`.
//! - Exit status: a command that exits with a status other than 0 must be followed by
//!   `$ echo $?`, whose output then shows the status. A non-zero status that the block does not
//!   show is a failure.
//! - Placeholders, for what varies by nature (random PassStubs, passwords and session IDs):
//!   `[..]` in an output line matches any text within that line, and a line that is exactly
//!   `...` matches any number of lines, including none. Nothing else is special.
//! - Blocks with a command that names `../shared` need the Windows-made files: they run in
//!   `docs_cli_examples_with_shared`, which is ignored (with the reason) where `../shared` or
//!   `jq` is missing. Blocks that pipe into `jq` run in `docs_cli_examples_with_jq`, ignored
//!   where `jq` is missing (build.rs sets the cfgs). All the others run in `docs_cli_examples`.
//! - Any other fenced block (```` ```text ````, ```` ```toml ````…) is illustrative and not run.
//!   It must say so on the line just before its fence, with `<!-- not run: REASON -->`; an
//!   unmarked one fails `docs_cli_blocks_are_all_run_or_marked`.
//! - Besides `rainv`, the examples use `bash`, `jq`, `iconv`, `cmp`, `diff`, `grep` and `cat`
//!   from `PATH`; a missing one (other than `jq`) shows in the diff as `command not found`.

use super::common;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const DOC: &str = "docs/cli.md";

/// One `$ command` line and the output the docs show for it.
#[derive(Debug)]
struct Step {
    /// 1-based line of the command in docs/cli.md.
    line: usize,
    command: String,
    expected: Vec<String>,
}

#[derive(Debug)]
struct Block {
    /// 1-based number among the console blocks.
    number: usize,
    /// 1-based line of the opening fence.
    line: usize,
    steps: Vec<Step>,
}

impl Block {
    fn needs_shared(&self) -> bool {
        self.steps.iter().any(|s| s.command.contains("../shared"))
    }

    fn needs_jq(&self) -> bool {
        self.steps.iter().any(|s| s.command.contains("| jq "))
    }

    /// Which test runs this block: the one for what it needs.
    fn needs(&self) -> Needs {
        match (self.needs_shared(), self.needs_jq()) {
            (true, _) => Needs::Shared,
            (false, true) => Needs::Jq,
            (false, false) => Needs::Nothing,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Nothing,
    Jq,
    Shared,
}

fn root() -> PathBuf {
    common::root()
}

fn doc_text() -> String {
    std::fs::read_to_string(root().join(DOC)).expect("docs/cli.md")
}

/// The console blocks, and the fenced blocks of other kinds that are not marked as not run
/// (as `(line, info string)`).
fn parse(text: &str) -> (Vec<Block>, Vec<(usize, String)>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut unmarked = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].strip_prefix("```") else {
            i += 1;
            continue;
        };
        let fence_line = i + 1;
        let info = info.trim().to_string();
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].trim_end() == "```")
            .unwrap_or_else(|| panic!("{DOC}:{fence_line}: the block is not closed"));
        let body = &lines[i + 1..end];
        if info == "console" {
            let mut steps: Vec<Step> = Vec::new();
            for (k, line) in body.iter().enumerate() {
                if let Some(command) = line.strip_prefix("$ ") {
                    steps.push(Step {
                        line: fence_line + 1 + k,
                        command: command.to_string(),
                        expected: Vec::new(),
                    });
                } else {
                    let step = steps.last_mut().unwrap_or_else(|| {
                        panic!(
                            "{DOC}:{}: output before the first `$ ` command",
                            fence_line + 1 + k
                        )
                    });
                    step.expected.push(line.to_string());
                }
            }
            assert!(
                !steps.is_empty(),
                "{DOC}:{fence_line}: a console block without commands"
            );
            blocks.push(Block {
                number: blocks.len() + 1,
                line: fence_line,
                steps,
            });
        } else {
            let marked = i > 0 && lines[i - 1].trim_start().starts_with("<!-- not run:");
            if !marked {
                unmarked.push((fence_line, info));
            }
        }
        i = end + 1;
    }
    (blocks, unmarked)
}

/// Does an actual line match an expected one, where `[..]` matches any text?
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if actual.len() < first.len() + last.len()
        || !actual.starts_with(first)
        || !actual.ends_with(last)
    {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Do the actual lines match the expected ones, where a line `...` matches any lines?
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

/// A line diff (the fewest added and removed lines, with the placeholders): `-` only in the
/// docs, `+` only in the actual output, `.` actual lines that a `...` line stands for.
fn diff(expected: &[String], actual: &[&str]) -> String {
    let (n, m) = (expected.len(), actual.len());
    let elided = |i: usize| expected[i] == "...";
    // cost[i][j]: the fewest `-` and `+` lines to align expected[i..] with actual[j..].
    let mut cost = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            cost[i][j] = if i == n {
                m - j
            } else if elided(i) {
                let skip = if j < m { cost[i][j + 1] } else { usize::MAX };
                cost[i + 1][j].min(skip)
            } else {
                let mut best = 1 + cost[i + 1][j];
                if j < m {
                    best = best.min(1 + cost[i][j + 1]);
                    if line_matches(&expected[i], actual[j]) {
                        best = best.min(cost[i + 1][j + 1]);
                    }
                }
                best
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i == n {
            let _ = writeln!(out, "  + {}", actual[j]);
            j += 1;
        } else if elided(i) {
            // Leave the `...` as soon as that costs nothing more, so that a line which
            // differs shows as `-`/`+` where the alignment allows it.
            if j < m && cost[i][j] != cost[i + 1][j] {
                let _ = writeln!(out, "  . {}", actual[j]);
                j += 1;
            } else {
                i += 1;
            }
        } else if j < m && line_matches(&expected[i], actual[j]) && cost[i][j] == cost[i + 1][j + 1]
        {
            let _ = writeln!(out, "    {}", actual[j]);
            i += 1;
            j += 1;
        } else if cost[i][j] == 1 + cost[i + 1][j] {
            let _ = writeln!(out, "  - {}", expected[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "  + {}", actual[j]);
            j += 1;
        }
    }
    out
}

/// The separator printed after each command: NUL, its exit status, NUL.
const STATUS: &str =
    r#"__rainv_status=$?; printf '\000%d\000' "$__rainv_status"; (exit "$__rainv_status")"#;

/// Run one block; `Err` describes every difference from the docs.
fn run_block(block: &Block) -> Result<(), String> {
    let temp = tempfile::tempdir().expect("a temporary directory");
    let work = temp.path().join("work");
    let home = temp.path().join("home");
    let tmp = temp.path().join("tmp");
    for dir in [&work, &home, &tmp] {
        std::fs::create_dir(dir).unwrap();
    }
    std::os::unix::fs::symlink(root().join("testdata"), work.join("testdata")).unwrap();
    if block.needs_shared() {
        std::os::unix::fs::symlink(common::shared_dir(), temp.path().join("shared")).unwrap();
    }

    let mut script = String::from("exec 2>&1\nset -o pipefail\n");
    for step in &block.steps {
        let _ = writeln!(script, "{}\n{STATUS}", step.command);
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_rainv"));
    let mut path = std::ffi::OsString::from(bin.parent().unwrap());
    if let Some(system) = std::env::var_os("PATH") {
        path.push(":");
        path.push(system);
    }
    let output = Command::new("bash")
        .arg("--noprofile")
        .arg("--norc")
        .arg("-c")
        .arg(&script)
        .current_dir(&work)
        .env_clear()
        .env("PATH", path)
        .env("HOME", &home)
        .env("TMPDIR", &tmp)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .expect("running bash");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut pieces = text.split('\0');

    let mut problems = String::new();
    for (k, step) in block.steps.iter().enumerate() {
        let out = pieces.next().unwrap_or("");
        let status = pieces.next().and_then(|s| s.parse::<i32>().ok());
        let actual: Vec<&str> = out.lines().collect();
        let at = format!(
            "{DOC}:{} (block {} at line {})\n  $ {}",
            step.line, block.number, block.line, step.command
        );
        let Some(status) = status else {
            let _ = writeln!(
                problems,
                "{at}\n  the script stopped before this command finished; output:\n{out}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            break;
        };
        if !lines_match(&step.expected, &actual) {
            let _ = writeln!(
                problems,
                "{at}\n  output differs (- docs, + actual):\n{}",
                diff(&step.expected, &actual)
            );
        }
        let shown = block
            .steps
            .get(k + 1)
            .is_some_and(|next| next.command.trim() == "echo $?");
        if status != 0 && !shown {
            let _ = writeln!(
                problems,
                "{at}\n  exited with status {status}, but the docs do not follow it with `$ echo $?`\n"
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn run_blocks(needs: Needs) -> usize {
    let (blocks, _) = parse(&doc_text());
    let mut failures = String::new();
    let mut ran = 0;
    for block in blocks.iter().filter(|b| b.needs() == needs) {
        ran += 1;
        if let Err(problems) = run_block(block) {
            failures.push_str(&problems);
        }
    }
    assert!(
        failures.is_empty(),
        "docs/cli.md does not match the binary:\n\n{failures}"
    );
    ran
}

#[test]
fn docs_cli_examples() {
    let ran = run_blocks(Needs::Nothing);
    assert!(ran >= 10, "only {ran} console blocks without ../shared");
}

#[cfg_attr(not(rainv_jq), ignore = "needs jq on PATH; CI has it")]
#[test]
fn docs_cli_examples_with_jq() {
    let ran = run_blocks(Needs::Jq);
    assert!(ran >= 1, "no console block pipes into jq");
}

#[cfg_attr(
    not(all(rainv_shared, rainv_jq)),
    ignore = "needs ../shared (Windows-made files) and jq; CI has both"
)]
#[test]
fn docs_cli_examples_with_shared() {
    let ran = run_blocks(Needs::Shared);
    assert!(ran >= 5, "only {ran} console blocks with ../shared");
}

#[test]
fn docs_cli_blocks_are_all_run_or_marked() {
    let (blocks, unmarked) = parse(&doc_text());
    assert!(blocks.len() >= 20, "only {} console blocks", blocks.len());
    assert!(
        unmarked.is_empty(),
        "fenced blocks in {DOC} that are neither ```console nor marked `<!-- not run: REASON -->` \
         on the line before: {unmarked:?}"
    );
}

#[test]
fn placeholders() {
    assert!(line_matches("abc", "abc"));
    assert!(!line_matches("abc", "abcd"));
    assert!(line_matches("password: [..]", "password: IH3U7C1830EN"));
    assert!(line_matches("a[..]b[..]c", "a1b2c"));
    assert!(line_matches("a[..]b[..]c", "abc"));
    assert!(!line_matches("a[..]b[..]c", "acb"));
    assert!(!line_matches("ab[..]ba", "aba"));
    assert!(line_matches("[..]", ""));
    let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&lines(&["...", "x"]), &["a", "b", "x"]));
    assert!(lines_match(&lines(&["a", "...", "x", "..."]), &["a", "x"]));
    assert!(!lines_match(&lines(&["a", "...", "x"]), &["a", "x", "y"]));
    assert!(!lines_match(&lines(&["a"]), &[]));
    assert!(lines_match(&[], &[]));
    assert_eq!(
        diff(&lines(&["...", "x: [..]", "y"]), &["a", "b", "x: 1", "z"]),
        "  . a\n  . b\n    x: 1\n  - y\n  + z\n"
    );
    let (blocks, _) = parse(
        "```console\n$ a\nx\n$ echo $?\n1\n```\n<!-- not run: demo -->\n```toml\nk = 1\n```\n```text\nt\n```\n",
    );
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].steps.len(), 2);
    assert_eq!(blocks[0].steps[1].line, 4);
    assert_eq!(blocks[0].steps[0].expected, ["x"]);
    let (_, unmarked) = parse("```text\nt\n```\n");
    assert_eq!(unmarked, [(1, "text".to_string())]);
}
