//! Our counted NFA against regex-automata's Thompson NFA, the crate it replaced, on the same
//! regexes in the same run. Driven by bench/nfa-compile.ts, which writes the job (the tool-call
//! schema's and the schema corpus's regexes, as production's schema_to_regex makes them), runs
//! this ignored test in release mode and reports what it measured.

use super::automaton::{Automaton, DEAD};
use super::nfa::Nfa;
use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, MatchKind};
use serde::{Deserialize, Serialize};
use std::time::Instant;

const JOB_VARIABLE: &str = "PYAGENT_NFA_BENCH_JOB";
const AGREEMENT_WALKS: usize = 20;
const AGREEMENT_MAX_LEN: usize = 400;

#[derive(Deserialize)]
struct Job {
    mode: Mode,
    rounds: usize,
    regexes: Vec<NamedRegex>,
    /// Where `time` writes its results, as JSON.
    out: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    /// Interleaved rounds of both compilers and a sampled check that their languages agree.
    Time,
    /// Two compiles of each regex by one compiler, for callgrind to count call by call.
    Ours,
    RegexAutomata,
}

#[derive(Deserialize)]
struct NamedRegex {
    name: String,
    regex: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Results {
    /// Both compilers' size limit: production's.
    size_limit_bytes: usize,
    measured: Vec<Measured>,
    not_compiled: Vec<NotCompiled>,
    /// Prefixes at which the two lazy DFAs were compared, and each walk's first disagreement.
    prefixes_compared: usize,
    disagreements: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Measured {
    name: String,
    ours_ms: Vec<f64>,
    theirs_ms: Vec<f64>,
    parse_ms: Vec<f64>,
    ours_insts: usize,
    ours_bytes: usize,
    theirs_states: usize,
    theirs_bytes: usize,
}

/// Each compiler's error; None where it compiled.
#[derive(Serialize)]
struct NotCompiled {
    name: String,
    ours: Option<String>,
    theirs: Option<String>,
}

/// The size limit production gives both the NFA and the lazy DFA.
fn size_limit() -> usize {
    crate::constrain_js::DEFAULT_SIZE_LIMIT as usize
}

// Not inlined, so that callgrind can count each call (bench/nfa-compile.ts --callgrind).
#[inline(never)]
fn ours(regex: &str) -> Result<Nfa, String> {
    Nfa::compile(regex, &[], size_limit())
}

/// Configured as automaton.rs configured it before our NFA replaced it.
#[inline(never)]
fn regex_automata(regex: &str) -> Result<NFA, String> {
    thompson::Compiler::new()
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .configure(thompson::Config::new().utf8(true).which_captures(WhichCaptures::None).nfa_size_limit(Some(size_limit())))
        .build(regex)
        .map_err(|e| e.to_string())
}

/// Both compilers parse the regex with regex-syntax first; its share, for reference.
fn parse(regex: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new().unicode(true).utf8(true).build().parse(regex).map_err(|e| e.to_string())
}

fn millis<T>(run: impl FnOnce() -> T) -> f64 {
    let started = Instant::now();
    let value = run();
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    drop(value);
    elapsed
}

/// Compiles `regex` with both compilers in `rounds` interleaved rounds (each round swaps which
/// goes first), so both share the machine's load; each compiler's error if either fails.
fn measure(named: &NamedRegex, rounds: usize) -> Result<Measured, NotCompiled> {
    let (first_ours, first_theirs) = (ours(&named.regex), regex_automata(&named.regex));
    let (ours_nfa, theirs_nfa) = match (first_ours, first_theirs) {
        (Ok(o), Ok(t)) => (o, t),
        (o, t) => return Err(NotCompiled { name: named.name.clone(), ours: o.err(), theirs: t.err() }),
    };
    let mut measured = Measured {
        name: named.name.clone(),
        ours_ms: Vec::new(),
        theirs_ms: Vec::new(),
        parse_ms: Vec::new(),
        ours_insts: ours_nfa.inst_count(),
        ours_bytes: ours_nfa.heap_bytes(),
        theirs_states: theirs_nfa.states().len(),
        theirs_bytes: theirs_nfa.memory_usage(),
    };
    for round in 0..rounds {
        let mut time_ours = || measured.ours_ms.push(millis(|| ours(&named.regex)));
        let mut time_theirs = || measured.theirs_ms.push(millis(|| regex_automata(&named.regex)));
        if round % 2 == 0 {
            time_ours();
            time_theirs();
        } else {
            time_theirs();
            time_ours();
        }
        measured.parse_ms.push(millis(|| parse(&named.regex)));
    }
    Ok(measured)
}

/// Random walks through our lazy DFA compared, byte by byte, with regex-automata's lazy DFA over
/// its own NFA: at every prefix both must agree on acceptance, and where regex-automata's is dead
/// ours must be too (ours is dead wherever no continuation is accepted; regex-automata's only once
/// no thread is left). Walks mostly follow bytes that keep ours alive, sometimes any byte.
/// Returns the prefixes compared and, per walk that met one, its first disagreement.
fn sampled_agreement(regex: &str, walks: usize, max_len: usize, seed: &mut u64) -> (usize, Vec<String>) {
    let ours = Automaton::from_regex(regex, &[], size_limit()).expect("compiled once already");
    let theirs = DFA::builder()
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .thompson(thompson::Config::new().utf8(true).which_captures(WhichCaptures::None))
        .configure(DFA::config().match_kind(MatchKind::All).cache_capacity(size_limit()).skip_cache_capacity_check(true))
        .build(&format!("^(?:{regex})$"))
        .expect("regex-automata compiled it once already");
    let mut cache = theirs.create_cache();
    let their_start = theirs.start_state(&mut cache, &start::Config::new().anchored(Anchored::Yes)).expect("an anchored start");
    let mut random = || {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    };
    let (mut compared, mut disagreements) = (0, Vec::new());
    for _ in 0..walks {
        let (mut text, mut state, mut their_state) = (Vec::new(), ours.start(), their_start);
        loop {
            compared += 1;
            let their_accepting = theirs.next_eoi_state(&mut cache, their_state).expect("no quit bytes").is_match();
            if ours.is_accepting(state) != their_accepting || (their_state.is_dead() && state != DEAD) {
                let (text, accepting, dead, their_dead) = (String::from_utf8_lossy(&text), ours.is_accepting(state), state == DEAD, their_state.is_dead());
                disagreements.push(format!("after {text:?}: ours accepting {accepting}, dead {dead}; regex-automata accepting {their_accepting}, dead {their_dead}"));
                break;
            }
            if state == DEAD || text.len() == max_len {
                break;
            }
            let alive: Vec<u8> = (0..=255u8).filter(|b| ours.walk(state, &[*b]) != DEAD).collect();
            let byte = if alive.is_empty() || random() % 64 == 0 { random() as u8 } else { alive[random() as usize % alive.len()] };
            text.push(byte);
            state = ours.walk(state, &[byte]);
            their_state = theirs.next_state(&mut cache, their_state, byte).expect("no quit bytes");
        }
    }
    (compared, disagreements)
}

/// Times both compilers on every regex and checks, by sampling, that their languages agree.
fn time_both(job: &Job) -> Results {
    let mut results = Results { size_limit_bytes: size_limit(), measured: Vec::new(), not_compiled: Vec::new(), prefixes_compared: 0, disagreements: Vec::new() };
    let mut seed = 0x9E37_79B9_7F4A_7C15;
    for named in &job.regexes {
        match measure(named, job.rounds) {
            Ok(measured) => {
                results.measured.push(measured);
                let (compared, found) = sampled_agreement(&named.regex, AGREEMENT_WALKS, AGREEMENT_MAX_LEN, &mut seed);
                results.prefixes_compared += compared;
                results.disagreements.extend(found.into_iter().map(|d| format!("{}: {d}", named.name)));
            }
            Err(not_compiled) => results.not_compiled.push(not_compiled),
        }
    }
    results
}

#[test]
#[ignore = "a benchmark: run it through `npx tsx bench/nfa-compile.ts`"]
fn nfa_compile_against_regex_automata() {
    let path = std::env::var(JOB_VARIABLE).unwrap_or_else(|_| panic!("{JOB_VARIABLE} is not set: run this benchmark through `npx tsx bench/nfa-compile.ts`"));
    let text = std::fs::read_to_string(&path).expect("the job file bench/nfa-compile.ts wrote");
    let job: Job = serde_json::from_str(&text).expect("a job as bench/nfa-compile.ts writes it");
    match job.mode {
        // Each regex twice: the second compile is the one to count, as the first also pays for
        // the allocator tidying up after the previous regex (glibc consolidates freed chunks).
        Mode::Ours => job.regexes.iter().for_each(|r| (0..2).for_each(|_| drop(ours(&r.regex)))),
        Mode::RegexAutomata => job.regexes.iter().for_each(|r| (0..2).for_each(|_| drop(regex_automata(&r.regex)))),
        Mode::Time => {
            let out = job.out.as_deref().expect("a job in time mode names its out file");
            std::fs::write(out, serde_json::to_string(&time_both(&job)).expect("results serialise")).expect("the out file is writable");
        }
    }
}
