//! A vocabulary's tokens as a trie: over bytes, built once per vocabulary and shared by every
//! automaton's masks, or over one automaton's byte classes, for walks from all of its states.
//!
//! A trie is laid out in preorder, so one pass over its arrays walks every token from a DFA
//! state while skipping a whole subtree at the first symbol that kills the text.

use super::automaton::{Automaton, StateId, DEAD};

/// What a trie's symbols are.
#[derive(Clone, Copy, Debug)]
enum Symbols {
    Bytes,
    /// One automaton's byte classes: tokens with the same class sequence are interchangeable in
    /// every state, so they share a path (for the tool-call schema on o200k_base, 257k nodes
    /// instead of 422k).
    Classes,
}

const IDENTITY: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = i as u8;
        i += 1;
    }
    table
};

#[derive(Debug)]
pub struct TokenTrie {
    symbols: Symbols,
    symbol: Vec<u8>,
    depth: Vec<u16>,
    /// Index of the first node after this node's subtree.
    subtree_end: Vec<u32>,
    /// Tokens ending at node `n` are `ends[ends_start[n]..ends_start[n + 1]]`.
    ends_start: Vec<u32>,
    ends: Vec<u32>,
    max_depth: usize,
}

impl TokenTrie {
    /// `tokens`: (id, bytes) of the non-empty tokens, sorted by bytes.
    pub fn new<'a>(tokens: impl Iterator<Item = (u32, &'a [u8])>) -> TokenTrie {
        TokenTrie::from_sorted(tokens, Symbols::Bytes)
    }

    /// This byte trie's tokens over `automaton`'s byte classes.
    pub fn over_classes(&self, automaton: &Automaton) -> TokenTrie {
        debug_assert!(matches!(self.symbols, Symbols::Bytes), "over_classes takes a byte trie");
        let classes = automaton.byte_classes();
        let mut sequences: Vec<u8> = Vec::new();
        let mut spans: Vec<(u32, u32, u32)> = Vec::new();
        let mut path = vec![0u8; self.max_depth];
        for node in 0..self.symbol.len() {
            let depth = self.depth[node] as usize;
            path[depth - 1] = classes[self.symbol[node] as usize];
            for &id in &self.ends[self.ends_start[node] as usize..self.ends_start[node + 1] as usize] {
                spans.push((id, sequences.len() as u32, depth as u32));
                sequences.extend_from_slice(&path[..depth]);
            }
        }
        let sequence = |&(_, start, len): &(u32, u32, u32)| &sequences[start as usize..(start + len) as usize];
        // Byte order is nearly class-sequence order (classes are numbered in byte order), which
        // makes this sort cheap.
        spans.sort_by(|a, b| sequence(a).cmp(sequence(b)));
        TokenTrie::from_sorted(spans.iter().map(|span| (span.0, sequence(span))), Symbols::Classes)
    }

    fn from_sorted<'a>(tokens: impl Iterator<Item = (u32, &'a [u8])>, symbols: Symbols) -> TokenTrie {
        let mut trie = TokenTrie { symbols, symbol: Vec::new(), depth: Vec::new(), subtree_end: Vec::new(), ends_start: Vec::new(), ends: Vec::new(), max_depth: 0 };
        let mut path: Vec<u32> = Vec::new();
        let mut previous: &[u8] = &[];
        for (id, bytes) in tokens {
            let common = previous.iter().zip(bytes).take_while(|(a, b)| a == b).count();
            while path.len() > common {
                let node = path.pop().expect("non-empty path");
                trie.subtree_end[node as usize] = trie.symbol.len() as u32;
            }
            for (depth, &symbol) in bytes.iter().enumerate().skip(common) {
                path.push(trie.symbol.len() as u32);
                trie.symbol.push(symbol);
                trie.depth.push(depth as u16 + 1);
                trie.subtree_end.push(0);
            }
            // In sorted order a token ends at the newest node: ends are filled node by node.
            let node = *path.last().expect("a token has bytes") as usize;
            while trie.ends_start.len() <= node {
                trie.ends_start.push(trie.ends.len() as u32);
            }
            trie.ends.push(id);
            trie.max_depth = trie.max_depth.max(bytes.len());
            previous = bytes;
        }
        while let Some(node) = path.pop() {
            trie.subtree_end[node as usize] = trie.symbol.len() as u32;
        }
        while trie.ends_start.len() <= trie.symbol.len() {
            trie.ends_start.push(trie.ends.len() as u32);
        }
        trie
    }

    pub fn node_count(&self) -> usize {
        self.symbol.len()
    }

    /// Calls `allow(token)` for each token whose bytes keep `automaton` alive from `state`;
    /// returns how many nodes the walk stepped through (the rest it skipped with their subtrees).
    pub fn for_each_allowed(&self, automaton: &Automaton, state: StateId, mut allow: impl FnMut(u32)) -> usize {
        let classes = match self.symbols {
            Symbols::Bytes => automaton.byte_classes(),
            Symbols::Classes => &IDENTITY,
        };
        let mut states = vec![state; self.max_depth + 1];
        let mut node = 0usize;
        let nodes = self.symbol.len();
        let mut stepper = automaton.stepper();
        let mut stepped = 0;
        while node < nodes {
            stepped += 1;
            let depth = self.depth[node] as usize;
            let next = stepper.step_class(states[depth - 1], classes[self.symbol[node] as usize]);
            if next == DEAD {
                node = self.subtree_end[node] as usize;
                continue;
            }
            states[depth] = next;
            for &token in &self.ends[self.ends_start[node] as usize..self.ends_start[node + 1] as usize] {
                allow(token);
            }
            node += 1;
        }
        stepped
    }

    pub fn heap_bytes(&self) -> usize {
        self.symbol.len() * (1 + 2 + 4) + (self.ends_start.len() + self.ends.len()) * 4
    }
}
