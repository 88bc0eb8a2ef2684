//! A vocabulary's tokens as one byte trie, built once per vocabulary and shared by every
//! automaton's masks.
//!
//! The trie is laid out in preorder, so one pass over its arrays walks every token from a DFA
//! state while skipping a whole subtree at the first byte that kills the text.

use super::automaton::{Automaton, StateId, DEAD};

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
    /// `tokens`: (id, bytes) of the non-empty tokens, sorted by bytes.
    pub fn new<'a>(tokens: impl Iterator<Item = (u32, &'a [u8])>) -> TokenTrie {
        let mut trie = TokenTrie { byte: Vec::new(), depth: Vec::new(), subtree_end: Vec::new(), ends_start: Vec::new(), ends: Vec::new(), max_depth: 0 };
        let mut path: Vec<u32> = Vec::new();
        let mut previous: &[u8] = &[];
        for (id, bytes) in tokens {
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
            // In byte order a token ends at the newest node: ends are filled node by node.
            let node = *path.last().expect("a token has bytes") as usize;
            while trie.ends_start.len() <= node {
                trie.ends_start.push(trie.ends.len() as u32);
            }
            trie.ends.push(id);
            trie.max_depth = trie.max_depth.max(bytes.len());
            previous = bytes;
        }
        while let Some(node) = path.pop() {
            trie.subtree_end[node as usize] = trie.byte.len() as u32;
        }
        while trie.ends_start.len() <= trie.byte.len() {
            trie.ends_start.push(trie.ends.len() as u32);
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
        let mut stepper = automaton.stepper();
        while node < nodes {
            let depth = self.depth[node] as usize;
            let next = stepper.step_byte(states[depth - 1], self.byte[node]);
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
