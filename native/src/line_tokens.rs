//! The lines of two texts as imara-diff tokens (equal lines, equal tokens), with the inside of
//! long runs of shared lines left out.
//!
//! `LineTokens` keeps the lines between the runs that `align` found and `margins` lines at each
//! end of a run, and cuts the rest: the diff algorithm sees a few lines around each change instead
//! of the whole file, so interning, the diff and its postprocessing all shrink with it.
//! `widen_seen_cuts` finds the runs whose cut the diff could have seen (the context printed
//! around a change, how far a change could move, the lines the indent heuristic reads, lines a
//! cheaper diff could pair instead) and widens their margins, so the caller diffs again; what
//! stays cut is never looked at, and the diff is the one the whole texts give.

use crate::align::{line_end, Alignment, Cursor, Run};
use crate::interner::Interner;
use imara_diff::{Hunk, IndentLevel, Token};
use std::ops::Range;

/// Shared lines kept at the start (`head`) and end (`tail`) of a run that is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Margins {
    pub head: u32,
    pub tail: u32,
}

/// Where lines were cut out of a run: before index `before` of `LineTokens::before` and
/// before index `after` of `LineTokens::after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    before: u32,
    after: u32,
    run: usize,
}

pub struct LineTokens<'a> {
    pub before: Vec<Token>,
    pub after: Vec<Token>,
    /// Each token's line, terminator included.
    pub lines: Vec<&'a str>,
    /// The 0-based line number in its text of each entry of `before` and of `after`.
    pub before_numbers: Vec<u32>,
    pub after_numbers: Vec<u32>,
    cuts: Vec<Cut>,
}

/// How many blank lines the indent heuristic looks across (imara-diff's MAX_BLANKS).
const MAX_BLANKS: usize = 20;
/// Slides longer than this count as this long; the cuts they reach are widened either way.
const MAX_SLIDE: usize = 1 << 16;

impl<'a> LineTokens<'a> {
    /// The lines of `before` and `after` with the inside of each run of `alignment` cut out,
    /// keeping the run's `margins` at each end that has changes next to it.
    pub fn new(
        before: &'a str,
        after: &'a str,
        alignment: &Alignment,
        margins: &[Margins],
    ) -> Self {
        // The lines each run keeps at its ends when it is cut, known first so that every vector
        // and the interner's table are allocated once.
        let cuts: Vec<Option<(u32, u32)>> = (alignment.runs.iter().enumerate())
            .map(|(index, run)| {
                let at_start = run.before_start == 0 && run.after_start == 0;
                let at_end = run.before_start + run.bytes == before.len()
                    && run.after_start + run.bytes == after.len();
                let head = if at_start { 0 } else { margins[index].head };
                let tail = if at_end { 0 } else { margins[index].tail };
                (run.lines > head.saturating_add(tail)).then_some((head, tail))
            })
            .collect();
        let kept = |run: &Run, cut: &Option<(u32, u32)>| {
            cut.map_or(run.lines, |(head, tail)| head + tail) as usize
        };
        let shared: usize = alignment
            .runs
            .iter()
            .zip(&cuts)
            .map(|(run, cut)| kept(run, cut))
            .sum();
        let cut_out: usize = alignment
            .runs
            .iter()
            .zip(&cuts)
            .map(|(run, cut)| run.lines as usize - kept(run, cut))
            .sum();
        let (before_lines, after_lines) = (
            alignment.before_lines as usize - cut_out,
            alignment.after_lines as usize - cut_out,
        );
        let mut tokens = LineTokens {
            before: Vec::with_capacity(before_lines),
            after: Vec::with_capacity(after_lines),
            lines: Vec::new(),
            before_numbers: Vec::with_capacity(before_lines),
            after_numbers: Vec::with_capacity(after_lines),
            cuts: Vec::new(),
        };
        let mut interner = Interner::with_capacity(before_lines + after_lines - shared);
        let mut at_old = Cursor::default();
        let mut at_new = Cursor::default();
        for ((index, run), cut) in alignment.runs.iter().enumerate().zip(cuts) {
            tokens.push_own(
                &mut interner,
                Side::Before,
                before,
                at_old,
                run.before_start,
            );
            tokens.push_own(&mut interner, Side::After, after, at_new, run.after_start);
            let run_end = run.before_start + run.bytes;
            match cut {
                None => {
                    tokens.push_shared(&mut interner, before, run, run.before_start..run_end, 0)
                }
                Some((head, tail)) => {
                    let head_end =
                        (0..head).fold(run.before_start, |at, _| line_end(before.as_bytes(), at));
                    let tail_start =
                        (0..tail).fold(run_end, |at, _| line_start_before(before.as_bytes(), at));
                    tokens.push_shared(&mut interner, before, run, run.before_start..head_end, 0);
                    tokens.cuts.push(Cut {
                        before: tokens.before.len() as u32,
                        after: tokens.after.len() as u32,
                        run: index,
                    });
                    tokens.push_shared(
                        &mut interner,
                        before,
                        run,
                        tail_start..run_end,
                        run.lines - tail,
                    );
                }
            }
            at_old = Cursor {
                offset: run_end,
                line: run.before_line + run.lines,
            };
            at_new = Cursor {
                offset: run.after_start + run.bytes,
                line: run.after_line + run.lines,
            };
        }
        tokens.push_own(&mut interner, Side::Before, before, at_old, before.len());
        tokens.push_own(&mut interner, Side::After, after, at_new, after.len());
        tokens.lines = interner.lines;
        tokens
    }

    /// The lines of one text from `from` to byte `end`.
    fn push_own(
        &mut self,
        interner: &mut Interner<'a>,
        side: Side,
        text: &'a str,
        from: Cursor,
        end: usize,
    ) {
        let (tokens, numbers) = match side {
            Side::Before => (&mut self.before, &mut self.before_numbers),
            Side::After => (&mut self.after, &mut self.after_numbers),
        };
        let mut at = from;
        while at.offset < end {
            let line_end = line_end(text.as_bytes(), at.offset);
            tokens.push(interner.intern(&text[at.offset..line_end]));
            numbers.push(at.line);
            at.advance(line_end - at.offset, 1);
        }
    }

    /// The lines of `run` in `bytes` (of the old text), the first being the run's line `skipped`.
    fn push_shared(
        &mut self,
        interner: &mut Interner<'a>,
        before: &'a str,
        run: &Run,
        bytes: Range<usize>,
        skipped: u32,
    ) {
        let mut at = bytes.start;
        let mut offset = skipped;
        while at < bytes.end {
            let line_end = line_end(before.as_bytes(), at);
            let token = interner.intern(&before[at..line_end]);
            self.before.push(token);
            self.after.push(token);
            self.before_numbers.push(run.before_line + offset);
            self.after_numbers.push(run.after_line + offset);
            offset += 1;
            at = line_end;
        }
    }

    /// The stretches of `before` and `after` between one cut and the next.
    pub fn stretches(&self) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
        let ends = self
            .cuts
            .iter()
            .map(|cut| (cut.before as usize, cut.after as usize));
        let ends = ends.chain([(self.before.len(), self.after.len())]);
        ends.scan((0, 0), |start, end| {
            let stretch = (start.0..end.0, start.1..end.1);
            *start = end;
            Some(stretch)
        })
    }

    /// Widens the margins of every cut run that `hunks` (the postprocessed diff of `before`
    /// and `after`) could see, and says whether there was one. A hunk sees `context` lines each
    /// way to print them. A hunk of `n` changed lines sees `n` lines each way: a cheaper way
    /// through it changes fewer than `n` lines, so strays fewer than `n` lines from it, and cut
    /// lines there may be what it would pair (a copied block that the walk in `align` matched to
    /// the copy, say). A hunk that slides also sees as far as it slides, and past that the line
    /// the indent heuristic scores and the blank lines it looks across. And a cut must lie
    /// between unchanged lines that the diff pairs with each other, or the lines cut out would
    /// not pair up either.
    pub fn widen_seen_cuts(&self, hunks: &[Hunk], context: u32, margins: &mut [Margins]) -> bool {
        if self.cuts.is_empty() {
            return false;
        }
        let mut seen: Vec<(usize, usize)> = Vec::new();
        for hunk in hunks {
            let (before_down, before_up) = slides(&self.before, &hunk.before);
            let (after_down, after_up) = slides(&self.after, &hunk.after);
            let (down, up) = (before_down.max(after_down), before_up.max(after_up));
            let changed = hunk.before.len() + hunk.after.len();
            let least = (context as usize).max(changed);
            let sides: [(&[Token], &Range<u32>, fn(&Cut) -> u32); 2] = [
                (&self.before, &hunk.before, |cut| cut.before),
                (&self.after, &hunk.after, |cut| cut.after),
            ];
            for (tokens, range, position) in sides {
                let (mut below, mut above) = (least, least);
                if down + up > 0 {
                    let lines =
                        |range: Range<usize>| range.map(|i| self.lines[tokens[i].0 as usize]);
                    let lowest = (range.end as usize + down + 1).min(tokens.len());
                    below = below.max(down + 2 + blank_run(lines(lowest..tokens.len())));
                    let highest = (range.start as usize).saturating_sub(up);
                    above = above.max(up + 1 + blank_run(lines(0..highest).rev()));
                }
                let low = (range.start as usize + 1).saturating_sub(above);
                let high = (range.end as usize).saturating_add(below);
                let first = self
                    .cuts
                    .partition_point(|cut| (position(cut) as usize) < low);
                let wanted = above.max(below) + range.len();
                seen.extend(
                    self.cuts[first..]
                        .iter()
                        .take_while(|cut| (position(cut) as usize) < high)
                        .map(|cut| (cut.run, wanted)),
                );
            }
        }
        seen.extend(self.unpaired_cuts(hunks).map(|run| (run, 1)));
        for &(run, wanted) in &seen {
            let wanted = u32::try_from(wanted).unwrap_or(u32::MAX);
            let margins = &mut margins[run];
            margins.head = margins
                .head
                .saturating_mul(2)
                .max(margins.head.saturating_add(wanted));
            margins.tail = margins
                .tail
                .saturating_mul(2)
                .max(margins.tail.saturating_add(wanted));
        }
        !seen.is_empty()
    }

    /// The runs whose cut lies where the diff does not pair the old line after it with the new
    /// line after it.
    fn unpaired_cuts<'h>(&'h self, hunks: &'h [Hunk]) -> impl Iterator<Item = usize> + 'h {
        let (mut before_hunks, mut after_hunks) = (0, 0);
        let (mut removed, mut added) = (0, 0);
        self.cuts.iter().filter_map(move |cut| {
            while before_hunks < hunks.len() && hunks[before_hunks].before.end <= cut.before {
                removed += hunks[before_hunks].before.len() as u32;
                before_hunks += 1;
            }
            while after_hunks < hunks.len() && hunks[after_hunks].after.end <= cut.after {
                added += hunks[after_hunks].after.len() as u32;
                after_hunks += 1;
            }
            let paired = before_hunks == after_hunks && cut.before - removed == cut.after - added;
            (!paired).then_some(cut.run)
        })
    }
}

#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

/// Offset of the start of the line that ends at `end` (a line boundary after some line).
fn line_start_before(text: &[u8], end: usize) -> usize {
    memchr::memrchr(b'\n', &text[..end - 1]).map_or(0, |newline| newline + 1)
}

/// How many lines the changed `range` of `tokens` could slide down and up: a slide moves it one
/// line while the line it enters equals the line it leaves.
fn slides(tokens: &[Token], range: &Range<u32>) -> (usize, usize) {
    if range.is_empty() {
        return (0, 0);
    }
    let (start, end) = (range.start as usize, range.end as usize);
    let down = tokens[end..]
        .iter()
        .zip(&tokens[start..])
        .take(MAX_SLIDE)
        .take_while(|(entering, leaving)| entering == leaving)
        .count();
    let up = tokens[..start]
        .iter()
        .rev()
        .zip(tokens[..end].iter().rev())
        .take(MAX_SLIDE)
        .take_while(|(entering, leaving)| entering == leaving)
        .count();
    (down, up)
}

/// How many of `lines` in a row are blank to the indent heuristic, up to `MAX_BLANKS`.
fn blank_run<'l>(lines: impl Iterator<Item = &'l str>) -> usize {
    let blank = IndentLevel::for_ascii_line(std::iter::empty(), 8);
    lines
        .take(MAX_BLANKS)
        .take_while(|line| IndentLevel::for_ascii_line(line.bytes(), 8) == blank)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::align;

    fn numbered(lines: Range<u32>) -> String {
        lines.map(|i| format!("line {i}\n")).collect()
    }

    fn condensed<'a>(
        before: &'a str,
        after: &'a str,
        margin: u32,
    ) -> (LineTokens<'a>, Vec<Margins>) {
        let alignment = align(before, after);
        let margins = vec![
            Margins {
                head: margin,
                tail: margin
            };
            alignment.runs.len()
        ];
        (
            LineTokens::new(before, after, &alignment, &margins),
            margins,
        )
    }

    fn lines_of<'a>(tokens: &LineTokens<'a>, side: &[Token]) -> Vec<&'a str> {
        side.iter()
            .map(|token| tokens.lines[token.0 as usize])
            .collect()
    }

    #[test]
    fn keeps_the_changes_and_the_margins_of_long_runs() {
        let before = numbered(0..100);
        let after = before.replace("line 50\n", "fifty\n");
        let (tokens, _) = condensed(&before, &after, 3);
        assert_eq!(tokens.before_numbers, vec![47, 48, 49, 50, 51, 52, 53]);
        assert_eq!(tokens.after_numbers, vec![47, 48, 49, 50, 51, 52, 53]);
        assert_eq!(
            lines_of(&tokens, &tokens.after),
            [
                "line 47\n",
                "line 48\n",
                "line 49\n",
                "fifty\n",
                "line 51\n",
                "line 52\n",
                "line 53\n"
            ]
        );
        // The first run is cut before its margin, the last one after it.
        let stretches: Vec<_> = tokens.stretches().collect();
        assert_eq!(stretches, vec![(0..0, 0..0), (0..7, 0..7), (7..7, 7..7)]);
    }

    #[test]
    fn keeps_runs_no_longer_than_their_margins_whole() {
        let before = numbered(0..20);
        let after = before
            .replace("line 3\n", "three\n")
            .replace("line 10\n", "ten\n");
        let (tokens, _) = condensed(&before, &after, 3);
        // Lines 4..=9 (6 lines) stay; 0..3 is the start of the file; 11.. is cut after 3.
        assert_eq!(tokens.before_numbers, (0..14).collect::<Vec<_>>());
        assert_eq!(tokens.stretches().count(), 2);
    }

    #[test]
    fn equal_lines_get_equal_tokens() {
        let before = "}\nx\n}\n\n}\n";
        let after = "}\n\nx\n}\ny\n}\n";
        let (tokens, _) = condensed(before, after, 1);
        let all: Vec<(&str, Token)> = lines_of(&tokens, &tokens.before)
            .into_iter()
            .zip(tokens.before.iter().copied())
            .chain(
                lines_of(&tokens, &tokens.after)
                    .into_iter()
                    .zip(tokens.after.iter().copied()),
            )
            .collect();
        for &(line, token) in &all {
            for &(other, other_token) in &all {
                assert_eq!(line == other, token == other_token, "{line:?} {other:?}");
            }
        }
    }

    /// Whether these hunks widen a cut of 100 lines with `line 50` changed, cut to `margin`
    /// lines (line 50 is then at index `margin`, and the cuts are at 0 and `2 * margin + 1`).
    fn widened(hunks: &[Hunk], context: u32, margin: u32) -> bool {
        let before = numbered(0..100);
        let after = before.replace("line 50\n", "fifty\n");
        let (tokens, mut margins) = condensed(&before, &after, margin);
        let widened = tokens.widen_seen_cuts(hunks, context, &mut margins);
        assert_eq!(widened, margins.iter().any(|margins| margins.head > margin));
        widened
    }

    fn hunk(before: Range<u32>, after: Range<u32>) -> Hunk {
        Hunk { before, after }
    }

    #[test]
    fn a_hunk_sees_the_cuts_within_its_context() {
        assert!(!widened(&[hunk(3..4, 3..4)], 3, 3));
        assert!(widened(&[hunk(3..4, 3..4)], 4, 3));
        assert!(widened(&[hunk(2..4, 2..4)], 3, 3));
    }

    #[test]
    fn a_large_hunk_sees_as_far_as_it_is_long() {
        // Four changed lines, 5 and 6 lines from the cuts; eight, 4 and 5 lines from them.
        assert!(!widened(&[hunk(5..7, 5..7)], 0, 6));
        assert!(widened(&[hunk(4..8, 4..8)], 0, 6));
    }

    #[test]
    fn a_cut_must_lie_between_lines_the_diff_pairs() {
        // Deleting line 50 without inserting `fifty` leaves the new text's kept lines one ahead
        // of the old text's at the second cut, far as it is from the hunk.
        assert!(widened(&[hunk(3..4, 3..3)], 0, 3));
        assert!(!widened(&[hunk(3..4, 3..4)], 0, 3));
    }

    #[test]
    fn a_sliding_hunk_sees_as_far_as_it_slides_and_the_blank_lines_past_that() {
        let block = "fn f() {\n    x();\n}\n\n";
        let before = format!("{}{block}{}", numbered(0..50), numbered(50..100));
        let after = format!("{}{block}{block}{}", numbered(0..50), numbered(50..100));
        let (tokens, mut margins) = condensed(&before, &after, 4);
        // The inserted copy of the block can slide over the block before it.
        let inserted = tokens
            .after_numbers
            .iter()
            .position(|&line| line == 54)
            .unwrap() as u32;
        let at = tokens
            .before_numbers
            .iter()
            .position(|&line| line == 54)
            .unwrap() as u32;
        let sliding = hunk(at..at, inserted..inserted + 4);
        assert!(tokens.widen_seen_cuts(&[sliding], 0, &mut margins));
    }
}
