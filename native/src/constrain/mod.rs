//! Constrained decoding: JSON Schema → regex → DFA → per-state token masks, a streaming
//! validator and jump-forward.

pub mod automaton;
pub mod ecma_pattern;
pub mod index;
pub mod nfa;
pub mod schema_regex;
pub mod trie;
pub mod vocabulary;

#[cfg(test)]
mod compile_bench;
#[cfg(test)]
mod tests;
