//! A regex → a fully-anchored DFA over bytes, determinised lazily.
//!
//! nfa.rs compiles the regex to a Thompson NFA with counters for bounded repetitions; DFA
//! states (sets of NFA threads: an instruction and its counters) and their transition rows are
//! built here on first reach, so a schema whose full DFA has tens of thousands of states answers
//! its first questions in milliseconds. Threads from which no match is reachable are left out
//! of every set, so a set that ends up empty is the dead state: "dead" means exactly "no
//! continuation can complete this text", which is what the streaming validator, the token masks
//! and jump-forward all need. State numbers are stable (states are never evicted); outgrowing
//! the size limit is an error, never a silent reset.

use super::nfa::{Inst, Nfa, Pc};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

pub type StateId = u32;
pub const DEAD: StateId = 0;
/// A transition row not built yet.
const UNKNOWN: StateId = StateId::MAX;
/// The end of a list of `Closure::visits`.
const NO_VISIT: u32 = u32::MAX;

#[derive(Debug)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// The DFA states and rows built so far.
#[derive(Debug)]
struct Table {
    alphabet: usize,
    size_limit: usize,
    /// `next[state * alphabet + class]`; a row is UNKNOWN until its state is first stepped from.
    next: Vec<StateId>,
    accepting: Vec<bool>,
    /// Each state's threads, sorted, as `pc, counters…` back to back (`nfa.depth(pc)` counters
    /// each): hopeful consuming and match threads only, so the dead state's is empty.
    sets: Vec<Box<[u32]>>,
    ids: HashMap<Box<[u32]>, StateId>,
    set_bytes: usize,
    closure: Closure,
    /// A closure's result, before it is looked up or interned.
    found_set: Vec<u32>,
    /// Per class, the threads a row's bytes lead to, encoded as in `sets`.
    buckets: Vec<Vec<u32>>,
}

/// Scratch for epsilon closures: the threads met, each an instruction and an offset into
/// `counters` (its counters are `counters[offset..offset + depth]`).
#[derive(Debug, Default)]
struct Closure {
    counters: Vec<u32>,
    stack: Vec<(Pc, u32)>,
    found: Vec<(Pc, u32)>,
    /// Per instruction: the closure generation it was last met in, and its first visit there.
    met: Vec<(u32, u32)>,
    generation: u32,
    /// Visits as (counters offset, next visit at the same instruction).
    visits: Vec<(u32, u32)>,
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

impl Closure {
    /// Whether this is the first time the closure meets `pc` with the counters at `offset`.
    /// Threads at one instruction rarely differ only in counters, so a list per instruction is short.
    fn first_visit(&mut self, nfa: &Nfa, pc: Pc, offset: u32) -> bool {
        let depth = nfa.depth(pc);
        let (generation, head) = &mut self.met[pc as usize];
        if *generation != self.generation {
            *generation = self.generation;
            *head = NO_VISIT;
        }
        let counters = &self.counters[offset as usize..offset as usize + depth];
        let mut visit = *head;
        while visit != NO_VISIT {
            let (other, next) = self.visits[visit as usize];
            if self.counters[other as usize..other as usize + depth] == *counters {
                return false;
            }
            visit = next;
        }
        self.visits.push((offset, *head));
        *head = self.visits.len() as u32 - 1;
        true
    }

    /// Copies `counters[offset..offset + keep]` and appends `last`: a new thread's counters.
    fn derive(&mut self, offset: u32, keep: usize, last: u32) -> u32 {
        let new = self.counters.len() as u32;
        self.counters.extend_from_within(offset as usize..offset as usize + keep);
        self.counters.push(last);
        new
    }

    /// Writes into `set` the hopeful consuming and match threads reachable from `seeds`
    /// (encoded as in `Table::sets`) by empty transitions, sorted and encoded the same way.
    fn run(&mut self, nfa: &Nfa, seeds: &[u32], set: &mut Vec<u32>) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.met.iter_mut().for_each(|m| m.0 = 0);
            self.generation = 1;
        }
        self.counters.clear();
        self.visits.clear();
        self.found.clear();
        let mut at = 0;
        while at < seeds.len() {
            let pc = seeds[at];
            let depth = nfa.depth(pc);
            self.stack.push((pc, self.counters.len() as u32));
            self.counters.extend_from_slice(&seeds[at + 1..at + 1 + depth]);
            at += 1 + depth;
        }
        while let Some((pc, offset)) = self.stack.pop() {
            if !nfa.is_hopeful(pc) || !self.first_visit(nfa, pc, offset) {
                continue;
            }
            match nfa.inst(pc) {
                Inst::Bytes { .. } | Inst::Match => self.found.push((pc, offset)),
                Inst::Split { start, end } => self.stack.extend(nfa.targets(start, end).iter().rev().map(|t| (*t, offset))),
                Inst::Enter { body, skip } => {
                    if let Some(skip) = skip {
                        self.stack.push((skip, offset));
                    }
                    let entered = self.derive(offset, nfa.depth(pc), 0);
                    self.stack.push((body, entered));
                }
                Inst::Loop { min, max, body, exit } => {
                    let depth = nfa.depth(pc);
                    let passes = self.counters[offset as usize + depth - 1] + 1;
                    if passes >= min {
                        // Popping the counter: the outer counters are a prefix of these.
                        self.stack.push((exit, offset));
                    }
                    if passes < max {
                        let again = self.derive(offset, depth - 1, passes);
                        self.stack.push((body, again));
                    }
                }
            }
        }
        let counters = &self.counters;
        let of = |(pc, offset): (Pc, u32)| &counters[offset as usize..offset as usize + nfa.depth(pc)];
        self.found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| of(*a).cmp(of(*b))));
        set.clear();
        for &thread in &self.found {
            set.push(thread.0);
            set.extend_from_slice(of(thread));
        }
    }
}

/// The threads of a state's set: each instruction with its counters.
fn threads<'s>(nfa: &'s Nfa, set: &'s [u32]) -> impl Iterator<Item = (Pc, &'s [u32])> + 's {
    let mut at = 0;
    std::iter::from_fn(move || {
        let pc = *set.get(at)?;
        let counters = &set[at + 1..at + 1 + nfa.depth(pc)];
        at += 1 + counters.len();
        Some((pc, counters))
    })
}

impl Table {
    fn new(nfa: &Nfa, size_limit: usize) -> Table {
        let alphabet = nfa.alphabet();
        let mut table = Table {
            alphabet,
            size_limit,
            next: vec![DEAD; alphabet],
            accepting: vec![false],
            sets: vec![Box::new([])],
            ids: HashMap::new(),
            set_bytes: 0,
            closure: Closure { met: vec![(0, NO_VISIT); nfa.inst_count()], ..Closure::default() },
            found_set: Vec::new(),
            buckets: vec![Vec::new(); alphabet],
        };
        table.ids.insert(Box::new([]), DEAD);
        table
    }

    /// The state of the threads reachable from `seeds` by empty transitions; DEAD when none is hopeful.
    fn closure_state(&mut self, nfa: &Nfa, seeds: &[u32]) -> StateId {
        let mut set = std::mem::take(&mut self.found_set);
        self.closure.run(nfa, seeds, &mut set);
        let id = self.intern(nfa, &set);
        self.found_set = set;
        id
    }

    fn intern(&mut self, nfa: &Nfa, set: &[u32]) -> StateId {
        if let Some(id) = self.ids.get(set) {
            return *id;
        }
        let id = self.accepting.len() as StateId;
        let accepting = threads(nfa, set).any(|(pc, _)| matches!(nfa.inst(pc), Inst::Match));
        let set: Box<[u32]> = set.into();
        self.set_bytes += set.len() * 2 * std::mem::size_of::<u32>() + 64;
        self.accepting.push(accepting);
        self.next.extend(std::iter::repeat_n(UNKNOWN, self.alphabet));
        self.sets.push(set.clone());
        self.ids.insert(set, id);
        if self.heap_bytes() > self.size_limit {
            panic!(
                "the constraint's automaton outgrew its size limit of {} bytes after {} states; raise sizeLimit or simplify the schema (shorter bounded strings and arrays)",
                self.size_limit,
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
        let set = std::mem::take(&mut self.sets[state as usize]);
        // A substring splice closes only where the substring read so far occurs once.
        let shared_exit = threads(nfa, &set).filter(|(pc, _)| matches!(nfa.inst(*pc), Inst::Bytes { unique_exit: true, .. })).nth(1).is_some();
        for (pc, counters) in threads(nfa, &set) {
            let Inst::Bytes { start, end, unique_exit } = nfa.inst(pc) else { continue };
            let ranges = nfa.ranges(start, end);
            let ranges = if unique_exit && shared_exit { &ranges[..ranges.len() - 1] } else { ranges };
            for range in ranges {
                for class in nfa.classes[range.lo as usize]..=nfa.classes[range.hi as usize] {
                    buckets[class as usize].push(range.next);
                    buckets[class as usize].extend_from_slice(counters);
                }
            }
        }
        self.sets[state as usize] = set;
        // Most classes lead nowhere, and neighbouring classes often lead to the same threads
        // (every character of a string): neither needs a closure.
        let mut previous: Option<(usize, StateId)> = None;
        for (class, seeds) in buckets.iter().enumerate() {
            let target = match previous {
                _ if seeds.is_empty() => DEAD,
                Some((earlier, target)) if buckets[earlier] == *seeds => target,
                _ => {
                    let target = self.closure_state(nfa, seeds);
                    previous = Some((class, target));
                    target
                }
            };
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
    /// Compiles `regex`, matched against the whole text (`substrings` as in `Nfa::compile`), and
    /// builds its start state; the other states are built as they are reached. `size_limit` bounds the NFA and the DFA table, in bytes.
    pub fn from_regex(regex: &str, substrings: &[String], size_limit: usize) -> Result<Automaton, BuildError> {
        let nfa = Nfa::compile(regex, substrings, size_limit).map_err(BuildError)?;
        let mut table = Table::new(&nfa, size_limit);
        let start = table.closure_state(&nfa, &[nfa.start]);
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

    /// Byte → class: bytes the automaton never tells apart share a class.
    pub fn byte_classes(&self) -> &[u8; 256] {
        &self.nfa.classes
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
        self.table.borrow().heap_bytes() + self.singleton.len() * 2 + self.nfa.heap_bytes()
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
