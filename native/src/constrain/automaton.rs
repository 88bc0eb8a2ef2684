//! A regex → a compact, fully-anchored DFA over bytes.
//!
//! regex-automata builds the dense DFA; we then copy its reachable states into our own table
//! (byte classes × states, state 0 = dead) and redirect states that can no longer reach a match
//! to the dead state. (regex-automata's minimiser was measured: 17× the build time for <1% fewer
//! states on a tool-call schema, so it stays off.) "Dead" then means exactly "no continuation can
//! complete this text", which is what the streaming validator, the token masks and jump-forward
//! all need.

use regex_automata::dfa::{dense, Automaton as _, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, MatchKind};
use std::collections::HashMap;
use std::fmt;

pub type StateId = u32;
pub const DEAD: StateId = 0;

#[derive(Debug)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

#[derive(Clone, Debug)]
pub struct Automaton {
    classes: [u8; 256],
    alphabet: usize,
    /// `next[state * alphabet + class]`.
    next: Vec<StateId>,
    accepting: Vec<bool>,
    /// For each class, its byte if the class holds exactly one byte.
    singleton: Vec<Option<u8>>,
    start: StateId,
}

/// Where a text stands against the automaton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A prefix of some accepted text, not itself accepted.
    Ok,
    /// Accepted as it stands (it may still continue).
    Complete,
    /// No continuation can be accepted.
    Dead,
}

impl Automaton {
    /// Builds the DFA of `regex` matched against the whole text. `size_limit` bounds the memory
    /// regex-automata may use while determinising, in bytes.
    pub fn from_regex(regex: &str, size_limit: usize) -> Result<Automaton, BuildError> {
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(size_limit))
                    .determinize_size_limit(Some(size_limit)),
            )
            .syntax(syntax::Config::new().unicode(true).utf8(true))
            .thompson(thompson::Config::new().utf8(true))
            .build(regex)
            .map_err(|e| BuildError(format!("the schema's regex could not be turned into a DFA: {e}")))?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .map_err(|e| BuildError(format!("no anchored start state: {e}")))?;

        let byte_classes = dfa.byte_classes();
        let mut classes = [0u8; 256];
        let mut representatives: Vec<u8> = Vec::new();
        let mut class_sizes: Vec<usize> = Vec::new();
        for byte in 0..=255u8 {
            let class = byte_classes.get(byte) as usize;
            classes[byte as usize] = class as u8;
            if class == representatives.len() {
                representatives.push(byte);
                class_sizes.push(0);
            }
            class_sizes[class] += 1;
        }
        let alphabet = representatives.len();

        let mut ids: HashMap<_, StateId> = HashMap::new();
        let mut order = vec![start];
        ids.insert(start, 1);
        let mut next = vec![DEAD; alphabet];
        let mut accepting = vec![false];
        let mut i = 0;
        while i < order.len() {
            let state = order[i];
            accepting.push(dfa.is_match_state(dfa.next_eoi_state(state)));
            for &byte in &representatives {
                let target = dfa.next_state(state, byte);
                let id = if dfa.is_dead_state(target) || dfa.is_quit_state(target) {
                    DEAD
                } else {
                    *ids.entry(target).or_insert_with(|| {
                        order.push(target);
                        order.len() as StateId
                    })
                };
                next.push(id);
            }
            i += 1;
        }
        let singleton = (0..alphabet).map(|c| (class_sizes[c] == 1).then_some(representatives[c])).collect();
        let automaton = Automaton { classes, alphabet, next, accepting, singleton, start: 1 };
        Ok(automaton.prune_hopeless().compact())
    }

    pub fn start(&self) -> StateId {
        self.start
    }

    pub fn state_count(&self) -> usize {
        self.accepting.len()
    }

    pub fn is_accepting(&self, state: StateId) -> bool {
        self.accepting[state as usize]
    }

    #[inline]
    pub fn step(&self, state: StateId, byte: u8) -> StateId {
        self.next[state as usize * self.alphabet + self.classes[byte as usize] as usize]
    }

    pub fn class_of(&self, byte: u8) -> u8 {
        self.classes[byte as usize]
    }

    #[inline]
    pub fn step_class(&self, state: StateId, class: u8) -> StateId {
        self.next[state as usize * self.alphabet + class as usize]
    }

    /// Runs `bytes` from `state`; stops early at the dead state.
    pub fn walk(&self, mut state: StateId, bytes: &[u8]) -> StateId {
        for &byte in bytes {
            state = self.step(state, byte);
            if state == DEAD {
                break;
            }
        }
        state
    }

    pub fn status(&self, state: StateId) -> Status {
        if state == DEAD {
            Status::Dead
        } else if self.is_accepting(state) {
            Status::Complete
        } else {
            Status::Ok
        }
    }

    /// The forced continuation: the longest byte string that every accepted continuation of
    /// `state` starts with, and the state after it.
    pub fn forced(&self, mut state: StateId) -> (Vec<u8>, StateId) {
        let mut bytes = Vec::new();
        while state != DEAD && !self.is_accepting(state) {
            let row = &self.next[state as usize * self.alphabet..(state as usize + 1) * self.alphabet];
            let mut live = row.iter().enumerate().filter(|(_, target)| **target != DEAD);
            let (Some((class, &target)), None) = (live.next(), live.next()) else { break };
            let Some(byte) = self.singleton[class] else { break };
            bytes.push(byte);
            state = target;
        }
        (bytes, state)
    }

    /// Table bytes held by this automaton (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.next.len() * std::mem::size_of::<StateId>() + self.accepting.len() + self.singleton.len() * 2
    }

    /// Sends every state from which no accepting state is reachable to the dead state.
    fn prune_hopeless(mut self) -> Automaton {
        let states = self.state_count();
        let mut predecessors: Vec<Vec<StateId>> = vec![Vec::new(); states];
        for state in 1..states {
            for class in 0..self.alphabet {
                let target = self.next[state * self.alphabet + class] as usize;
                if target != DEAD as usize {
                    predecessors[target].push(state as StateId);
                }
            }
        }
        let mut hopeful = self.accepting.clone();
        let mut stack: Vec<StateId> = (0..states as StateId).filter(|s| hopeful[*s as usize]).collect();
        while let Some(state) = stack.pop() {
            for &p in &predecessors[state as usize] {
                if !hopeful[p as usize] {
                    hopeful[p as usize] = true;
                    stack.push(p);
                }
            }
        }
        for target in self.next.iter_mut() {
            if !hopeful[*target as usize] {
                *target = DEAD;
            }
        }
        if !hopeful[self.start as usize] {
            self.start = DEAD;
        }
        self
    }

    /// Renumbers the states reachable from the start (breadth first; dead stays 0), dropping
    /// those that pruning cut off.
    fn compact(self) -> Automaton {
        let alphabet = self.alphabet;
        let mut new_id: Vec<Option<StateId>> = vec![None; self.state_count()];
        new_id[DEAD as usize] = Some(DEAD);
        let mut order: Vec<usize> = vec![DEAD as usize];
        if self.start != DEAD {
            new_id[self.start as usize] = Some(1);
            order.push(self.start as usize);
        }
        let mut i = 1;
        while i < order.len() {
            let state = order[i];
            i += 1;
            for class in 0..alphabet {
                let target = self.next[state * alphabet + class] as usize;
                if new_id[target].is_none() {
                    new_id[target] = Some(order.len() as StateId);
                    order.push(target);
                }
            }
        }
        let mut next = Vec::with_capacity(order.len() * alphabet);
        for &state in &order {
            next.extend(self.next[state * alphabet..(state + 1) * alphabet].iter().map(|t| new_id[*t as usize].expect("reachable")));
        }
        let accepting = order.iter().map(|s| self.accepting[*s]).collect();
        let start = if self.start == DEAD { DEAD } else { 1 };
        Automaton { classes: self.classes, alphabet, next, accepting, singleton: self.singleton, start }
    }
}

/// Feeds text chunk by chunk; each byte costs one table lookup.
#[derive(Clone, Debug)]
pub struct Validator {
    state: StateId,
    consumed: usize,
    dead_at: Option<usize>,
}

impl Validator {
    pub fn new(automaton: &Automaton) -> Validator {
        let dead_at = (automaton.start() == DEAD).then_some(0);
        Validator { state: automaton.start(), consumed: 0, dead_at }
    }

    pub fn feed(&mut self, automaton: &Automaton, chunk: &[u8]) -> Status {
        if self.dead_at.is_none() {
            for (i, &byte) in chunk.iter().enumerate() {
                self.state = automaton.step(self.state, byte);
                if self.state == DEAD {
                    self.dead_at = Some(self.consumed + i);
                    break;
                }
            }
        }
        self.consumed += chunk.len();
        automaton.status(self.state)
    }

    pub fn state(&self) -> StateId {
        self.state
    }

    /// Byte offset of the first byte that made the text dead.
    pub fn dead_at(&self) -> Option<usize> {
        self.dead_at
    }

    pub fn consumed(&self) -> usize {
        self.consumed
    }
}
