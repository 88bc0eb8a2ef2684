//! Search/replace blocks as aider and gemini-cli send them. Edits apply in order, each to the
//! text the previous one left; a search must match exactly once, and any edit that cannot
//! apply fails the whole batch with the count of matches or the nearest candidate.

use crate::similarity::best_window;
use crate::text::{
    normalize_whitespace, split_lines, strip_terminator, terminator, Candidate, EngineError,
};
use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub search: &'a str,
    pub replace: &'a str,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EditOptions {
    /// When the exact search finds nothing, compare whole lines ignoring whitespace and
    /// re-indent the replacement to the file's indentation.
    pub flexible_whitespace: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedEdit {
    pub index: usize,
    /// 1-based line where the replaced text started, in the text the edit applied to.
    pub line: usize,
    /// True when only the whitespace-flexible comparison matched.
    pub flexible: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditedText {
    pub text: String,
    pub edits: Vec<AppliedEdit>,
}

/// Line numbers listed in an ambiguity error; the count says how many there were in all.
const MAX_LISTED_MATCHES: usize = 10;

pub fn apply_edits(
    original: &str,
    edits: &[Edit],
    options: EditOptions,
) -> Result<EditedText, EngineError> {
    let mut text = original.to_string();
    let mut applied = Vec::with_capacity(edits.len());
    for (index, edit) in edits.iter().enumerate() {
        let (next, record) = apply_one(&text, edit, index, options)?;
        text = next;
        applied.push(record);
    }
    Ok(EditedText {
        text,
        edits: applied,
    })
}

fn apply_one(
    text: &str,
    edit: &Edit,
    index: usize,
    options: EditOptions,
) -> Result<(String, AppliedEdit), EngineError> {
    if edit.search.is_empty() {
        if text.is_empty() {
            return Ok((
                edit.replace.to_string(),
                AppliedEdit {
                    index,
                    line: 1,
                    flexible: false,
                },
            ));
        }
        return Err(EngineError::EditInvalid {
            index,
            reason: "the search text is empty but the file is not; quote the lines to replace"
                .into(),
        });
    }
    let starts = overlapping_matches(text, edit.search);
    match starts.len() {
        1 => {
            let at = starts[0];
            let next = [&text[..at], edit.replace, &text[at + edit.search.len()..]].concat();
            Ok((
                next,
                AppliedEdit {
                    index,
                    line: line_of(text, at),
                    flexible: false,
                },
            ))
        }
        0 if options.flexible_whitespace => apply_flexible(text, edit, index),
        0 => Err(no_match(text, edit, index)),
        count => Err(EngineError::EditAmbiguous {
            index,
            count,
            lines: starts
                .iter()
                .take(MAX_LISTED_MATCHES)
                .map(|&at| line_of(text, at))
                .collect(),
        }),
    }
}

/// Every start of `needle` in `text`, overlapping ones included: "x\nx\n" occurs twice in
/// "x\nx\nx\n", and an edit there is ambiguous.
fn overlapping_matches(text: &str, needle: &str) -> Vec<usize> {
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut starts = Vec::new();
    let mut from = 0;
    // A match of UTF-8 in UTF-8 always starts on a character boundary, so stepping one byte is safe.
    while let Some(found) = finder.find(&text.as_bytes()[from..]) {
        starts.push(from + found);
        from += found + 1;
    }
    starts
}

fn line_of(text: &str, byte: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..byte]).count()
}

fn apply_flexible(
    text: &str,
    edit: &Edit,
    index: usize,
) -> Result<(String, AppliedEdit), EngineError> {
    let lines = split_lines(text);
    let search = split_lines(edit.search);
    let wanted: Vec<String> = search
        .iter()
        .map(|line| normalize_whitespace(line))
        .collect();
    let have: Vec<String> = lines
        .iter()
        .map(|line| normalize_whitespace(line))
        .collect();
    let starts: Vec<usize> = if search.len() > lines.len() {
        Vec::new()
    } else {
        (0..=lines.len() - search.len())
            .filter(|&start| have[start..start + search.len()] == wanted[..])
            .collect()
    };
    match starts.len() {
        0 => Err(no_match(text, edit, index)),
        1 => {
            let start = starts[0];
            let window = &lines[start..start + search.len()];
            let mut next = String::with_capacity(text.len() + edit.replace.len());
            lines[..start].iter().for_each(|line| next.push_str(line));
            next.push_str(&reindent(window, &search, edit.replace));
            lines[start + search.len()..]
                .iter()
                .for_each(|line| next.push_str(line));
            Ok((
                next,
                AppliedEdit {
                    index,
                    line: start + 1,
                    flexible: true,
                },
            ))
        }
        count => Err(EngineError::EditAmbiguous {
            index,
            count,
            lines: starts
                .iter()
                .take(MAX_LISTED_MATCHES)
                .map(|start| start + 1)
                .collect(),
        }),
    }
}

/// The replacement as it should stand in place of `window`: where the search's indentation
/// differed from the file's, the replacement's lines trade that prefix for the file's; each line
/// takes the line ending the file has at that position (the window's last one past its end),
/// and none after the last line if the window ended the file without one.
fn reindent(window: &[&str], search: &[&str], replace: &str) -> String {
    let indent = |line: &str| -> String {
        line.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    };
    let anchor = window.iter().position(|line| !line.trim().is_empty());
    let (file_indent, search_indent) = match anchor {
        Some(at) => (indent(window[at]), indent(search[at])),
        None => (String::new(), String::new()),
    };
    let endings: Vec<&str> = window.iter().map(|line| terminator(line)).collect();
    let last_ending = endings
        .iter()
        .rev()
        .find(|t| !t.is_empty())
        .copied()
        .unwrap_or("\n");
    let ending_at = |i: usize| match endings.get(i) {
        Some(ending) if !ending.is_empty() => *ending,
        _ => last_ending,
    };
    let ends_file_without_newline = endings.last().is_some_and(|ending| ending.is_empty());
    let replace_lines = split_lines(replace);
    let mut out = String::with_capacity(replace.len() + 16 * replace_lines.len());
    for (i, line) in replace_lines.iter().enumerate() {
        let content = strip_terminator(line);
        match content.strip_prefix(search_indent.as_str()) {
            Some(rest) if !content.trim().is_empty() => {
                out.push_str(&file_indent);
                out.push_str(rest);
            }
            _ => out.push_str(content),
        }
        let is_last = i + 1 == replace_lines.len();
        if !(is_last && ends_file_without_newline) {
            out.push_str(ending_at(i));
        }
    }
    out
}

fn no_match(text: &str, edit: &Edit, index: usize) -> EngineError {
    let lines = split_lines(text);
    let search = split_lines(edit.search);
    let nearest = best_window(&lines, &search, 0).map(|(start, similarity)| Candidate {
        line: start + 1,
        similarity,
        text: lines[start..(start + search.len()).min(lines.len())]
            .iter()
            .map(|l| strip_terminator(l).to_string())
            .collect(),
    });
    EngineError::EditNoMatch {
        index,
        search: edit.search.to_string(),
        nearest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: EditOptions = EditOptions {
        flexible_whitespace: false,
    };
    const FLEXIBLE: EditOptions = EditOptions {
        flexible_whitespace: true,
    };

    fn edit<'a>(search: &'a str, replace: &'a str) -> Edit<'a> {
        Edit { search, replace }
    }

    #[test]
    fn applies_in_order_each_to_the_previous_result() {
        let result = apply_edits(
            "a = 1\nb = 2\n",
            &[edit("a = 1", "a = 10"), edit("a = 10\nb", "c")],
            EXACT,
        )
        .unwrap();
        assert_eq!(result.text, "c = 2\n");
        assert_eq!(
            result.edits[1],
            AppliedEdit {
                index: 1,
                line: 1,
                flexible: false
            }
        );
    }

    #[test]
    fn ambiguous_search_reports_count_and_lines_and_applies_nothing() {
        let error =
            apply_edits("x\ny\nx\nx\n", &[edit("y", "z"), edit("x", "w")], EXACT).unwrap_err();
        assert_eq!(
            error,
            EngineError::EditAmbiguous {
                index: 1,
                count: 3,
                lines: vec![1, 3, 4]
            }
        );
    }

    #[test]
    fn missing_search_reports_the_nearest_candidate() {
        let file = "fn main() {\n    let total = compute(1, 2);\n    println!(\"{total}\");\n}\n";
        let error =
            apply_edits(file, &[edit("    let total = compute(1, 3);\n", "")], EXACT).unwrap_err();
        let EngineError::EditNoMatch {
            index: 0,
            nearest: Some(nearest),
            ..
        } = error
        else {
            panic!("{error:?}")
        };
        assert_eq!(nearest.line, 2);
        assert_eq!(nearest.text, vec!["    let total = compute(1, 2);"]);
        assert!(nearest.similarity > 0.9 && nearest.similarity < 1.0);
    }

    #[test]
    fn flexible_match_keeps_the_file_indentation_and_line_endings() {
        let file = "class A {\r\n    run() {\r\n        go();\r\n    }\r\n}\r\n";
        let search = "run() {\n    go();\n}\n";
        let replace = "run() {\n    ready();\n    go();\n}\n";
        assert!(matches!(
            apply_edits(file, &[edit(search, replace)], EXACT),
            Err(EngineError::EditNoMatch { .. })
        ));
        let result = apply_edits(file, &[edit(search, replace)], FLEXIBLE).unwrap();
        assert_eq!(
            result.text,
            "class A {\r\n    run() {\r\n        ready();\r\n        go();\r\n    }\r\n}\r\n"
        );
        assert_eq!(
            result.edits[0],
            AppliedEdit {
                index: 0,
                line: 2,
                flexible: true
            }
        );
    }

    #[test]
    fn flexible_match_keeps_mixed_line_endings_in_place() {
        let file = "  a\r\n  b\n  c\n";
        let result = apply_edits(file, &[edit("a\nb\n", "a\nb\n")], FLEXIBLE).unwrap();
        assert_eq!(result.text, file);
    }

    #[test]
    fn flexible_match_at_end_of_file_without_newline() {
        let result = apply_edits("a\n  b", &[edit("b\n", "c\nd\n")], FLEXIBLE).unwrap();
        assert_eq!(result.text, "a\n  c\n  d");
    }

    #[test]
    fn empty_search_only_fills_an_empty_file() {
        assert_eq!(
            apply_edits("", &[edit("", "new\n")], EXACT).unwrap().text,
            "new\n"
        );
        assert!(matches!(
            apply_edits("x", &[edit("", "y")], EXACT),
            Err(EngineError::EditInvalid { .. })
        ));
    }
}
