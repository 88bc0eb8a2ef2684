//! A regex → a fully-anchored DFA over bytes, determinised lazily.
//!
//! regex-automata compiles the regex to a Thompson NFA; DFA states (sets of NFA states) and
//! their transition rows are built here on first reach, so a schema whose full DFA has tens of
//! thousands of states answers its first questions in milliseconds. NFA states from which no
//! match is reachable are left out of every set, so a set that ends up empty is the dead state:
//! "dead" means exactly "no continuation can complete this text", which is what the streaming
//! validator, the token masks and jump-forward all need. State numbers are stable (states are
//! never evicted); outgrowing the size limit is an error, never a silent reset.

use regex_automata::nfa::thompson::{self, State as NfaState, Transition, WhichCaptures, NFA};
use regex_automata::util::primitives::StateID as NfaStateId;
use regex_automata::util::syntax;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

pub type StateId = u32;
pub const DEAD: StateId = 0;
/// A transition row not built yet.
const UNKNOWN: StateId = StateId::MAX;

#[derive(Debug)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// What never changes once compiled: the NFA and its byte classes.
#[derive(Debug)]
struct Nfa {
    nfa: NFA,
    /// Per NFA state: whether a match state is reachable from it.
    hopeful: Vec<bool>,
    classes: [u8; 256],
    /// The last byte of each class (classes are contiguous byte ranges).
    class_end: Vec<u8>,
    size_limit: usize,
}

/// The DFA states and rows built so far.
#[derive(Debug)]
struct Table {
    alphabet: usize,
    /// `next[state * alphabet + class]`; a row is UNKNOWN until its state is first stepped from.
    next: Vec<StateId>,
    accepting: Vec<bool>,
    /// Each state's NFA states (hopeful consuming and match states, sorted); the dead state's is empty.
    sets: Vec<Box<[NfaStateId]>>,
    ids: HashMap<Box<[NfaStateId]>, StateId>,
    set_bytes: usize,
    /// Scratch for epsilon closures and row building.
    seen: Vec<u32>,
    generation: u32,
    stack: Vec<NfaStateId>,
    buckets: Vec<Vec<NfaStateId>>,
}

#[derive(Debug)]
pub struct Automaton {
    nfa: Nfa,
    table: RefCell<Table>,
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

impl Nfa {
    fn compile(regex: &str, size_limit: usize) -> Result<Nfa, BuildError> {
        let nfa = thompson::Compiler::new()
            .syntax(syntax::Config::new().unicode(true).utf8(true))
            .configure(thompson::Config::new().utf8(true).which_captures(WhichCaptures::None).nfa_size_limit(Some(size_limit)))
            .build(regex)
            .map_err(|e| BuildError(format!("the schema's regex could not be turned into an automaton: {e}")))?;
        if !nfa.look_set_any().is_empty() {
            return Err(BuildError("the regex uses anchors or word boundaries inside it, which constrained decoding does not support; the whole text is always matched".into()));
        }
        let byte_classes = nfa.byte_classes();
        let mut classes = [0u8; 256];
        let mut class_end: Vec<u8> = Vec::new();
        for byte in 0..=255u8 {
            let class = byte_classes.get(byte);
            classes[byte as usize] = class;
            match class as usize {
                c if c == class_end.len() => class_end.push(byte),
                c if c + 1 == class_end.len() => class_end[c] = byte,
                _ => return Err(BuildError("internal: the regex's byte classes are not contiguous ranges".into())),
            }
        }
        let hopeful = hopeful_states(&nfa);
        Ok(Nfa { nfa, hopeful, classes, class_end, size_limit })
    }

    /// Files `trans.next` under every class `trans` covers.
    fn add_transition(&self, buckets: &mut [Vec<NfaStateId>], trans: &Transition) {
        let mut byte = trans.start;
        loop {
            let class = self.classes[byte as usize] as usize;
            buckets[class].push(trans.next);
            let end = self.class_end[class];
            if end >= trans.end {
                break;
            }
            byte = end + 1;
        }
    }

    fn alphabet(&self) -> usize {
        self.class_end.len()
    }
}

/// Marks the NFA states from which a match state is reachable (a backward search).
fn hopeful_states(nfa: &NFA) -> Vec<bool> {
    let count = nfa.states().len();
    let mut predecessors: Vec<Vec<NfaStateId>> = vec![Vec::new(); count];
    let mut matches = Vec::new();
    for (index, state) in nfa.states().iter().enumerate() {
        let from = NfaStateId::new_unchecked(index);
        let mut edge = |to: NfaStateId| predecessors[to.as_usize()].push(from);
        match state {
            NfaState::ByteRange { trans } => edge(trans.next),
            NfaState::Sparse(sparse) => sparse.transitions.iter().for_each(|t| edge(t.next)),
            NfaState::Dense(dense) => dense.transitions.iter().filter(|t| **t != NfaStateId::ZERO).for_each(|t| edge(*t)),
            NfaState::Look { next, .. } | NfaState::Capture { next, .. } => edge(*next),
            NfaState::Union { alternates } => alternates.iter().for_each(|t| edge(*t)),
            NfaState::BinaryUnion { alt1, alt2 } => {
                edge(*alt1);
                edge(*alt2);
            }
            NfaState::Fail => {}
            NfaState::Match { .. } => matches.push(from),
        }
    }
    let mut hopeful = vec![false; count];
    for state in &matches {
        hopeful[state.as_usize()] = true;
    }
    while let Some(state) = matches.pop() {
        for &p in &predecessors[state.as_usize()] {
            if !hopeful[p.as_usize()] {
                hopeful[p.as_usize()] = true;
                matches.push(p);
            }
        }
    }
    hopeful
}

impl Table {
    fn new(nfa: &Nfa) -> Table {
        let alphabet = nfa.alphabet();
        let mut table = Table {
            alphabet,
            next: vec![DEAD; alphabet],
            accepting: vec![false],
            sets: vec![Box::new([])],
            ids: HashMap::new(),
            set_bytes: 0,
            seen: vec![0; nfa.nfa.states().len()],
            generation: 0,
            stack: Vec::new(),
            buckets: vec![Vec::new(); alphabet],
        };
        table.ids.insert(Box::new([]), DEAD);
        table
    }

    /// The state of the hopeful consuming and match states reachable from `seeds` by empty
    /// transitions; DEAD when there are none.
    fn closure_state(&mut self, nfa: &Nfa, seeds: &[NfaStateId]) -> StateId {
        self.generation += 1;
        let generation = self.generation;
        let mut set: Vec<NfaStateId> = Vec::new();
        self.stack.extend_from_slice(seeds);
        while let Some(id) = self.stack.pop() {
            let index = id.as_usize();
            if self.seen[index] == generation || !nfa.hopeful[index] {
                continue;
            }
            self.seen[index] = generation;
            match nfa.nfa.state(id) {
                NfaState::ByteRange { .. } | NfaState::Sparse(_) | NfaState::Dense(_) | NfaState::Match { .. } => set.push(id),
                NfaState::Union { alternates } => self.stack.extend(alternates.iter().rev()),
                NfaState::BinaryUnion { alt1, alt2 } => self.stack.extend([*alt2, *alt1]),
                NfaState::Capture { next, .. } | NfaState::Look { next, .. } => self.stack.push(*next),
                NfaState::Fail => {}
            }
        }
        set.sort_unstable();
        self.intern(nfa, set)
    }

    fn intern(&mut self, nfa: &Nfa, set: Vec<NfaStateId>) -> StateId {
        if let Some(id) = self.ids.get(set.as_slice()) {
            return *id;
        }
        let id = self.accepting.len() as StateId;
        let accepting = set.iter().any(|s| matches!(nfa.nfa.state(*s), NfaState::Match { .. }));
        let set: Box<[NfaStateId]> = set.into_boxed_slice();
        self.set_bytes += set.len() * 2 * std::mem::size_of::<NfaStateId>() + 64;
        self.accepting.push(accepting);
        self.next.extend(std::iter::repeat_n(UNKNOWN, self.alphabet));
        self.sets.push(set.clone());
        self.ids.insert(set, id);
        if self.heap_bytes() > nfa.size_limit {
            panic!(
                "the constraint's automaton outgrew its size limit of {} bytes after {} states; raise sizeLimit or simplify the schema (shorter bounded strings and arrays)",
                nfa.size_limit,
                self.accepting.len()
            );
        }
        id
    }

    /// Builds `state`'s transition row.
    #[cold]
    #[inline(never)]
    fn build_row(&mut self, nfa: &Nfa, state: StateId) {
        let mut buckets = std::mem::take(&mut self.buckets);
        buckets.iter_mut().for_each(Vec::clear);
        for &id in self.sets[state as usize].iter() {
            match nfa.nfa.state(id) {
                NfaState::ByteRange { trans } => nfa.add_transition(&mut buckets, trans),
                NfaState::Sparse(sparse) => sparse.transitions.iter().for_each(|trans| nfa.add_transition(&mut buckets, trans)),
                NfaState::Dense(dense) => {
                    for (class, &end) in nfa.class_end.iter().enumerate() {
                        let target = dense.transitions[end as usize];
                        if target != NfaStateId::ZERO {
                            buckets[class].push(target);
                        }
                    }
                }
                _ => {}
            }
        }
        for (class, seeds) in buckets.iter().enumerate() {
            let target = self.closure_state(nfa, seeds);
            self.next[state as usize * self.alphabet + class] = target;
        }
        self.buckets = buckets;
    }

    #[inline]
    fn step_class(&mut self, nfa: &Nfa, state: StateId, class: u8) -> StateId {
        let slot = state as usize * self.alphabet + class as usize;
        if self.next[slot] == UNKNOWN {
            self.build_row(nfa, state);
        }
        self.next[slot]
    }

    fn row(&mut self, nfa: &Nfa, state: StateId) -> &[StateId] {
        let start = state as usize * self.alphabet;
        if self.next[start] == UNKNOWN {
            self.build_row(nfa, state);
        }
        &self.next[start..start + self.alphabet]
    }

    fn heap_bytes(&self) -> usize {
        self.next.len() * std::mem::size_of::<StateId>() + self.accepting.len() + self.set_bytes
    }
}

impl Automaton {
    /// Compiles `regex`, matched against the whole text, and builds its start state; the other
    /// states are built as they are reached. `size_limit` bounds the NFA and the DFA table, in bytes.
    pub fn from_regex(regex: &str, size_limit: usize) -> Result<Automaton, BuildError> {
        let nfa = Nfa::compile(regex, size_limit)?;
        let mut table = Table::new(&nfa);
        let start = table.closure_state(&nfa, &[nfa.nfa.start_anchored()]);
        let singleton = (0..nfa.alphabet())
            .map(|c| {
                let first = if c == 0 { 0 } else { nfa.class_end[c - 1] + 1 };
                (first == nfa.class_end[c]).then_some(first)
            })
            .collect();
        Ok(Automaton { nfa, table: RefCell::new(table), singleton, start })
    }

    pub fn start(&self) -> StateId {
        self.start
    }

    /// States built so far (every state reached or seen as a target, and the dead state).
    pub fn state_count(&self) -> usize {
        self.table.borrow().accepting.len()
    }

    /// Builds every state reachable from the start.
    pub fn build_all(&self) {
        let mut table = self.table.borrow_mut();
        let mut state = 1;
        while (state as usize) < table.accepting.len() {
            table.row(&self.nfa, state);
            state += 1;
        }
    }

    pub fn is_accepting(&self, state: StateId) -> bool {
        self.table.borrow().accepting[state as usize]
    }

    pub fn class_of(&self, byte: u8) -> u8 {
        self.nfa.classes[byte as usize]
    }

    /// Steps many times under one borrow of the table (for hot loops). The automaton must not be
    /// used otherwise while the stepper lives.
    pub fn stepper(&self) -> Stepper<'_> {
        Stepper { nfa: &self.nfa, table: self.table.borrow_mut() }
    }

    /// Runs `bytes` from `state`; stops early at the dead state.
    pub fn walk(&self, state: StateId, bytes: &[u8]) -> StateId {
        self.walk_to_death(state, bytes).0
    }

    /// Runs `bytes` from `state`: the state reached, and the offset of the byte that made the
    /// text dead, if one did.
    pub fn walk_to_death(&self, mut state: StateId, bytes: &[u8]) -> (StateId, Option<usize>) {
        if state == DEAD {
            return (DEAD, None);
        }
        let mut stepper = self.stepper();
        for (i, &byte) in bytes.iter().enumerate() {
            state = stepper.step_class(state, self.nfa.classes[byte as usize]);
            if state == DEAD {
                return (DEAD, Some(i));
            }
        }
        (state, None)
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
        let mut table = self.table.borrow_mut();
        while state != DEAD && !table.accepting[state as usize] {
            let row = table.row(&self.nfa, state);
            let mut live = row.iter().enumerate().filter(|(_, target)| **target != DEAD);
            let (Some((class, &target)), None) = (live.next(), live.next()) else { break };
            let Some(byte) = self.singleton[class] else { break };
            bytes.push(byte);
            state = target;
        }
        (bytes, state)
    }

    /// Bytes held by the states built so far (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.table.borrow().heap_bytes() + self.singleton.len() * 2 + self.nfa.nfa.memory_usage()
    }
}

pub struct Stepper<'a> {
    nfa: &'a Nfa,
    table: std::cell::RefMut<'a, Table>,
}

impl Stepper<'_> {
    #[inline]
    pub fn step_class(&mut self, state: StateId, class: u8) -> StateId {
        self.table.step_class(self.nfa, state, class)
    }
}

/// Feeds text chunk by chunk; each byte costs one table lookup once its state's row is built.
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
            let (state, died_at) = automaton.walk_to_death(self.state, chunk);
            self.state = state;
            self.dead_at = died_at.map(|i| self.consumed + i);
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
