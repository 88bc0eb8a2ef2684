//! Per-DFA-state token masks over a vocabulary, each computed by one walk of a token trie from
//! the state: the vocabulary's own byte trie, so that a mask costs no per-schema setup, or, in a
//! build of every state's mask that has already walked far, a trie over the automaton's byte
//! classes, whose fewer nodes then repay building it. Identical masks are stored once.

use super::automaton::{Automaton, StateId, DEAD};
use super::trie::TokenTrie;
use super::vocabulary::Vocabulary;
use std::collections::HashMap;

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

/// Deriving the class trie costs about as much as this many walks through every node of the
/// byte trie (measured 14-20 on cl100k_base and o200k_base): a whole-index build switches to it
/// once its walks have stepped through that many nodes, so a small automaton never pays for it
/// and a large one pays at most as much again as it had already walked. Masks on demand never
/// switch, so no decoding step stalls for the derivation.
const CLASS_TRIE_COST_IN_WALKS: usize = 16;

impl TokenIndex {
    /// `eos` is allowed exactly in accepting states.
    pub fn new(automaton: &Automaton, vocabulary: &Vocabulary, eos: Option<u32>) -> TokenIndex {
        let words = vocabulary.len().div_ceil(32);
        let mut mask_of_state = vec![NOT_COMPUTED; automaton.state_count()];
        mask_of_state[DEAD as usize] = 0;
        let mut by_hash = HashMap::new();
        by_hash.insert(hash_words(&vec![0; words]), vec![0]);
        TokenIndex { words_per_mask: words, eos, masks: vec![0; words], mask_of_state, by_hash }
    }

    /// Builds every state of the automaton and computes every state's mask.
    pub fn build(automaton: &Automaton, vocabulary: &Vocabulary, eos: Option<u32>) -> TokenIndex {
        automaton.build_all();
        let mut index = TokenIndex::new(automaton, vocabulary, eos);
        let byte_trie = vocabulary.trie();
        let mut class_trie: Option<TokenTrie> = None;
        let mut stepped = 0;
        for state in 1..automaton.state_count() as StateId {
            stepped += index.compute(automaton, class_trie.as_ref().unwrap_or(byte_trie), state);
            if class_trie.is_none() && stepped >= CLASS_TRIE_COST_IN_WALKS * byte_trie.node_count() {
                class_trie = Some(byte_trie.over_classes(automaton));
            }
        }
        index
    }

    /// The mask number of `state`, computing it if needed.
    pub fn ensure(&mut self, automaton: &Automaton, vocabulary: &Vocabulary, state: StateId) -> u32 {
        if self.mask_of_state.len() <= state as usize {
            self.mask_of_state.resize(automaton.state_count(), NOT_COMPUTED);
        }
        if self.mask_of_state[state as usize] == NOT_COMPUTED {
            self.compute(automaton, vocabulary.trie(), state);
        }
        self.mask_of_state[state as usize]
    }

    /// Computes and stores `state`'s mask; returns the nodes the walk stepped through.
    fn compute(&mut self, automaton: &Automaton, trie: &TokenTrie, state: StateId) -> usize {
        let mut mask = vec![0u32; self.words_per_mask];
        let stepped = trie.for_each_allowed(automaton, state, |token| mask[token as usize / 32] |= 1 << (token % 32));
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
        stepped
    }

    /// The mask of a state already computed (see `ensure`).
    pub fn mask_by_number(&self, number: u32) -> &[u32] {
        let start = number as usize * self.words_per_mask;
        &self.masks[start..start + self.words_per_mask]
    }

    pub fn mask(&mut self, automaton: &Automaton, vocabulary: &Vocabulary, state: StateId) -> &[u32] {
        let number = self.ensure(automaton, vocabulary, state);
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
