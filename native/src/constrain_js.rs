//! The Node-API surface of the constrain module: JS values ↔ Rust types, handles as JsBox.

use crate::constrain::automaton::{Automaton, StateId, Status, Validator};
use crate::constrain::index::{advance, TokenIndex};
use crate::constrain::schema_regex::{schema_to_regex, Options, SchemaError};
use crate::constrain::vocabulary::Vocabulary;
use crate::js_args::bytes_arg;
use neon::prelude::*;
use neon::types::buffer::TypedArray;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

pub(crate) const DEFAULT_SIZE_LIMIT: f64 = (512u64 << 20) as f64;

struct DfaHandle(Rc<Automaton>);
impl Finalize for DfaHandle {}

struct ValidatorHandle {
    automaton: Rc<Automaton>,
    validator: RefCell<Validator>,
}
impl Finalize for ValidatorHandle {}

struct IndexHandle {
    automaton: Rc<Automaton>,
    vocabulary: Rc<Vocabulary>,
    index: RefCell<TokenIndex>,
}
impl Finalize for IndexHandle {}

struct SharedVocabulary(Rc<Vocabulary>);
impl Finalize for SharedVocabulary {}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Complete => "complete",
        Status::Dead => "dead",
    }
}

fn id_arg(cx: &mut FunctionContext, index: usize, what: &str) -> NeonResult<u32> {
    let value = cx.argument::<JsNumber>(index)?.value(cx);
    if value < 0.0 || value.fract() != 0.0 || value > u32::MAX as f64 {
        return cx.throw_range_error(format!("{value} is not a {what} id"));
    }
    Ok(value as u32)
}

fn state_arg(cx: &mut FunctionContext, index: usize) -> NeonResult<StateId> {
    id_arg(cx, index, "state")
}

fn throw_schema_error<'a, T>(cx: &mut FunctionContext<'a>, error: &SchemaError) -> NeonResult<T> {
    let js_error = cx.error(format!("Unsupported JSON Schema: {error}"))?;
    let keyword = cx.string(&error.keyword);
    let pointer = cx.string(&error.pointer);
    js_error.set(cx, "keyword", keyword)?;
    js_error.set(cx, "pointer", pointer)?;
    cx.throw(js_error)
}

fn dfa_object<'a>(cx: &mut FunctionContext<'a>, automaton: Automaton, regex: &str, started: Instant) -> JsResult<'a, JsObject> {
    let result = cx.empty_object();
    let states = cx.number(automaton.state_count() as f64);
    let start = cx.number(automaton.start());
    let bytes = cx.number(automaton.heap_bytes() as f64);
    let regex = cx.string(regex);
    let build_ms = cx.number(started.elapsed().as_secs_f64() * 1e3);
    let handle = cx.boxed(DfaHandle(Rc::new(automaton)));
    result.set(cx, "handle", handle)?;
    result.set(cx, "states", states)?;
    result.set(cx, "start", start)?;
    result.set(cx, "bytes", bytes)?;
    result.set(cx, "regex", regex)?;
    result.set(cx, "buildMs", build_ms)?;
    Ok(result)
}

fn size_limit(cx: &mut FunctionContext, options: Handle<JsObject>) -> NeonResult<usize> {
    let limit = options.get_opt::<JsNumber, _, _>(cx, "sizeLimit")?.map_or(DEFAULT_SIZE_LIMIT, |n| n.value(cx));
    Ok(limit as usize)
}

/// compileSchema(schemaJson, {whitespace?, maxAnyDepth?, sizeLimit?}) → {handle, regex, deviations, ...}
fn compile_schema(mut cx: FunctionContext) -> JsResult<JsObject> {
    let started = Instant::now();
    let text = cx.argument::<JsString>(0)?.value(&mut cx);
    let options_arg = cx.argument::<JsObject>(1)?;
    let mut options = Options::default();
    if let Some(whitespace) = options_arg.get_opt::<JsString, _, _>(&mut cx, "whitespace")? {
        options.whitespace = whitespace.value(&mut cx);
    }
    if let Some(depth) = options_arg.get_opt::<JsNumber, _, _>(&mut cx, "maxAnyDepth")? {
        options.max_any_depth = depth.value(&mut cx) as usize;
    }
    let limit = size_limit(&mut cx, options_arg)?;
    let schema: serde_json::Value = match serde_json::from_str(&text) {
        Ok(schema) => schema,
        Err(e) => return cx.throw_error(format!("The schema is not valid JSON: {e}")),
    };
    let compiled = match schema_to_regex(&schema, &options) {
        Ok(compiled) => compiled,
        Err(error) => return throw_schema_error(&mut cx, &error),
    };
    let automaton = Automaton::from_regex(&compiled.regex, &compiled.substrings, limit).or_else(|e| cx.throw_error(e.to_string()))?;
    let result = dfa_object(&mut cx, automaton, &compiled.regex, started)?;
    let deviations = cx.empty_array();
    for (i, deviation) in compiled.deviations.iter().enumerate() {
        let entry = cx.empty_object();
        let keyword = cx.string(&deviation.keyword);
        let pointer = cx.string(&deviation.pointer);
        let note = cx.string(&deviation.note);
        entry.set(&mut cx, "keyword", keyword)?;
        entry.set(&mut cx, "pointer", pointer)?;
        entry.set(&mut cx, "note", note)?;
        deviations.set(&mut cx, i as u32, entry)?;
    }
    result.set(&mut cx, "deviations", deviations)?;
    Ok(result)
}

/// compileRegex(regex, {sizeLimit?}) → the same shape as compileSchema, without deviations.
fn compile_regex(mut cx: FunctionContext) -> JsResult<JsObject> {
    let started = Instant::now();
    let regex = cx.argument::<JsString>(0)?.value(&mut cx);
    let options_arg = cx.argument::<JsObject>(1)?;
    let limit = size_limit(&mut cx, options_arg)?;
    let automaton = Automaton::from_regex(&regex, &[], limit).or_else(|e| cx.throw_error(e.to_string()))?;
    dfa_object(&mut cx, automaton, &regex, started)
}

fn dfa_status(mut cx: FunctionContext) -> JsResult<JsString> {
    let dfa = cx.argument::<JsBox<DfaHandle>>(0)?;
    let state = state_arg(&mut cx, 1)?;
    if state as usize >= dfa.0.state_count() {
        return cx.throw_range_error(format!("state {state} does not exist"));
    }
    Ok(cx.string(status_name(dfa.0.status(state))))
}

/// constrainStateCount(dfa) → the number of states built so far (they are built as reached).
fn dfa_state_count(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let dfa = cx.argument::<JsBox<DfaHandle>>(0)?;
    Ok(cx.number(dfa.0.state_count() as f64))
}

fn dfa_walk(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let dfa = cx.argument::<JsBox<DfaHandle>>(0)?;
    let state = state_arg(&mut cx, 1)?;
    let bytes = bytes_arg(&mut cx, 2, "constrainWalk: text")?;
    if state as usize >= dfa.0.state_count() {
        return cx.throw_range_error(format!("state {state} does not exist"));
    }
    Ok(cx.number(dfa.0.walk(state, &bytes)))
}

/// constrainForced(dfa, state) → {bytes: Buffer, state}
fn dfa_forced(mut cx: FunctionContext) -> JsResult<JsObject> {
    let dfa = cx.argument::<JsBox<DfaHandle>>(0)?;
    let state = state_arg(&mut cx, 1)?;
    if state as usize >= dfa.0.state_count() {
        return cx.throw_range_error(format!("state {state} does not exist"));
    }
    let (bytes, end) = dfa.0.forced(state);
    let result = cx.empty_object();
    let buffer = JsBuffer::from_slice(&mut cx, &bytes)?;
    let end = cx.number(end);
    result.set(&mut cx, "bytes", buffer)?;
    result.set(&mut cx, "state", end)?;
    Ok(result)
}

fn validator_new(mut cx: FunctionContext) -> JsResult<JsBox<ValidatorHandle>> {
    let automaton = cx.argument::<JsBox<DfaHandle>>(0)?.0.clone();
    let validator = RefCell::new(Validator::new(&automaton));
    Ok(cx.boxed(ValidatorHandle { automaton, validator }))
}

fn validator_feed(mut cx: FunctionContext) -> JsResult<JsString> {
    let handle = cx.argument::<JsBox<ValidatorHandle>>(0)?;
    let chunk = cx.argument::<JsValue>(1)?;
    let status = if let Ok(text) = chunk.downcast::<JsString, _>(&mut cx) {
        let text = text.value(&mut cx);
        handle.validator.borrow_mut().feed(&handle.automaton, text.as_bytes())
    } else if let Ok(bytes) = chunk.downcast::<JsUint8Array, _>(&mut cx) {
        let slice = bytes.as_slice(&cx);
        handle.validator.borrow_mut().feed(&handle.automaton, slice)
    } else {
        return cx.throw_type_error("constrainValidatorFeed: the chunk must be a string or a Uint8Array");
    };
    Ok(cx.string(status_name(status)))
}

/// constrainValidatorInfo(validator) → {state, consumed, deadAt: number | null}
fn validator_info(mut cx: FunctionContext) -> JsResult<JsObject> {
    let handle = cx.argument::<JsBox<ValidatorHandle>>(0)?;
    let validator = handle.validator.borrow().clone();
    let result = cx.empty_object();
    let state = cx.number(validator.state());
    let consumed = cx.number(validator.consumed() as f64);
    let dead_at: Handle<JsValue> = match validator.dead_at() {
        Some(offset) => cx.number(offset as f64).upcast(),
        None => cx.null().upcast(),
    };
    result.set(&mut cx, "state", state)?;
    result.set(&mut cx, "consumed", consumed)?;
    result.set(&mut cx, "deadAt", dead_at)?;
    Ok(result)
}

fn vocabulary_object<'a>(cx: &mut FunctionContext<'a>, vocabulary: Result<Vocabulary, String>, started: Instant) -> JsResult<'a, JsObject> {
    let vocabulary = vocabulary.or_else(|e| cx.throw_error(e))?;
    let result = cx.empty_object();
    let size = cx.number(vocabulary.len() as f64);
    let bytes = cx.number(vocabulary.heap_bytes() as f64);
    let load_ms = cx.number(started.elapsed().as_secs_f64() * 1e3);
    let handle = cx.boxed(SharedVocabulary(Rc::new(vocabulary)));
    result.set(cx, "handle", handle)?;
    result.set(cx, "size", size)?;
    result.set(cx, "bytes", bytes)?;
    result.set(cx, "loadMs", load_ms)?;
    Ok(result)
}

/// constrainVocabularyTiktoken(encoderJsonText) — the JSON @dqbd/tiktoken ships per encoding.
fn vocabulary_tiktoken(mut cx: FunctionContext) -> JsResult<JsObject> {
    let started = Instant::now();
    let text = cx.argument::<JsString>(0)?.value(&mut cx);
    vocabulary_object(&mut cx, Vocabulary::from_tiktoken_json(&text), started)
}

/// constrainVocabularyTokenizerJson(path) — a Hugging Face tokenizer.json on disk.
fn vocabulary_tokenizer_json(mut cx: FunctionContext) -> JsResult<JsObject> {
    let started = Instant::now();
    let path = cx.argument::<JsString>(0)?.value(&mut cx);
    let vocabulary = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read tokenizer file {path}: {e}"))
        .and_then(|text| Vocabulary::from_tokenizer_json(&text));
    vocabulary_object(&mut cx, vocabulary, started)
}

/// constrainVocabularySpecial(vocabulary, name) → token id or null.
fn vocabulary_special(mut cx: FunctionContext) -> JsResult<JsValue> {
    let handle = cx.argument::<JsBox<SharedVocabulary>>(0)?;
    let name = cx.argument::<JsString>(1)?.value(&mut cx);
    Ok(match handle.0.special(&name) {
        Some(id) => cx.number(id).upcast(),
        None => cx.null().upcast(),
    })
}

/// constrainIndexBuild(dfa, vocabulary, eos | null, eager) → {handle, wordsPerMask, trieNodes, buildMs,
/// and, when eager: masks: ArrayBuffer, maskOfState: Uint32Array, distinctMasks, bytes}
///
/// Eager masks are copied into one JS ArrayBuffer once; JS slices views out of it per state.
/// A lazy index computes a state's mask on its first request (see constrainIndexMask).
fn index_build(mut cx: FunctionContext) -> JsResult<JsObject> {
    let started = Instant::now();
    let automaton = cx.argument::<JsBox<DfaHandle>>(0)?.0.clone();
    let vocabulary = cx.argument::<JsBox<SharedVocabulary>>(1)?.0.clone();
    let eos_arg = cx.argument::<JsValue>(2)?;
    let eos = match eos_arg.downcast::<JsNumber, _>(&mut cx) {
        Ok(n) => Some(n.value(&mut cx) as u32),
        Err(_) => None,
    };
    let eager = cx.argument::<JsBoolean>(3)?.value(&mut cx);
    if eos.is_some_and(|e| e as usize >= vocabulary.len()) {
        return cx.throw_range_error(format!("eos token {} is outside the vocabulary of {}", eos.unwrap_or_default(), vocabulary.len()));
    }
    let index = if eager {
        TokenIndex::build(&automaton, &vocabulary, eos)
    } else {
        TokenIndex::new(&automaton, &vocabulary, eos)
    };
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    let result = cx.empty_object();
    if eager {
        let (masks, mask_of_state) = index.tables();
        let mut buffer = JsArrayBuffer::new(&mut cx, masks.len() * 4)?;
        for (chunk, word) in buffer.as_mut_slice(&mut cx).chunks_exact_mut(4).zip(masks) {
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        let mask_of_state = JsUint32Array::from_slice(&mut cx, mask_of_state)?;
        let distinct = cx.number(index.distinct_masks() as f64);
        let bytes = cx.number(index.heap_bytes() as f64);
        result.set(&mut cx, "masks", buffer)?;
        result.set(&mut cx, "maskOfState", mask_of_state)?;
        result.set(&mut cx, "distinctMasks", distinct)?;
        result.set(&mut cx, "bytes", bytes)?;
    }
    let words = cx.number(index.words_per_mask as f64);
    let trie_nodes = cx.number(vocabulary.trie().node_count() as f64);
    let build_ms = cx.number(build_ms);
    let handle = cx.boxed(IndexHandle { automaton, vocabulary, index: RefCell::new(index) });
    result.set(&mut cx, "trieNodes", trie_nodes)?;
    result.set(&mut cx, "handle", handle)?;
    result.set(&mut cx, "wordsPerMask", words)?;
    result.set(&mut cx, "buildMs", build_ms)?;
    Ok(result)
}

/// constrainIndexMask(index, state) → a fresh Uint32Array holding the state's mask.
fn index_mask(mut cx: FunctionContext) -> JsResult<JsUint32Array> {
    let handle = cx.argument::<JsBox<IndexHandle>>(0)?;
    let state = state_arg(&mut cx, 1)?;
    if state as usize >= handle.automaton.state_count() {
        return cx.throw_range_error(format!("state {state} does not exist"));
    }
    let mut index = handle.index.borrow_mut();
    let mask = index.mask(&handle.automaton, &handle.vocabulary, state);
    JsUint32Array::from_slice(&mut cx, mask)
}

/// constrainAdvance(index, state, token) → next state (0 = dead).
fn index_advance(mut cx: FunctionContext) -> JsResult<JsNumber> {
    let handle = cx.argument::<JsBox<IndexHandle>>(0)?;
    let state = state_arg(&mut cx, 1)?;
    let token = id_arg(&mut cx, 2, "token")?;
    if state as usize >= handle.automaton.state_count() {
        return cx.throw_range_error(format!("state {state} does not exist"));
    }
    Ok(cx.number(advance(&handle.automaton, &handle.vocabulary, state, token)))
}

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("constrainCompileSchema", compile_schema)?;
    cx.export_function("constrainCompileRegex", compile_regex)?;
    cx.export_function("constrainStatus", dfa_status)?;
    cx.export_function("constrainStateCount", dfa_state_count)?;
    cx.export_function("constrainWalk", dfa_walk)?;
    cx.export_function("constrainForced", dfa_forced)?;
    cx.export_function("constrainValidatorNew", validator_new)?;
    cx.export_function("constrainValidatorFeed", validator_feed)?;
    cx.export_function("constrainValidatorInfo", validator_info)?;
    cx.export_function("constrainVocabularyTiktoken", vocabulary_tiktoken)?;
    cx.export_function("constrainVocabularyTokenizerJson", vocabulary_tokenizer_json)?;
    cx.export_function("constrainVocabularySpecial", vocabulary_special)?;
    cx.export_function("constrainIndexBuild", index_build)?;
    cx.export_function("constrainIndexMask", index_mask)?;
    cx.export_function("constrainAdvance", index_advance)?;
    Ok(())
}
