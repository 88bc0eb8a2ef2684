//! Per-DFA-state token masks over a vocabulary.
//!
//! The vocabulary's byte strings form a trie laid out in preorder, so one pass over an array
//! walks every token from a DFA state while skipping whole subtrees at the first dead byte.
//! Identical masks are stored once.

use super::automaton::{Automaton, StateId, DEAD};
use super::vocabulary::Vocabulary;
use std::collections::HashMap;

/// A vocabulary's tokens as a preorder trie.
#[derive(Debug)]
pub struct TokenTrie {
    byte: Vec<u8>,
    depth: Vec<u16>,
    /// Index of the first node after this node's subtree.
    subtree_end: Vec<u32>,
    /// Tokens ending at node `n` are `ends[ends_start[n]..ends_start[n + 1]]`.
    ends_start: Vec<u32>,
    ends: Vec<u32>,
    max_depth: usize,
}

impl TokenTrie {
    pub fn new(vocabulary: &Vocabulary) -> TokenTrie {
        let mut sorted: Vec<(u32, &[u8])> = vocabulary.tokens().filter(|(_, bytes)| !bytes.is_empty()).collect();
        sorted.sort_unstable_by(|a, b| a.1.cmp(b.1));
        let mut trie = TokenTrie { byte: Vec::new(), depth: Vec::new(), subtree_end: Vec::new(), ends_start: Vec::new(), ends: Vec::new(), max_depth: 0 };
        let mut token_at_node: Vec<(u32, u32)> = Vec::new();
        let mut path: Vec<u32> = Vec::new();
        let mut previous: &[u8] = &[];
        for (id, bytes) in sorted {
            let common = previous.iter().zip(bytes).take_while(|(a, b)| a == b).count();
            while path.len() > common {
                let node = path.pop().expect("non-empty path");
                trie.subtree_end[node as usize] = trie.byte.len() as u32;
            }
            for (depth, &byte) in bytes.iter().enumerate().skip(common) {
                path.push(trie.byte.len() as u32);
                trie.byte.push(byte);
                trie.depth.push(depth as u16 + 1);
                trie.subtree_end.push(0);
            }
            token_at_node.push((*path.last().expect("a token has bytes"), id));
            trie.max_depth = trie.max_depth.max(bytes.len());
            previous = bytes;
        }
        while let Some(node) = path.pop() {
            trie.subtree_end[node as usize] = trie.byte.len() as u32;
        }
        token_at_node.sort_unstable();
        let mut cursor = 0;
        for node in 0..=trie.byte.len() as u32 {
            trie.ends_start.push(trie.ends.len() as u32);
            while cursor < token_at_node.len() && token_at_node[cursor].0 == node {
                trie.ends.push(token_at_node[cursor].1);
                cursor += 1;
            }
        }
        trie
    }

    pub fn node_count(&self) -> usize {
        self.byte.len()
    }

    /// Calls `allow(token)` for each token whose bytes keep `automaton` alive from `state`.
    pub fn for_each_allowed(&self, automaton: &Automaton, state: StateId, mut allow: impl FnMut(u32)) {
        let mut states = vec![state; self.max_depth + 1];
        let mut node = 0usize;
        let nodes = self.byte.len();
        while node < nodes {
            let depth = self.depth[node] as usize;
            let next = automaton.step(states[depth - 1], self.byte[node]);
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
    }

    pub fn heap_bytes(&self) -> usize {
        self.byte.len() * (1 + 2 + 4) + (self.ends_start.len() + self.ends.len()) * 4
    }
}

/// Allowed-token bitmasks (u32 words, bit `t % 32` of word `t / 32`) for every live state.
#[derive(Debug)]
pub struct TokenIndex {
    pub words_per_mask: usize,
    /// All distinct masks back to back.
    pub masks: Vec<u32>,
    /// For each automaton state, the index of its mask in `masks` (in masks, not words).
    pub mask_of_state: Vec<u32>,
}

impl TokenIndex {
    /// `eos` is allowed exactly in accepting states.
    pub fn build(automaton: &Automaton, trie: &TokenTrie, vocabulary_size: usize, eos: Option<u32>) -> TokenIndex {
        let words = vocabulary_size.div_ceil(32);
        let mut masks: Vec<u32> = vec![0; words];
        let mut mask_of_state = vec![0u32; automaton.state_count()];
        let mut known: HashMap<Vec<u32>, u32> = HashMap::new();
        known.insert(vec![0; words], 0);
        let mut scratch = vec![0u32; words];
        for state in 1..automaton.state_count() as StateId {
            scratch.iter_mut().for_each(|w| *w = 0);
            trie.for_each_allowed(automaton, state, |token| scratch[token as usize / 32] |= 1 << (token % 32));
            if let Some(eos) = eos.filter(|_| automaton.is_accepting(state)) {
                scratch[eos as usize / 32] |= 1 << (eos % 32);
            }
            let next_id = known.len() as u32;
            let id = *known.entry(scratch.clone()).or_insert_with(|| {
                masks.extend_from_slice(&scratch);
                next_id
            });
            mask_of_state[state as usize] = id;
        }
        TokenIndex { words_per_mask: words, masks, mask_of_state }
    }

    pub fn mask(&self, state: StateId) -> &[u32] {
        let start = self.mask_of_state[state as usize] as usize * self.words_per_mask;
        &self.masks[start..start + self.words_per_mask]
    }

    pub fn distinct_masks(&self) -> usize {
        self.masks.len() / self.words_per_mask.max(1)
    }

    pub fn heap_bytes(&self) -> usize {
        (self.masks.len() + self.mask_of_state.len()) * 4
    }
}

/// The state after emitting `token` from `state`; DEAD if the token is not allowed there.
pub fn advance(automaton: &Automaton, vocabulary: &Vocabulary, state: StateId, token: u32) -> StateId {
    match vocabulary.token(token) {
        Some(bytes) if state != DEAD => automaton.walk(state, bytes),
        _ => DEAD,
    }
}
