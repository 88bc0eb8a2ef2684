//! Line diffs in git's unified format. imara-diff finds the changes (Myers or histogram, with
//! git's indent heuristic for sliders); this module groups them into hunks and prints them
//! byte for byte as `git diff` does: `@@` ranges with git's omitted-count and `,0` rules,
//! `\ No newline at end of file` markers, and every line's own terminator (CRLF stays CRLF).

use crate::line_tokens::LineTokens;
use imara_diff::{Algorithm as ImaraAlgorithm, Diff, Hunk, IndentHeuristic, IndentLevel, Token};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Myers,
    Histogram,
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub algorithm: Algorithm,
    /// Unchanged lines shown around each change (git's `-U`).
    pub context: u32,
    /// Paths for the `---`/`+++` headers, without the `a/`/`b/` prefix; `/dev/null` is kept as is.
    pub a_path: String,
    pub b_path: String,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            algorithm: Algorithm::Myers,
            context: 3,
            a_path: "file".into(),
            b_path: "file".into(),
        }
    }
}

/// One hunk's ranges as printed in its `@@` line, and how many body lines follow that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HunkRange {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    pub body_lines: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDiff {
    /// The whole unified diff; empty when the inputs are equal.
    pub unified: String,
    pub hunks: Vec<HunkRange>,
    pub added: u32,
    pub removed: u32,
}

const NO_NEWLINE: &str = "\\ No newline at end of file\n";

/// Unchanged lines kept on each side of the common prefix and suffix that are set aside, so
/// the slider heuristic can still move a change through repeated lines there (its reach is 100).
const SLIDER_MARGIN: usize = 100;

pub fn diff_lines(a: &str, b: &str, options: &DiffOptions) -> LineDiff {
    // Equal leading and trailing lines are set aside before interning, the costly step when a
    // large file changes in one place; enough of them stay for context and sliders.
    let margin = SLIDER_MARGIN.max(options.context as usize);
    let (start, end_a, end_b) = middle(a.as_bytes(), b.as_bytes(), margin);
    let skipped_lines = memchr::memchr_iter(b'\n', &a.as_bytes()[..start]).count() as u32;
    let input = LineTokens::new(&a[start..end_a], &b[start..end_b]);
    let algorithm = match options.algorithm {
        Algorithm::Myers => ImaraAlgorithm::Myers,
        Algorithm::Histogram => ImaraAlgorithm::Histogram,
    };
    let mut diff = Diff::default();
    diff.compute_with(
        algorithm,
        &input.before,
        &input.after,
        input.lines.len() as u32,
    );
    diff.postprocess_with(
        &input.before,
        &input.after,
        IndentHeuristic::new(|token: Token| {
            IndentLevel::for_ascii_line(input.lines[token.0 as usize].bytes(), 8)
        }),
    );
    let changes: Vec<Hunk> = diff.hunks().collect();
    // Lines are looked up only when printed: most of a large file never is.
    let before = |i: u32| input.lines[input.before[i as usize].0 as usize];
    let after = |i: u32| input.lines[input.after[i as usize].0 as usize];

    let mut result = LineDiff {
        unified: String::new(),
        hunks: Vec::new(),
        added: diff.count_additions(),
        removed: diff.count_removals(),
    };
    if changes.is_empty() {
        return result;
    }
    let out = &mut result.unified;
    out.reserve(a.len().max(b.len()) / 4 + 256);
    writeln!(out, "--- {}", header_label("a/", &options.a_path)).ok();
    writeln!(out, "+++ {}", header_label("b/", &options.b_path)).ok();

    let context = options.context;
    let mut group_start = 0;
    while group_start < changes.len() {
        // git joins two changes into one hunk when at most 2×context unchanged lines part them.
        let mut group_end = group_start + 1;
        while group_end < changes.len()
            && changes[group_end].before.start - changes[group_end - 1].before.end <= 2 * context
        {
            group_end += 1;
        }
        let group = &changes[group_start..group_end];
        let first = &group[0];
        let last = &group[group.len() - 1];
        let leading = first.before.start.min(context);
        let trailing = (input.before.len() as u32 - last.before.end).min(context);
        let old_from = first.before.start - leading;
        let old_to = last.before.end + trailing;
        let new_from = first.after.start - leading;
        let new_to = last.after.end + trailing;
        let range = HunkRange {
            old_start: skipped_lines
                + if old_to > old_from {
                    old_from + 1
                } else {
                    old_from
                },
            old_lines: old_to - old_from,
            new_start: skipped_lines
                + if new_to > new_from {
                    new_from + 1
                } else {
                    new_from
                },
            new_lines: new_to - new_from,
            body_lines: 0,
        };
        write_range_header(out, &range);

        let mut body_lines = 0;
        let mut emit = |out: &mut String, prefix: char, line: &str| {
            out.push(prefix);
            out.push_str(line);
            body_lines += 1;
            if !line.ends_with('\n') {
                out.push('\n');
                out.push_str(NO_NEWLINE);
                body_lines += 1;
            }
        };
        let mut cursor = old_from;
        for change in group {
            for line in (cursor..change.before.start).map(before) {
                emit(out, ' ', line);
            }
            for line in change.before.clone().map(before) {
                emit(out, '-', line);
            }
            for line in change.after.clone().map(after) {
                emit(out, '+', line);
            }
            cursor = change.before.end;
        }
        for line in (cursor..old_to).map(before) {
            emit(out, ' ', line);
        }
        result.hunks.push(HunkRange {
            body_lines,
            ..range
        });
        group_start = group_end;
    }
    result
}

/// The byte range of each text that can differ, on line boundaries: `(start, end_a, end_b)`, where
/// `a[..start] == b[..start]` and `a[end_a..] == b[end_b..]`, widened by `margin` lines each way.
fn middle(a: &[u8], b: &[u8], margin: usize) -> (usize, usize, usize) {
    let shorter = a.len().min(b.len());
    let mut prefix = common_len(a[..shorter].chunks(64), b[..shorter].chunks(64), false);
    prefix = memchr::memrchr(b'\n', &a[..prefix]).map_or(0, |newline| newline + 1);
    for _ in 0..margin {
        if prefix == 0 {
            break;
        }
        prefix = memchr::memrchr(b'\n', &a[..prefix - 1]).map_or(0, |newline| newline + 1);
    }

    let limit = shorter - prefix;
    let mut suffix = common_len(
        a[a.len() - limit..].rchunks(64),
        b[b.len() - limit..].rchunks(64),
        true,
    );
    let line_start = |text: &[u8], at: usize| at == 0 || text[at - 1] == b'\n';
    if !(line_start(a, a.len() - suffix) && line_start(b, b.len() - suffix)) {
        // The first shared byte is inside a line: the suffix starts after that line.
        let tail = &a[a.len() - suffix..];
        suffix = memchr::memchr(b'\n', tail).map_or(0, |newline| suffix - newline - 1);
    }
    for _ in 0..margin {
        if suffix == 0 {
            break;
        }
        let tail = &a[a.len() - suffix..];
        suffix = memchr::memchr(b'\n', tail).map_or(0, |newline| suffix - newline - 1);
    }
    (prefix, a.len() - suffix, b.len() - suffix)
}

/// Length of the common run of bytes, compared chunk by chunk from the front (or the back).
fn common_len<'x>(
    a: impl Iterator<Item = &'x [u8]>,
    b: impl Iterator<Item = &'x [u8]>,
    from_back: bool,
) -> usize {
    let mut total = 0;
    for (x, y) in a.zip(b) {
        if x == y {
            total += x.len();
            continue;
        }
        let same = if from_back {
            x.iter()
                .rev()
                .zip(y.iter().rev())
                .take_while(|(p, q)| p == q)
                .count()
        } else {
            x.iter().zip(y).take_while(|(p, q)| p == q).count()
        };
        return total + same;
    }
    total
}

/// `@@ -l,s +l,s @@` as git's xdl_emit_hunk_hdr prints it: a count of 1 is omitted, and an
/// empty side names the line before it (so an insertion at the top reads `-0,0`).
fn write_range_header(out: &mut String, range: &HunkRange) {
    out.push_str("@@ -");
    write_side(out, range.old_start, range.old_lines);
    out.push_str(" +");
    write_side(out, range.new_start, range.new_lines);
    out.push_str(" @@\n");
}

fn write_side(out: &mut String, start: u32, lines: u32) {
    write!(out, "{start}").ok();
    if lines != 1 {
        write!(out, ",{lines}").ok();
    }
}

/// `a/path` as git prints it in `---`/`+++` lines: C-quoted when the path holds control
/// characters, quotes, backslashes or non-ASCII bytes, and followed by a tab when it holds a
/// space (so `patch` and `git apply` find where the name ends).
fn header_label(prefix: &str, path: &str) -> String {
    if path == "/dev/null" {
        return path.to_string();
    }
    let name = format!("{prefix}{path}");
    let mut label = quote_c_style(&name);
    if path.contains(' ') {
        label.push('\t');
    }
    label
}

/// git's quote_c_style with core.quotePath on.
pub fn quote_c_style(name: &str) -> String {
    let needs_quotes = name
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    if !needs_quotes {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for byte in name.bytes() {
        match byte {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if !(0x20..0x7f).contains(&b) => {
                write!(out, "\\{b:03o}").ok();
            }
            b => out.push(b as char),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unified(a: &str, b: &str) -> String {
        diff_lines(a, b, &DiffOptions::default()).unified
    }

    fn with_context(a: &str, b: &str, context: u32) -> String {
        diff_lines(
            a,
            b,
            &DiffOptions {
                context,
                ..DiffOptions::default()
            },
        )
        .unified
    }

    #[test]
    fn equal_inputs_give_empty_diff() {
        let diff = diff_lines("a\nb\n", "a\nb\n", &DiffOptions::default());
        assert_eq!(diff.unified, "");
        assert!(diff.hunks.is_empty());
    }

    #[test]
    fn prints_git_headers_and_ranges() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n";
        let b = "1\n2\n3\n4\nfive\n6\n7\n8\n";
        assert_eq!(
            unified(a, b),
            "--- a/file\n+++ b/file\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn omits_count_of_one_and_uses_zero_for_empty_sides() {
        assert_eq!(
            unified("a\n", "b\n"),
            "--- a/file\n+++ b/file\n@@ -1 +1 @@\n-a\n+b\n"
        );
        assert_eq!(
            unified("", "x\ny\n"),
            "--- a/file\n+++ b/file\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
        assert_eq!(
            unified("x\ny\n", ""),
            "--- a/file\n+++ b/file\n@@ -1,2 +0,0 @@\n-x\n-y\n"
        );
        // Insertion after line 2 with no context names line 2 on the empty side.
        assert_eq!(
            with_context("a\nb\nc\n", "a\nb\nnew\nc\n", 0),
            "--- a/file\n+++ b/file\n@@ -2,0 +3 @@\n+new\n"
        );
    }

    #[test]
    fn marks_missing_final_newline() {
        assert_eq!(
            unified("a\nb", "a\nc"),
            "--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
        assert_eq!(
            unified("a\nb", "a\nb\n"),
            "--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
    }

    #[test]
    fn keeps_crlf() {
        assert_eq!(
            unified("a\r\nb\r\n", "a\r\nc\r\n"),
            "--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"
        );
    }

    #[test]
    fn merges_changes_within_twice_the_context() {
        let a: String = (1..=20).map(|i| format!("l{i}\n")).collect();
        let close = a.replace("l3\n", "x\n").replace("l10\n", "y\n");
        assert_eq!(
            diff_lines(&a, &close, &DiffOptions::default()).hunks.len(),
            1
        );
        let apart = a.replace("l3\n", "x\n").replace("l11\n", "y\n");
        let diff = diff_lines(&a, &apart, &DiffOptions::default());
        assert_eq!(diff.hunks.len(), 2);
        assert_eq!(
            diff.hunks[1],
            HunkRange {
                old_start: 8,
                old_lines: 7,
                new_start: 8,
                new_lines: 7,
                body_lines: 8
            }
        );
    }

    #[test]
    fn quotes_paths_as_git_does() {
        let options = DiffOptions {
            a_path: "dir/with space.txt".into(),
            b_path: "tab\there".into(),
            ..DiffOptions::default()
        };
        let text = diff_lines("a\n", "b\n", &options).unified;
        assert!(
            text.starts_with("--- a/dir/with space.txt\t\n+++ \"b/tab\\there\"\n"),
            "{text}"
        );
        assert_eq!(quote_c_style("a/é"), "\"a/\\303\\251\"");
        let created = DiffOptions {
            a_path: "/dev/null".into(),
            ..DiffOptions::default()
        };
        assert!(diff_lines("", "x\n", &created)
            .unified
            .starts_with("--- /dev/null\n+++ b/file\n"));
    }

    #[test]
    fn long_equal_ends_keep_line_numbers_and_sliders() {
        let a: String = (1..=400).map(|i| format!("l{i}\n")).collect();
        let b = a.replace("l250\n", "changed\n");
        let diff = diff_lines(&a, &b, &DiffOptions::default());
        assert_eq!(
            diff.hunks[0],
            HunkRange {
                old_start: 247,
                old_lines: 7,
                new_start: 247,
                new_lines: 7,
                body_lines: 8
            }
        );
        let wide = diff_lines(
            &a,
            &b,
            &DiffOptions {
                context: 180,
                ..DiffOptions::default()
            },
        );
        assert_eq!(
            wide.hunks[0],
            HunkRange {
                old_start: 70,
                old_lines: 331,
                new_start: 70,
                new_lines: 331,
                body_lines: 332
            }
        );
        // A function appended after an identical one: the indent heuristic keeps the insertion
        // after the existing function, not across its closing brace.
        let body = "fn f() {\n    x();\n}\n";
        let a = format!("{}{body}", "pad\n".repeat(200));
        let b = format!("{a}\n{body}");
        let text = diff_lines(&a, &b, &DiffOptions::default()).unified;
        assert!(
            text.ends_with(
                "@@ -201,3 +201,7 @@\n fn f() {\n     x();\n }\n+\n+fn f() {\n+    x();\n+}\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn middle_is_on_line_boundaries() {
        assert_eq!(middle(b"x\nlast", b"y\nlast", 0), (0, 2, 2));
        assert_eq!(middle(b"a\nb\nc\n", b"a\nb\nc\n", 0), (6, 6, 6));
        assert_eq!(middle(b"a\nb", b"a\nb\n", 0), (2, 3, 4));
        assert_eq!(middle(b"a\nXb\nc\n", b"a\nYb\nc\n", 0), (2, 5, 5));
        assert_eq!(middle(b"a\nb\nX\nc\nd\n", b"a\nb\nY\nc\nd\n", 1), (2, 8, 8));
    }

    #[test]
    fn both_algorithms_count_changes() {
        for algorithm in [Algorithm::Myers, Algorithm::Histogram] {
            let diff = diff_lines(
                "a\nb\nc\n",
                "a\nB\nc\nd\n",
                &DiffOptions {
                    algorithm,
                    ..DiffOptions::default()
                },
            );
            assert_eq!((diff.added, diff.removed), (2, 1));
        }
    }
}
