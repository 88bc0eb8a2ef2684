//! Lines as imara-diff tokens: equal lines get equal tokens, numbered in order of first sight.

use foldhash::fast::RandomState;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use imara_diff::Token;
use std::hash::BuildHasher as _;

pub struct Interner<'a> {
    /// Each token's line, terminator included.
    pub lines: Vec<&'a str>,
    table: HashTable<u32>,
    hasher: RandomState,
}

impl<'a> Interner<'a> {
    /// Room for `lines` distinct lines before the table grows.
    pub fn with_capacity(lines: usize) -> Self {
        Interner {
            lines: Vec::with_capacity(lines),
            table: HashTable::with_capacity(lines),
            hasher: RandomState::default(),
        }
    }

    pub fn intern(&mut self, line: &'a str) -> Token {
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

    /// The token of `line` if it was interned.
    pub fn find(&self, line: &str) -> Option<Token> {
        let hash = self.hasher.hash_one(line.as_bytes());
        let token = self
            .table
            .find(hash, |&token| self.lines[token as usize] == line)?;
        Some(Token(*token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_lines_get_equal_tokens_in_order_of_first_sight() {
        let mut interner = Interner::with_capacity(1);
        let tokens: Vec<u32> = ["a\n", "b\n", "a\n", "a", "b\n"]
            .into_iter()
            .map(|line| interner.intern(line).0)
            .collect();
        assert_eq!(tokens, [0, 1, 0, 2, 1]);
        assert_eq!(interner.lines, ["a\n", "b\n", "a"]);
        assert_eq!(interner.find("b\n"), Some(Token(1)));
        assert_eq!(interner.find("c\n"), None);
    }
}
