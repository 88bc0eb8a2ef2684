//! A regex → a Thompson NFA over bytes in which bounded repetitions are counters, not copies.
//!
//! `x{0,256}` compiles to one copy of `x` between an `Enter` and a `Loop` instruction; a thread
//! of the NFA carries one counter for each counted repetition it is inside. Subset construction
//! over threads (automaton.rs) accepts the same language as over the expanded NFA, but compiling
//! takes time linear in the regex's text, not in its repetition counts: the tool-call schema's
//! bounded strings inside bounded arrays compile to 1.9k instructions in about a millisecond
//! (mostly regex-syntax's parse), where regex-automata's expanded NFA (one UTF-8 automaton per
//! allowed character) had 71k states and took 20-30 ms.

use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::utf8::Utf8Sequences;
use std::collections::HashMap;

/// An instruction's index.
pub type Pc = u32;

#[derive(Clone, Copy, Debug)]
pub struct ByteRange {
    pub lo: u8,
    pub hi: u8,
    pub next: Pc,
}

#[derive(Clone, Copy, Debug)]
pub enum Inst {
    /// Consumes one byte in any of `ranges[start..end]`. With `unique_exit`, the last range is
    /// the closing quote of a substring splice (see `Compiler::substring`): a state may take it
    /// only when no other of its threads would, so the substring read occurs once in its text.
    Bytes { start: u32, end: u32, unique_exit: bool },
    /// Goes on to each of `targets[start..end]` without consuming.
    Split { start: u32, end: u32 },
    /// Enters a counted repetition: pushes a counter of 0 passes and goes to `body`; with `skip`
    /// (a minimum of 0) it may also go on past the repetition without entering it.
    Enter { body: Pc, skip: Option<Pc> },
    /// Ends a pass of the innermost counted repetition's body: counts it, then loops back to
    /// `body` while under `max` passes and pops the counter to leave to `exit` once at `min`.
    Loop { min: u32, max: u32, body: Pc, exit: Pc },
    Match,
}

#[derive(Debug)]
pub struct Nfa {
    insts: Vec<Inst>,
    ranges: Vec<ByteRange>,
    targets: Vec<Pc>,
    /// How many counted repetitions enclose each instruction: the length of a thread's counters there.
    depth: Vec<u8>,
    /// Per instruction: whether a match is reachable from it (the same with any counters, since
    /// every repetition can always be finished from inside it).
    hopeful: Vec<bool>,
    pub start: Pc,
    /// Byte → equivalence class: bytes no instruction tells apart share a class.
    pub classes: [u8; 256],
    /// The last byte of each class (classes are contiguous byte ranges).
    pub class_end: Vec<u8>,
}

impl Nfa {
    /// Compiles `regex`, matched against the whole text. A capture group named
    /// `pyagent_substring_K` (or `pyagent_substring_K_copy`) stands for a JSON string holding a substring of `substrings[K]`
    /// that occurs in it once. `size_limit` bounds the NFA's bytes.
    pub fn compile(regex: &str, substrings: &[String], size_limit: usize) -> Result<Nfa, String> {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(true)
            .utf8(true)
            .build()
            .parse(regex)
            .map_err(|e| format!("the schema's regex could not be turned into an automaton: {e}"))?;
        let mut compiler = Compiler { insts: Vec::new(), ranges: Vec::new(), targets: Vec::new(), depth: Vec::new(), current_depth: 0, size_limit, substrings };
        let done = compiler.push(Inst::Match)?;
        let start = compiler.compile(&hir, done)?;
        let Compiler { insts, ranges, targets, depth, .. } = compiler;
        let (classes, class_end) = byte_classes(&ranges);
        let mut nfa = Nfa { insts, ranges, targets, depth, hopeful: Vec::new(), start, classes, class_end };
        nfa.hopeful = nfa.hopeful_insts();
        Ok(nfa)
    }

    pub fn inst(&self, pc: Pc) -> Inst {
        self.insts[pc as usize]
    }

    pub fn ranges(&self, start: u32, end: u32) -> &[ByteRange] {
        &self.ranges[start as usize..end as usize]
    }

    pub fn targets(&self, start: u32, end: u32) -> &[Pc] {
        &self.targets[start as usize..end as usize]
    }

    pub fn depth(&self, pc: Pc) -> usize {
        self.depth[pc as usize] as usize
    }

    pub fn is_hopeful(&self, pc: Pc) -> bool {
        self.hopeful[pc as usize]
    }

    pub fn inst_count(&self) -> usize {
        self.insts.len()
    }

    pub fn alphabet(&self) -> usize {
        self.class_end.len()
    }

    pub fn heap_bytes(&self) -> usize {
        heap_bytes(self.insts.len(), self.ranges.len(), self.targets.len()) + self.hopeful.len()
    }

    /// Marks the instructions from which a match is reachable (a backward search).
    fn hopeful_insts(&self) -> Vec<bool> {
        let count = self.insts.len();
        let mut predecessors: Vec<Vec<Pc>> = vec![Vec::new(); count];
        let mut reached = Vec::new();
        for (index, inst) in self.insts.iter().enumerate() {
            let from = index as Pc;
            let mut edge = |to: Pc| predecessors[to as usize].push(from);
            match *inst {
                Inst::Bytes { start, end, .. } => self.ranges(start, end).iter().for_each(|r| edge(r.next)),
                Inst::Split { start, end } => self.targets(start, end).iter().for_each(|t| edge(*t)),
                Inst::Enter { body, skip } => {
                    edge(body);
                    skip.into_iter().for_each(&mut edge);
                }
                // Every loop allows at least two passes (one pass or none compiles without a counter).
                Inst::Loop { body, exit, .. } => {
                    edge(body);
                    edge(exit);
                }
                Inst::Match => reached.push(from),
            }
        }
        let mut hopeful = vec![false; count];
        for pc in &reached {
            hopeful[*pc as usize] = true;
        }
        while let Some(pc) = reached.pop() {
            for &p in &predecessors[pc as usize] {
                if !hopeful[p as usize] {
                    hopeful[p as usize] = true;
                    reached.push(p);
                }
            }
        }
        hopeful
    }
}

fn heap_bytes(insts: usize, ranges: usize, targets: usize) -> usize {
    insts * (std::mem::size_of::<Inst>() + 1) + ranges * std::mem::size_of::<ByteRange>() + targets * std::mem::size_of::<Pc>()
}

/// The name prefix of a capture group that `Compiler::substring` replaces.
pub const SUBSTRING_GROUP: &str = "pyagent_substring_";

/// A character as JSON.stringify writes it inside a string.
fn json_form(char: char) -> Vec<u8> {
    match char {
        '"' => b"\\\"".to_vec(),
        '\\' => b"\\\\".to_vec(),
        '\n' => b"\\n".to_vec(),
        '\r' => b"\\r".to_vec(),
        '\t' => b"\\t".to_vec(),
        '\u{8}' => b"\\b".to_vec(),
        '\u{c}' => b"\\f".to_vec(),
        control if (control as u32) < 0x20 => format!("\\u{:04x}", control as u32).into_bytes(),
        other => other.to_string().into_bytes(),
    }
}

/// Classes from the boundaries of every byte range the NFA tests.
fn byte_classes(ranges: &[ByteRange]) -> ([u8; 256], Vec<u8>) {
    let mut ends_class = [false; 256];
    ends_class[255] = true;
    for range in ranges {
        if range.lo > 0 {
            ends_class[range.lo as usize - 1] = true;
        }
        ends_class[range.hi as usize] = true;
    }
    let mut classes = [0u8; 256];
    let mut class_end = Vec::new();
    for byte in 0..=255u8 {
        classes[byte as usize] = class_end.len() as u8;
        if ends_class[byte as usize] {
            class_end.push(byte);
        }
    }
    (classes, class_end)
}

struct Compiler<'a> {
    substrings: &'a [String],
    insts: Vec<Inst>,
    ranges: Vec<ByteRange>,
    targets: Vec<Pc>,
    depth: Vec<u8>,
    current_depth: u8,
    size_limit: usize,
}

impl Compiler<'_> {
    fn push(&mut self, inst: Inst) -> Result<Pc, String> {
        self.insts.push(inst);
        self.depth.push(self.current_depth);
        if heap_bytes(self.insts.len(), self.ranges.len(), self.targets.len()) > self.size_limit {
            return Err(format!("the regex's automaton outgrew its size limit of {} bytes; raise sizeLimit or simplify the schema", self.size_limit));
        }
        Ok(self.insts.len() as Pc - 1)
    }

    fn bytes(&mut self, ranges: impl IntoIterator<Item = ByteRange>) -> Result<Pc, String> {
        let start = self.ranges.len() as u32;
        self.ranges.extend(ranges);
        self.push(Inst::Bytes { start, end: self.ranges.len() as u32, unique_exit: false })
    }

    fn split(&mut self, targets: &[Pc]) -> Result<Pc, String> {
        let start = self.targets.len() as u32;
        self.targets.extend_from_slice(targets);
        self.push(Inst::Split { start, end: self.targets.len() as u32 })
    }

    /// Compiles `hir` followed by the instruction `next`; returns its entry. Compiling back to
    /// front means every instruction knows its successor when it is made.
    fn compile(&mut self, hir: &Hir, next: Pc) -> Result<Pc, String> {
        match hir.kind() {
            HirKind::Empty => Ok(next),
            HirKind::Literal(literal) => literal.0.iter().rev().try_fold(next, |next, &b| self.bytes([ByteRange { lo: b, hi: b, next }])),
            HirKind::Class(Class::Bytes(class)) => self.bytes(class.ranges().iter().map(|r| ByteRange { lo: r.start(), hi: r.end(), next })),
            HirKind::Class(Class::Unicode(class)) => self.unicode_class(class.ranges().iter().map(|r| (r.start(), r.end())), next),
            HirKind::Look(_) => Err("the regex uses anchors or word boundaries inside it, which constrained decoding does not support; the whole text is always matched".into()),
            HirKind::Capture(capture) => match capture.name.as_deref().and_then(|name| name.strip_prefix(SUBSTRING_GROUP)) {
                Some(name) => {
                    let index = name.split('_').next().unwrap_or_default();
                    let text = index.parse::<usize>().ok().and_then(|index| self.substrings.get(index));
                    let text = text.ok_or_else(|| format!("the regex names substring {index}, which was not given"))?;
                    self.substring(text, next)
                }
                None => self.compile(&capture.sub, next),
            },
            HirKind::Concat(items) => items.iter().rev().try_fold(next, |next, item| self.compile(item, next)),
            HirKind::Alternation(alternatives) => {
                let entries = alternatives.iter().map(|alt| self.compile(alt, next)).collect::<Result<Vec<_>, _>>()?;
                self.split(&entries)
            }
            HirKind::Repetition(repetition) => {
                let sub = &repetition.sub;
                match (repetition.min, repetition.max) {
                    (_, Some(0)) => Ok(next),
                    (1, Some(1)) => self.compile(sub, next),
                    (0, Some(1)) => {
                        let once = self.compile(sub, next)?;
                        self.split(&[once, next])
                    }
                    (0, None) => self.star(sub, next).map(|(entry, _)| entry),
                    (1, None) => self.star(sub, next).map(|(_, body)| body),
                    (min, None) => {
                        let rest = self.star(sub, next)?.0;
                        self.counted(sub, min, min, rest)
                    }
                    (min, Some(max)) => self.counted(sub, min, max, next),
                }
            }
        }
    }

    /// `sub*` before `next`: its entry (the loop's split) and the body's entry (for `sub+`).
    fn star(&mut self, sub: &Hir, next: Pc) -> Result<(Pc, Pc), String> {
        let entry = self.split(&[Pc::MAX, next])?;
        let body = self.compile(sub, entry)?;
        let Inst::Split { start, .. } = self.insts[entry as usize] else { unreachable!("just made a split") };
        self.targets[start as usize] = body;
        Ok((entry, body))
    }

    fn counted(&mut self, sub: &Hir, min: u32, max: u32, next: Pc) -> Result<Pc, String> {
        self.current_depth = self.current_depth.checked_add(1).ok_or("the regex nests more than 255 counted repetitions")?;
        let end = self.push(Inst::Loop { min, max, body: Pc::MAX, exit: next })?;
        let body = self.compile(sub, end)?;
        self.insts[end as usize] = Inst::Loop { min, max, body, exit: next };
        self.current_depth -= 1;
        self.push(Inst::Enter { body, skip: (min == 0).then_some(next) })
    }

    /// A JSON string (quotes included) whose value is a non-empty substring of `text` that occurs
    /// in it once, written as JSON.stringify writes it, before `next`. Linear in the text: a
    /// position instruction after each character either reads the next character's JSON form
    /// or closes the string (a unique exit), and the opening quote splits to every character.
    /// Determinised, the states are the text's end-position classes, as in a suffix automaton.
    fn substring(&mut self, text: &str, next: Pc) -> Result<Pc, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut after = self.position(None, next)?;
        let mut starts = Vec::with_capacity(chars.len());
        for (index, char) in chars.iter().enumerate().rev() {
            let form = json_form(*char);
            let (first, rest) = form.split_first().expect("a character's JSON form is never empty");
            let tail = rest.iter().rev().try_fold(after, |next, &byte| self.bytes([ByteRange { lo: byte, hi: byte, next }]))?;
            let read = ByteRange { lo: *first, hi: *first, next: tail };
            starts.push(self.bytes([read])?);
            if index > 0 {
                after = self.position(Some(read), next)?;
            }
        }
        starts.reverse();
        let split = self.split(&starts)?;
        self.bytes([ByteRange { lo: b'"', hi: b'"', next: split }])
    }

    /// A place inside a substring splice: it reads on (`read`) or closes the string, uniquely.
    fn position(&mut self, read: Option<ByteRange>, next: Pc) -> Result<Pc, String> {
        let start = self.ranges.len() as u32;
        self.ranges.extend(read);
        self.ranges.push(ByteRange { lo: b'"', hi: b'"', next });
        self.push(Inst::Bytes { start, end: self.ranges.len() as u32, unique_exit: true })
    }

    /// A class of scalar values as alternatives of UTF-8 byte sequences; states for the same
    /// suffix are shared.
    fn unicode_class(&mut self, ranges: impl Iterator<Item = (char, char)>, next: Pc) -> Result<Pc, String> {
        let mut suffixes: HashMap<(u8, u8, Pc), Pc> = HashMap::new();
        let mut first = Vec::new();
        for (lo, hi) in ranges {
            for sequence in Utf8Sequences::new(lo, hi) {
                let bytes = sequence.as_slice();
                let mut target = next;
                for range in bytes[1..].iter().rev() {
                    let key = (range.start, range.end, target);
                    target = match suffixes.get(&key) {
                        Some(pc) => *pc,
                        None => {
                            let pc = self.bytes([ByteRange { lo: range.start, hi: range.end, next: target }])?;
                            suffixes.insert(key, pc);
                            pc
                        }
                    };
                }
                first.push(ByteRange { lo: bytes[0].start, hi: bytes[0].end, next: target });
            }
        }
        self.bytes(first)
    }
}
