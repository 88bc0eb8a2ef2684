//! The lines of two texts as imara-diff tokens: equal lines get equal tokens, different lines
//! different ones, so the diff algorithms compare integers instead of text.
//!
//! Every line of the old text is hashed and interned. Most lines of the new text are not: they
//! are compared byte for byte with the old line they are expected to repeat (the one after the
//! last match), and take its token when equal. Only the lines that differ there are hashed and
//! looked up, and each lookup re-aligns the expectation. The tokens are the same as interning
//! every line would give; this only saves the hashing where the texts agree.

use foldhash::fast::RandomState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use imara_diff::Token;
use std::hash::BuildHasher as _;

pub struct LineTokens<'a> {
    pub before: Vec<Token>,
    pub after: Vec<Token>,
    /// Each token's line, terminator included.
    pub lines: Vec<&'a str>,
}

/// Old lines after the expected one that a changed new line is looked for among, to re-align.
const REALIGN_WINDOW: usize = 16;

impl<'a> LineTokens<'a> {
    pub fn new(before: &'a str, after: &'a str) -> Self {
        let before_lines = line_count(before);
        let mut interner = Interner::with_capacity(before_lines + line_count(after) / 8);
        let mut before_tokens = Vec::with_capacity(before_lines);
        let mut before_ends = Vec::with_capacity(before_lines);
        for_each_line(before, |line, end| {
            before_tokens.push(interner.intern(line));
            before_ends.push(end);
        });
        let after_tokens = Aligner {
            before,
            after,
            tokens: &before_tokens,
            ends: &before_ends,
            first_seen: first_positions(&before_tokens, interner.lines.len()),
        }
        .tokens(&mut interner);
        LineTokens {
            before: before_tokens,
            after: after_tokens,
            lines: interner.lines,
        }
    }
}

fn line_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
        + usize::from(!text.ends_with('\n') && !text.is_empty())
}

/// Calls `each(line, end)` for every line with its terminator; `end` is the offset after it.
fn for_each_line<'a>(text: &'a str, mut each: impl FnMut(&'a str, usize)) {
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
        each(&text[start..=newline], newline + 1);
        start = newline + 1;
    }
    if start < text.len() {
        each(&text[start..], text.len());
    }
}

/// For each token, the first old line that holds it (`u32::MAX` for none).
fn first_positions(tokens: &[Token], token_count: usize) -> Vec<u32> {
    let mut first = vec![u32::MAX; token_count];
    for (position, token) in tokens.iter().enumerate().rev() {
        first[token.0 as usize] = position as u32;
    }
    first
}

struct Interner<'a> {
    lines: Vec<&'a str>,
    table: HashTable<u32>,
    hasher: RandomState,
}

impl<'a> Interner<'a> {
    fn with_capacity(capacity: usize) -> Self {
        Interner {
            lines: Vec::with_capacity(capacity),
            table: HashTable::with_capacity(capacity),
            hasher: RandomState::default(),
        }
    }

    fn intern(&mut self, line: &'a str) -> Token {
        let Interner {
            lines,
            table,
            hasher,
        } = self;
        let hash = hasher.hash_one(line.as_bytes());
        let entry = table.entry(
            hash,
            |&token| lines[token as usize] == line,
            |&token| hasher.hash_one(lines[token as usize].as_bytes()),
        );
        match entry {
            Entry::Occupied(entry) => Token(*entry.get()),
            Entry::Vacant(entry) => {
                let token = lines.len() as u32;
                lines.push(line);
                entry.insert(token);
                Token(token)
            }
        }
    }
}

/// Walks the new text along the old one (see the module comment).
struct Aligner<'a, 't> {
    before: &'a str,
    after: &'a str,
    tokens: &'t [Token],
    /// Offset after each old line.
    ends: &'t [usize],
    first_seen: Vec<u32>,
}

impl<'a> Aligner<'a, '_> {
    fn tokens(&self, interner: &mut Interner<'a>) -> Vec<Token> {
        let (old, new) = (self.before.as_bytes(), self.after.as_bytes());
        let mut tokens = Vec::with_capacity(self.tokens.len() + self.tokens.len() / 8 + 16);
        // The old line the next new line is expected to repeat, and where each starts.
        let mut expected = 0;
        let mut at = 0;
        while at < new.len() {
            if expected < self.tokens.len() {
                let old_start = self.line_start(expected);
                let same = common_prefix(&old[old_start..], &new[at..]);
                let first = expected;
                while expected < self.tokens.len()
                    && self.ends[expected] <= old_start + same
                    && self.ends_alike(expected, at + self.ends[expected] - old_start)
                {
                    expected += 1;
                }
                if expected > first {
                    tokens.extend_from_slice(&self.tokens[first..expected]);
                    at += self.ends[expected - 1] - old_start;
                    continue;
                }
            }
            let end =
                memchr::memchr(b'\n', &new[at..]).map_or(new.len(), |newline| at + newline + 1);
            let token = interner.intern(&self.after[at..end]);
            tokens.push(token);
            at = end;
            if let Some(next) = self.realign(token, expected) {
                expected = next;
            }
        }
        tokens
    }

    /// Whether old line `index` and the new line ending at `new_end` end the same way: an old
    /// last line without a newline only matches a new line that also ends its text.
    fn ends_alike(&self, index: usize, new_end: usize) -> bool {
        self.ends[index] < self.before.len()
            || self.before.ends_with('\n')
            || new_end == self.after.len()
    }

    fn line_start(&self, index: usize) -> usize {
        if index == 0 {
            0
        } else {
            self.ends[index - 1]
        }
    }

    /// The old line to expect after a new line with `token`: the one after that token's next
    /// occurrence at or after `expected`, if it is near or is the token's first occurrence.
    fn realign(&self, token: Token, expected: usize) -> Option<usize> {
        let window = &self.tokens[expected..self.tokens.len().min(expected + REALIGN_WINDOW)];
        if let Some(offset) = window.iter().position(|&old| old == token) {
            return Some(expected + offset + 1);
        }
        let first = *self.first_seen.get(token.0 as usize)? as usize;
        (first != u32::MAX as usize && first >= expected).then_some(first + 1)
    }
}

/// Length of the common run of bytes at the start of both.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let shorter = a.len().min(b.len());
    let (a, b) = (&a[..shorter], &b[..shorter]);
    let mut total = 0;
    for (x, y) in a.chunks(64).zip(b.chunks(64)) {
        if x == y {
            total += x.len();
            continue;
        }
        return total + x.iter().zip(y).take_while(|(p, q)| p == q).count();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens as interning every line would give them: equal lines, equal tokens.
    fn assert_tokens_match_lines(before: &str, after: &str) {
        let tokens = LineTokens::new(before, after);
        let lines = |text: &str| {
            let mut all = Vec::new();
            for_each_line(text, |line, _| all.push(line.to_string()));
            all
        };
        let (old, new) = (lines(before), lines(after));
        assert_eq!(tokens.before.len(), old.len());
        assert_eq!(tokens.after.len(), new.len());
        let all: Vec<(&String, Token)> = old
            .iter()
            .zip(&tokens.before)
            .chain(new.iter().zip(&tokens.after))
            .map(|(line, &token)| (line, token))
            .collect();
        for &(line, token) in &all {
            assert_eq!(tokens.lines[token.0 as usize], line.as_str());
            for &(other, other_token) in &all {
                assert_eq!(line == other, token == other_token, "{line:?} vs {other:?}");
            }
        }
    }

    #[test]
    fn equal_lines_get_equal_tokens() {
        assert_tokens_match_lines("a\nb\nc\n", "a\nb\nc\n");
        assert_tokens_match_lines("a\nb\nc\n", "a\nx\nc\n");
        assert_tokens_match_lines("a\nb\nc\n", "x\na\nb\nc\ny\n");
        assert_tokens_match_lines("a\nb\nc\nd\n", "a\nd\n");
        assert_tokens_match_lines("}\n}\nx\n}\n", "}\nx\n}\n}\n}\n");
        assert_tokens_match_lines("", "a\n");
        assert_tokens_match_lines("a\n", "");
    }

    #[test]
    fn a_missing_final_newline_makes_a_different_line() {
        assert_tokens_match_lines("a\nb", "a\nb\n");
        assert_tokens_match_lines("a\nb\n", "a\nb");
        assert_tokens_match_lines("a\nb", "a\nbc\n");
        assert_tokens_match_lines("a\nb", "a\nb\nc");
        assert_tokens_match_lines("a\r\nb\r\n", "a\nb\r\n");
    }

    #[test]
    fn realigns_after_long_insertions_and_deletions() {
        let old: String = (0..200).map(|i| format!("line {i}\n")).collect();
        let deleted: String = (0..200)
            .filter(|i| !(50..120).contains(i))
            .map(|i| format!("line {i}\n"))
            .collect();
        let inserted = old.replace("line 60\n", &"new\n".repeat(40));
        assert_tokens_match_lines(&old, &deleted);
        assert_tokens_match_lines(&old, &inserted);
        assert_tokens_match_lines(&deleted, &old);
    }
}
