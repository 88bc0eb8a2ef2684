//! Line diffs in git's unified format. imara-diff finds the changes (Myers or histogram, with
//! git's indent heuristic for sliders); this module groups them into hunks and prints them
//! byte for byte as `git diff` does: `@@` ranges with git's omitted-count and `,0` rules,
//! `\ No newline at end of file` markers, and every line's own terminator (CRLF stays CRLF).

use crate::align::align;
use crate::line_tokens::{LineTokens, Margins};
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

pub fn diff_lines(a: &str, b: &str, options: &DiffOptions) -> LineDiff {
    // Runs of shared lines are first cut down to `context + 1` lines at each end; where a change
    // turns out to see a cut, that run keeps more and the diff is taken again.
    diff_lines_cut_to(a, b, options, options.context.saturating_add(1))
}

/// `diff_lines`, with runs of shared lines first cut down to `margin` lines at each end.
fn diff_lines_cut_to(a: &str, b: &str, options: &DiffOptions, margin: u32) -> LineDiff {
    let context = options.context;
    let alignment = align(a, b);
    let mut margins = vec![
        Margins {
            head: margin,
            tail: margin
        };
        alignment.runs.len()
    ];
    let (input, changes) = loop {
        let input = LineTokens::new(a, b, &alignment, &margins);
        let changes = diff_tokens(&input, options.algorithm);
        if !input.widen_seen_cuts(&changes, context, &mut margins) {
            break (input, changes);
        }
    };
    // Lines are looked up only when printed: most of a large file never is.
    let before = |i: u32| input.lines[input.before[i as usize].0 as usize];
    let after = |i: u32| input.lines[input.after[i as usize].0 as usize];
    // The line number in its text of a position in `input` (the line count past the last one).
    let number =
        |numbers: &[u32], total: u32, i: u32| numbers.get(i as usize).copied().unwrap_or(total);
    let old_number = |i: u32| number(&input.before_numbers, alignment.before_lines, i);
    let new_number = |i: u32| number(&input.after_numbers, alignment.after_lines, i);

    let mut result = LineDiff {
        unified: String::new(),
        hunks: Vec::new(),
        added: changes.iter().map(|change| change.after.len() as u32).sum(),
        removed: changes
            .iter()
            .map(|change| change.before.len() as u32)
            .sum(),
    };
    if changes.is_empty() {
        return result;
    }
    let out = &mut result.unified;
    out.reserve(a.len().max(b.len()) / 4 + 256);
    writeln!(out, "--- {}", header_label("a/", &options.a_path)).ok();
    writeln!(out, "+++ {}", header_label("b/", &options.b_path)).ok();

    let mut group_start = 0;
    while group_start < changes.len() {
        // git joins two changes into one hunk when at most 2×context unchanged lines part them.
        let mut group_end = group_start + 1;
        while group_end < changes.len()
            && old_number(changes[group_end].before.start)
                - old_number(changes[group_end - 1].before.end)
                <= context.saturating_mul(2)
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
            old_start: old_number(old_from) + u32::from(old_to > old_from),
            old_lines: old_to - old_from,
            new_start: new_number(new_from) + u32::from(new_to > new_from),
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

/// imara-diff's changes between the token sequences, postprocessed as git does: sliders moved
/// down and placed by the indent heuristic. Myers is given both sequences whole, as git gives it
/// a file: where its searches meet decides between equally short diffs, and that depends on
/// everything it is given. Histogram diffs each stretch between two cuts on its own, as its time
/// grows faster than linearly with the changes it is given at once; the stretches do not depend
/// on each other, as what a cut leaves out is unchanged.
fn diff_tokens(input: &LineTokens, algorithm: Algorithm) -> Vec<Hunk> {
    let (algorithm, stretches): (_, Vec<_>) = match algorithm {
        Algorithm::Myers => (
            ImaraAlgorithm::Myers,
            vec![(0..input.before.len(), 0..input.after.len())],
        ),
        Algorithm::Histogram => (ImaraAlgorithm::Histogram, input.stretches().collect()),
    };
    let mut diff = Diff::default();
    let mut local = LocalTokens::new(input.lines.len());
    let mut changes = Vec::new();
    for (before, after) in stretches {
        local.renumber(&input.before[before.clone()], &input.after[after.clone()]);
        diff.compute_with(
            algorithm,
            &local.before,
            &local.after,
            local.globals.len() as u32,
        );
        diff.postprocess_with(
            &local.before,
            &local.after,
            IndentHeuristic::new(|token: Token| {
                let line = input.lines[local.globals[token.0 as usize].0 as usize];
                IndentLevel::for_ascii_line(line.bytes(), 8)
            }),
        );
        let (old_start, new_start) = (before.start as u32, after.start as u32);
        changes.extend(diff.hunks().map(|hunk| Hunk {
            before: hunk.before.start + old_start..hunk.before.end + old_start,
            after: hunk.after.start + new_start..hunk.after.end + new_start,
        }));
    }
    changes
}

/// One stretch's tokens numbered from 0: imara-diff sizes tables by the number of tokens it is
/// told of, and the histogram algorithm fills them for every call, so with the whole input's
/// numbering a thousand stretches would each pay for every distinct line.
struct LocalTokens {
    /// For each token of the whole input, its number in the stretch (`UNSEEN` if not in it).
    local_of: Vec<u32>,
    /// For each number in the stretch, the token of the whole input.
    globals: Vec<Token>,
    before: Vec<Token>,
    after: Vec<Token>,
}

const UNSEEN: u32 = u32::MAX;

impl LocalTokens {
    fn new(tokens: usize) -> Self {
        LocalTokens {
            local_of: vec![UNSEEN; tokens],
            globals: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    fn renumber(&mut self, before: &[Token], after: &[Token]) {
        for token in self.globals.drain(..) {
            self.local_of[token.0 as usize] = UNSEEN;
        }
        let LocalTokens {
            local_of, globals, ..
        } = self;
        let mut local = |token: &Token| {
            let number = &mut local_of[token.0 as usize];
            if *number == UNSEEN {
                *number = globals.len() as u32;
                globals.push(*token);
            }
            Token(*number)
        };
        self.before.clear();
        self.before.extend(before.iter().map(&mut local));
        self.after.clear();
        self.after.extend(after.iter().map(&mut local));
    }
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

    /// Cutting runs of shared lines (as `diff_lines` does) gives the diff of the whole texts.
    fn assert_cuts_change_nothing(a: &str, b: &str) {
        for algorithm in [Algorithm::Myers, Algorithm::Histogram] {
            for context in [0, 1, 3, 10] {
                let options = DiffOptions {
                    algorithm,
                    context,
                    ..DiffOptions::default()
                };
                assert_eq!(
                    diff_lines(a, b, &options),
                    diff_lines_cut_to(a, b, &options, u32::MAX),
                    "{algorithm:?} -U{context}"
                );
            }
        }
    }

    /// `count` lines of code-like text, repeated lines included, from a fixed seed.
    fn source(count: usize, seed: u64) -> Vec<String> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let common = [
            "}",
            "",
            "  return result",
            "  if (!ok) {",
            "  }",
            "export function step() {",
        ];
        (0..count)
            .map(|i| match next() % 10 {
                0..=2 => format!("{}\n", common[next() % common.len()]),
                _ => format!("  const v{i} = compute({})\n", next() % 1000),
            })
            .collect()
    }

    #[test]
    fn cutting_shared_runs_leaves_scattered_edits_as_they_were() {
        let before = source(3000, 7);
        let mut after = before.clone();
        for (k, at) in (40..2960).step_by(97).enumerate().rev() {
            match k % 4 {
                0 => after[at] = format!("edited {k}\n"),
                1 => after.insert(at, format!("inserted {k}\n")),
                2 => drop(after.remove(at)),
                _ => after.insert(at, "}\n".to_string()),
            }
        }
        assert_cuts_change_nothing(&before.concat(), &after.concat());
    }

    #[test]
    fn cutting_shared_runs_leaves_sliders_where_the_heuristic_puts_them() {
        let function = |name: &str| format!("fn {name}() {{\n    x();\n}}\n\n");
        let mut before = String::new();
        for i in 0..60 {
            before += &function(&format!("f{i}"));
        }
        // A copy of a function right after it, and blank lines added next to blank lines.
        let after = before
            .replacen(&function("f20"), &(function("f20") + &function("f20")), 1)
            .replacen(&function("f40"), &(function("f40") + "\n\n"), 1);
        assert_cuts_change_nothing(&before, &after);
    }

    #[test]
    fn cutting_shared_runs_leaves_copied_and_moved_blocks_as_they_were() {
        let before = source(1200, 11);
        // A block copied to a few lines before itself, and one moved 300 lines down.
        let mut after = before.clone();
        let copied: Vec<String> = after[405..430].to_vec();
        after.splice(400..400, copied);
        let moved: Vec<String> = after.drain(800..840).collect();
        after.splice(1100..1100, moved);
        assert_cuts_change_nothing(&before.concat(), &after.concat());
    }

    #[test]
    fn cutting_shared_runs_leaves_long_insertions_and_deletions_as_they_were() {
        let before = source(1000, 3);
        let mut after = before.clone();
        after.drain(600..660);
        after.splice(200..200, (0..45).map(|i| format!("new {i}\n")));
        assert_cuts_change_nothing(&before.concat(), &after.concat());
    }

    #[test]
    fn cutting_shared_runs_leaves_the_ends_of_files_as_they_were() {
        let lines: String = (0..500).map(|i| format!("line {i}\r\n")).collect();
        assert_cuts_change_nothing(&lines, &lines.replacen("line 0\r\n", "first\r\n", 1));
        assert_cuts_change_nothing(&lines, &lines.replace("line 499\r\n", "last\n"));
        let unterminated = lines.trim_end().to_string();
        assert_cuts_change_nothing(&unterminated, &lines);
        assert_cuts_change_nothing(&lines, &format!("{unterminated}\nmore"));
        assert_cuts_change_nothing(&lines, &lines.replace("line 250\r\n", "line 250\n"));
    }

    #[test]
    fn cutting_shared_runs_leaves_repetitive_text_as_it_was() {
        let before: String = (0..800)
            .map(|i| ["}\n", "\n", "  }\n", "x\n"][(i * 7 + i / 3) % 4])
            .collect();
        let after = before
            .replacen("x\n}\n", "x\n", 3)
            .replacen("\n  }\n", "\n  }\n  }\n", 2);
        assert_cuts_change_nothing(&before, &after);
    }

    #[test]
    fn cutting_leaves_a_duplicated_line_where_the_indent_heuristic_puts_it() {
        // The new line can slide to the top of what is kept of the first run; the heuristic
        // must not take that for the top of the file.
        let a = "// header\n    line(1),\n    column(2),\n";
        let b = "// header\n    line(1),\n    line(1),\n    column(2),\n";
        assert_cuts_change_nothing(a, b);
        assert!(diff_lines(
            a,
            b,
            &DiffOptions {
                context: 0,
                ..DiffOptions::default()
            }
        )
        .unified
        .ends_with("@@ -1,0 +2 @@\n+    line(1),\n"));
        // Blank lines before a slider are scored by the heuristic, cut or not.
        let a = "\n\n\n\t\tdone();\n";
        let b = "\n\n\n\t\tdone();\n\t\tdone();\n";
        assert_cuts_change_nothing(a, b);
    }

    #[test]
    fn cutting_leaves_a_block_moved_past_a_few_lines_as_it_was() {
        // Walking both texts pairs the three lines the block moved past; the diff of the whole
        // texts pairs the four lines of the block instead, which the cut must not hide.
        let a =
            "     */\n    get() {\n        return cap;\n    }\n        });\n    }\n    // end\n";
        let b = "     * new 1\n     * new 2\n     * new 3\n     * new 4\n     *\n        });\n    }\n    // end\n     * more\n     */\n    get() {\n        return cap;\n    }\n";
        assert_cuts_change_nothing(a, b);
    }

    #[test]
    fn cutting_where_the_diff_does_not_pair_lines_across_the_cut_leaves_the_diff_whole() {
        let a = "}\n  x\nb\n\nb\n\n\n\n\n";
        let b = "  x\n\n}\n  x\nb\n\n\nb\n\n\n\n";
        assert_cuts_change_nothing(a, b);
    }

    #[test]
    fn each_stretch_numbers_its_tokens_from_zero() {
        let mut local = LocalTokens::new(10);
        local.renumber(&[Token(7), Token(3), Token(7)], &[Token(3), Token(9)]);
        assert_eq!(local.before, [Token(0), Token(1), Token(0)]);
        assert_eq!(local.after, [Token(1), Token(2)]);
        assert_eq!(local.globals, [Token(7), Token(3), Token(9)]);
        local.renumber(&[Token(9)], &[Token(4), Token(9)]);
        assert_eq!(
            (local.before.as_slice(), local.after.as_slice()),
            ([Token(0)].as_slice(), [Token(1), Token(0)].as_slice())
        );
        assert_eq!(local.globals, [Token(9), Token(4)]);
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
