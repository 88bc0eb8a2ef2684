//! Where two texts share lines at the same place, found by walking both at once.
//!
//! A large file edited in a few places is mostly runs of lines both texts share at the same
//! place. `align` finds them by comparing bytes, a chunk at a time, without hashing lines; only
//! where the texts part does it look at lines, and only when they part by more than a few lines
//! does it index the old text's lines. `LineTokens` uses the runs to leave most of a large file
//! out of what the diff algorithm is given.

use crate::interner::Interner;
use imara_diff::Token;
use std::ops::Range;

/// Lines both texts share at the same place: `lines` lines from `before_line` in the old text
/// and `after_line` in the new one, `bytes` long, starting at byte `before_start` / `after_start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub before_line: u32,
    pub after_line: u32,
    pub lines: u32,
    pub before_start: usize,
    pub after_start: usize,
    pub bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alignment {
    /// In order, not overlapping; what lies between two runs is where the texts differ.
    pub runs: Vec<Run>,
    pub before_lines: u32,
    pub after_lines: u32,
}

/// Lines skipped in all when looking for where the texts meet again without the index.
const NEARBY_LINES: usize = 8;

/// Walks both texts together: shared bytes are skipped a chunk at a time, and where the texts
/// part, the next line they share again is looked for nearby, then through an index of the old
/// text's lines (built on first need). Any alignment is correct here; a good one cuts more.
pub fn align(before: &str, after: &str) -> Alignment {
    let (old, new) = (before.as_bytes(), after.as_bytes());
    let mut runs = Vec::new();
    let mut at_old = Cursor::default();
    let mut at_new = Cursor::default();
    let mut index = None;
    while at_old.offset < old.len() && at_new.offset < new.len() {
        let same = common_prefix(&old[at_old.offset..], &new[at_new.offset..]);
        let shared = &old[at_old.offset..at_old.offset + same];
        let whole_lines = if at_old.offset + same == old.len() && at_new.offset + same == new.len()
        {
            same
        } else {
            memchr::memrchr(b'\n', shared).map_or(0, |newline| newline + 1)
        };
        if whole_lines > 0 {
            let lines = line_count(&shared[..whole_lines]);
            runs.push(Run {
                before_line: at_old.line,
                after_line: at_new.line,
                lines,
                before_start: at_old.offset,
                after_start: at_new.offset,
                bytes: whole_lines,
            });
            at_old.advance(whole_lines, lines);
            at_new.advance(whole_lines, lines);
            continue;
        }
        let found = match nearby_match(old, new, at_old, at_new) {
            Some(found) => Some(found),
            None => index
                .get_or_insert_with(|| LineIndex::new(before))
                .nearest_match(after, at_old, at_new),
        };
        match found {
            Some((next_old, next_new)) => (at_old, at_new) = (next_old, next_new),
            None => break,
        }
    }
    Alignment {
        runs,
        before_lines: at_old.line + line_count(&old[at_old.offset..]),
        after_lines: at_new.line + line_count(&new[at_new.offset..]),
    }
}

/// The start of a line: its byte offset and its 0-based number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
    pub line: u32,
}

impl Cursor {
    pub fn advance(&mut self, bytes: usize, lines: u32) {
        self.offset += bytes;
        self.line += lines;
    }
}

/// Lines in `text`, counting a last line without a newline.
fn line_count(text: &[u8]) -> u32 {
    let newlines = memchr::memchr_iter(b'\n', text).count();
    (newlines + usize::from(!text.is_empty() && !text.ends_with(b"\n"))) as u32
}

/// Offset after the line that starts at `start`.
pub fn line_end(text: &[u8], start: usize) -> usize {
    memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |newline| start + newline + 1)
}

/// The pair of equal lines on from the cursors that skips the fewest lines on both sides
/// together, if it skips at most `NEARBY_LINES`: found by comparing lines, without hashing.
fn nearby_match(
    old: &[u8],
    new: &[u8],
    at_old: Cursor,
    at_new: Cursor,
) -> Option<(Cursor, Cursor)> {
    let (mut old_lines, mut new_lines) =
        (NearbyLines::new(old, at_old), NearbyLines::new(new, at_new));
    for skipped in 1..=NEARBY_LINES {
        for skip_old in 0..=skipped {
            let skip_new = skipped - skip_old;
            let (Some(old_line), Some(new_line)) =
                (old_lines.line(skip_old), new_lines.line(skip_new))
            else {
                continue;
            };
            if old[old_line.clone()] == new[new_line.clone()] {
                return Some((old_lines.cursor(skip_old), new_lines.cursor(skip_new)));
            }
        }
    }
    None
}

/// The lines from a cursor on, up to `NEARBY_LINES` of them past it, found as they are asked for.
struct NearbyLines<'t> {
    text: &'t [u8],
    from: Cursor,
    /// Where each line found so far starts, then where the last one ends.
    bounds: [usize; NEARBY_LINES + 2],
    found: usize,
}

impl<'t> NearbyLines<'t> {
    fn new(text: &'t [u8], from: Cursor) -> Self {
        let mut bounds = [0; NEARBY_LINES + 2];
        bounds[0] = from.offset;
        NearbyLines {
            text,
            from,
            bounds,
            found: 0,
        }
    }

    /// The bytes of the line `skip` lines past the cursor, if the text has it.
    fn line(&mut self, skip: usize) -> Option<Range<usize>> {
        while self.found <= skip {
            let start = self.bounds[self.found];
            if start == self.text.len() {
                return None;
            }
            self.found += 1;
            self.bounds[self.found] = line_end(self.text, start);
        }
        Some(self.bounds[skip]..self.bounds[skip + 1])
    }

    fn cursor(&self, skip: usize) -> Cursor {
        Cursor {
            offset: self.bounds[skip],
            line: self.from.line + skip as u32,
        }
    }
}

/// Every line of the old text by content: for each distinct line, the numbers of the lines
/// that hold it, in order.
struct LineIndex<'a> {
    contents: Interner<'a>,
    /// Line numbers grouped by content; content `k` has `numbers[groups[k]..groups[k + 1]]`.
    numbers: Vec<u32>,
    groups: Vec<u32>,
    /// Start of each line, then the end of the text.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(old: &'a str) -> Self {
        let mut starts = Vec::with_capacity(line_count(old.as_bytes()) as usize + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', old.as_bytes()).map(|newline| newline + 1));
        if *starts.last().unwrap_or(&0) < old.len() {
            starts.push(old.len());
        }
        let mut contents = Interner::with_capacity(starts.len() - 1);
        let content_of: Vec<Token> = starts
            .windows(2)
            .map(|line| contents.intern(&old[line[0]..line[1]]))
            .collect();
        let mut groups = vec![0u32; contents.lines.len() + 1];
        for content in &content_of {
            groups[content.0 as usize + 1] += 1;
        }
        for k in 1..groups.len() {
            groups[k] += groups[k - 1];
        }
        let mut filled = groups.clone();
        let mut numbers = vec![0; content_of.len()];
        for (line, content) in content_of.iter().enumerate() {
            numbers[filled[content.0 as usize] as usize] = line as u32;
            filled[content.0 as usize] += 1;
        }
        LineIndex {
            contents,
            numbers,
            groups,
            starts,
        }
    }

    /// The first line from `from` on whose content is `content`.
    fn next_with(&self, content: &str, from: u32) -> Option<u32> {
        let group = self.contents.find(content)?.0 as usize;
        let lines = &self.numbers[self.groups[group] as usize..self.groups[group + 1] as usize];
        lines
            .get(lines.partition_point(|&line| line < from))
            .copied()
    }

    /// The pair of equal lines on from `at_old` and `at_new` that skips the fewest lines on
    /// both sides together.
    fn nearest_match(&self, new: &str, at_old: Cursor, at_new: Cursor) -> Option<(Cursor, Cursor)> {
        let mut best: Option<(u32, Cursor, Cursor)> = None;
        let mut at = at_new;
        while at.offset < new.len()
            && best.is_none_or(|(skipped, _, _)| at.line - at_new.line < skipped)
        {
            let end = line_end(new.as_bytes(), at.offset);
            if let Some(line) = self.next_with(&new[at.offset..end], at_old.line) {
                let skipped = (line - at_old.line) + (at.line - at_new.line);
                if best.is_none_or(|(fewest, _, _)| skipped < fewest) {
                    let old_at = Cursor {
                        offset: self.starts[line as usize],
                        line,
                    };
                    best = Some((skipped, old_at, at));
                }
            }
            at.advance(end - at.offset, 1);
        }
        best.map(|(_, old_at, new_at)| (old_at, new_at))
    }
}

/// Length of the common run of bytes at the start of both: compared a block at a time (one
/// `memcmp` each), then within the first block that differs, a smaller block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let shorter = a.len().min(b.len());
    let (a, b) = (&a[..shorter], &b[..shorter]);
    let mut total = 0;
    for block in [1024, 64, 1] {
        let blocks = a[total..].chunks(block).zip(b[total..].chunks(block));
        total += blocks
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| x.len())
            .sum::<usize>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(lines: Range<u32>) -> String {
        lines.map(|i| format!("line {i}\n")).collect()
    }

    /// `(before_line, after_line, lines)` of each run.
    fn runs(before: &str, after: &str) -> Vec<(u32, u32, u32)> {
        let alignment = align(before, after);
        for run in &alignment.runs {
            let old = &before[run.before_start..run.before_start + run.bytes];
            assert_eq!(old, &after[run.after_start..run.after_start + run.bytes]);
            assert_eq!(line_count(old.as_bytes()), run.lines);
        }
        alignment
            .runs
            .iter()
            .map(|run| (run.before_line, run.after_line, run.lines))
            .collect()
    }

    #[test]
    fn common_prefix_is_found_across_block_sizes() {
        let a: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 63, 64, 65, 1023, 1024, 1025, 3000, 4999] {
            let mut b = a.clone();
            b[at] ^= 0xff;
            assert_eq!(common_prefix(&a, &b), at);
            assert_eq!(common_prefix(&a, &b[..at]), at);
        }
        assert_eq!(common_prefix(&a, &a), a.len());
        assert_eq!(common_prefix(&a[..10], &a), 10);
    }

    #[test]
    fn equal_texts_are_one_run() {
        let text = numbered(0..50);
        let alignment = align(&text, &text);
        assert_eq!(runs(&text, &text), vec![(0, 0, 50)]);
        assert_eq!((alignment.before_lines, alignment.after_lines), (50, 50));
        assert!(align("", "").runs.is_empty());
    }

    #[test]
    fn steps_over_a_changed_an_inserted_and_a_deleted_line() {
        let before = numbered(0..30);
        let after = before
            .replace("line 5\n", "five\n")
            .replace("line 12\n", "line 12\nnew\n")
            .replace("line 20\n", "");
        assert_eq!(
            runs(&before, &after),
            vec![(0, 0, 5), (6, 6, 7), (13, 14, 7), (21, 21, 9)]
        );
        assert_eq!(align(&before, &after).after_lines, 30);
    }

    #[test]
    fn finds_the_texts_again_after_a_long_deletion() {
        let before = numbered(0..100);
        let after = numbered(0..20) + &numbered(60..100);
        assert_eq!(runs(&before, &after), vec![(0, 0, 20), (60, 20, 40)]);
        assert_eq!(runs(&after, &before), vec![(0, 0, 20), (20, 60, 40)]);
    }

    #[test]
    fn meets_again_where_the_fewest_lines_are_skipped() {
        // Twelve lines copied from 20 lines on are inserted at line 20: the old text goes on
        // after them (12 lines skipped), not at the copies' originals (20 skipped).
        let before = numbered(0..100);
        let after = numbered(0..20) + &numbered(40..52) + &numbered(20..100);
        assert_eq!(runs(&before, &after), vec![(0, 0, 20), (20, 32, 80)]);
    }

    #[test]
    fn a_missing_final_newline_or_a_crlf_makes_a_different_line() {
        assert_eq!(runs("a\nb", "a\nb"), vec![(0, 0, 2)]);
        assert_eq!(runs("a\nb", "a\nb\n"), vec![(0, 0, 1)]);
        assert_eq!(runs("a\nb\n", "a\nbc\n"), vec![(0, 0, 1)]);
        assert_eq!(
            (
                align("a\nb", "a\nb\n").before_lines,
                align("a\nb", "a\nb\n").after_lines
            ),
            (2, 2)
        );
        assert_eq!(
            runs("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n"),
            vec![(0, 0, 1), (2, 2, 1)]
        );
    }
}
