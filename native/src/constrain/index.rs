//! Per-DFA-state token masks over a vocabulary.
//!
//! Tokens are rewritten as sequences of the automaton's byte classes: tokens with the same
//! sequence are interchangeable in every state, so they share one trie path (on tiktoken
//! vocabularies this shrinks the trie several-fold). The trie is laid out in preorder, so one
//! pass over an array walks every token from a DFA state while skipping whole subtrees at the
//! first dead class. Identical masks are stored once.

use super::automaton::{Automaton, StateId, DEAD};
use super::vocabulary::Vocabulary;
use std::collections::HashMap;

/// A vocabulary's tokens, as byte-class sequences of one automaton, in a preorder trie.
#[derive(Debug)]
pub struct TokenTrie {
    class: Vec<u8>,
    depth: Vec<u16>,
    /// Index of the first node after this node's subtree.
    subtree_end: Vec<u32>,
    /// Tokens ending at node `n` are `ends[ends_start[n]..ends_start[n + 1]]`.
    ends_start: Vec<u32>,
    ends: Vec<u32>,
    max_depth: usize,
}

impl TokenTrie {
    pub fn new(vocabulary: &Vocabulary, automaton: &Automaton) -> TokenTrie {
        let mut symbols: Vec<u8> = Vec::new();
        let mut spans: Vec<(u32, u32, u32)> = Vec::new();
        for (id, bytes) in vocabulary.tokens_in_byte_order() {
            spans.push((id, symbols.len() as u32, bytes.len() as u32));
            symbols.extend(bytes.iter().map(|b| automaton.class_of(*b)));
        }
        let sequence = |&(_, start, len): &(u32, u32, u32)| &symbols[start as usize..(start + len) as usize];
        // Byte order is nearly class-sequence order (classes are numbered in byte order), which
        // makes this sort cheap.
        spans.sort_by(|a, b| sequence(a).cmp(sequence(b)));
        let mut trie = TokenTrie { class: Vec::new(), depth: Vec::new(), subtree_end: Vec::new(), ends_start: Vec::new(), ends: Vec::new(), max_depth: 0 };
        let mut token_at_node: Vec<(u32, u32)> = Vec::new();
        let mut path: Vec<u32> = Vec::new();
        let mut previous: &[u8] = &[];
        for span in &spans {
            let classes = sequence(span);
            let common = previous.iter().zip(classes).take_while(|(a, b)| a == b).count();
            while path.len() > common {
                let node = path.pop().expect("non-empty path");
                trie.subtree_end[node as usize] = trie.class.len() as u32;
            }
            for (depth, &class) in classes.iter().enumerate().skip(common) {
                path.push(trie.class.len() as u32);
                trie.class.push(class);
                trie.depth.push(depth as u16 + 1);
                trie.subtree_end.push(0);
            }
            token_at_node.push((*path.last().expect("a token has bytes"), span.0));
            trie.max_depth = trie.max_depth.max(classes.len());
            previous = classes;
        }
        while let Some(node) = path.pop() {
            trie.subtree_end[node as usize] = trie.class.len() as u32;
        }
        token_at_node.sort_unstable();
        let mut cursor = 0;
        for node in 0..=trie.class.len() as u32 {
            trie.ends_start.push(trie.ends.len() as u32);
            while cursor < token_at_node.len() && token_at_node[cursor].0 == node {
                trie.ends.push(token_at_node[cursor].1);
                cursor += 1;
            }
        }
        trie
    }

    pub fn node_count(&self) -> usize {
        self.class.len()
    }

    /// Calls `allow(token)` for each token whose bytes keep `automaton` alive from `state`.
    pub fn for_each_allowed(&self, automaton: &Automaton, state: StateId, mut allow: impl FnMut(u32)) {
        let mut states = vec![state; self.max_depth + 1];
        let mut node = 0usize;
        let nodes = self.class.len();
        let mut stepper = automaton.stepper();
        while node < nodes {
            let depth = self.depth[node] as usize;
            let next = stepper.step_class(states[depth - 1], self.class[node]);
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
        self.class.len() * (1 + 2 + 4) + (self.ends_start.len() + self.ends.len()) * 4
    }
}

/// Allowed-token bitmasks (u32 words, bit `t % 32` of word `t / 32`) per automaton state,
/// computed on first use or all at once; identical masks are stored once.
#[derive(Debug)]
pub struct TokenIndex {
    pub words_per_mask: usize,
    eos: Option<u32>,
    /// All distinct masks back to back; mask 0 is the empty mask (the dead state's).
    masks: Vec<u32>,
    /// For each automaton state, its mask number, or NOT_COMPUTED.
    mask_of_state: Vec<u32>,
    by_hash: HashMap<u64, Vec<u32>>,
}

const NOT_COMPUTED: u32 = u32::MAX;

impl TokenIndex {
    /// `eos` is allowed exactly in accepting states.
    pub fn new(automaton: &Automaton, vocabulary_size: usize, eos: Option<u32>) -> TokenIndex {
        let words = vocabulary_size.div_ceil(32);
        let mut mask_of_state = vec![NOT_COMPUTED; automaton.state_count()];
        mask_of_state[DEAD as usize] = 0;
        let mut by_hash = HashMap::new();
        by_hash.insert(hash_words(&vec![0; words]), vec![0]);
        TokenIndex { words_per_mask: words, eos, masks: vec![0; words], mask_of_state, by_hash }
    }

    /// Builds every state of the automaton and computes every state's mask.
    pub fn build(automaton: &Automaton, trie: &TokenTrie, vocabulary_size: usize, eos: Option<u32>) -> TokenIndex {
        automaton.build_all();
        let mut index = TokenIndex::new(automaton, vocabulary_size, eos);
        for state in 1..automaton.state_count() as StateId {
            index.ensure(automaton, trie, state);
        }
        index
    }

    /// The mask number of `state`, computing it if needed.
    pub fn ensure(&mut self, automaton: &Automaton, trie: &TokenTrie, state: StateId) -> u32 {
        if self.mask_of_state.len() <= state as usize {
            self.mask_of_state.resize(automaton.state_count(), NOT_COMPUTED);
        }
        let known = self.mask_of_state[state as usize];
        if known != NOT_COMPUTED {
            return known;
        }
        let mut mask = vec![0u32; self.words_per_mask];
        trie.for_each_allowed(automaton, state, |token| mask[token as usize / 32] |= 1 << (token % 32));
        if let Some(eos) = self.eos.filter(|_| automaton.is_accepting(state)) {
            mask[eos as usize / 32] |= 1 << (eos % 32);
        }
        let words = self.words_per_mask;
        let candidates = self.by_hash.entry(hash_words(&mask)).or_default();
        let id = match candidates.iter().find(|id| self.masks[**id as usize * words..(**id as usize + 1) * words] == mask[..]) {
            Some(id) => *id,
            None => {
                let id = (self.masks.len() / words) as u32;
                self.masks.extend_from_slice(&mask);
                candidates.push(id);
                id
            }
        };
        self.mask_of_state[state as usize] = id;
        id
    }

    /// The mask of a state already computed (see `ensure`).
    pub fn mask_by_number(&self, number: u32) -> &[u32] {
        let start = number as usize * self.words_per_mask;
        &self.masks[start..start + self.words_per_mask]
    }

    pub fn mask(&mut self, automaton: &Automaton, trie: &TokenTrie, state: StateId) -> &[u32] {
        let number = self.ensure(automaton, trie, state);
        self.mask_by_number(number)
    }

    /// All distinct masks back to back and each state's mask number (NOT_COMPUTED = u32::MAX).
    pub fn tables(&self) -> (&[u32], &[u32]) {
        (&self.masks, &self.mask_of_state)
    }

    pub fn distinct_masks(&self) -> usize {
        self.masks.len() / self.words_per_mask.max(1)
    }

    pub fn heap_bytes(&self) -> usize {
        (self.masks.len() + self.mask_of_state.len()) * 4
    }
}

fn hash_words(words: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut hasher);
    hasher.finish()
}

/// The state after emitting `token` from `state`; DEAD if the token is not allowed there.
pub fn advance(automaton: &Automaton, vocabulary: &Vocabulary, state: StateId, token: u32) -> StateId {
    match vocabulary.token(token) {
        Some(bytes) if state != DEAD => automaton.walk(state, bytes),
        _ => DEAD,
    }
}
