//! JS <-> Rust conversion for the tags module. Tags cross as one JSON string per file: the
//! caller stores that string as it is (the cache) and parses it only when it builds a map, and
//! one string costs far less to hand over than an object per tag.

use neon::prelude::*;

use crate::hash;
use crate::js_args;
use crate::tags::rank::{self, Focus, TaggedFile};
use crate::language::Language;
use crate::tags::{self, CodeUnit, FileTags};

/// `[[[name, line, signature], …], [[name, line], …]]`: definitions, then references.
fn encode(tags: &FileTags) -> String {
    let definitions: Vec<(&str, u32, &str)> = tags
        .definitions
        .iter()
        .map(|definition| (definition.name.as_str(), definition.line, definition.signature.as_str()))
        .collect();
    let references: Vec<(&str, u32)> = tags.references.iter().map(|reference| (reference.name.as_str(), reference.line)).collect();
    serde_json::to_string(&(definitions, references)).expect("tags serialise: strings and numbers only")
}

/// `[[name, kind, startLine, endLine, text], …]`, in source order.
fn encode_units(units: &[CodeUnit]) -> String {
    let rows: Vec<(&str, &str, u32, u32, &str)> =
        units.iter().map(|unit| (unit.name.as_str(), unit.kind, unit.start_line, unit.end_line, unit.text.as_str())).collect();
    serde_json::to_string(&rows).expect("units serialise: strings and numbers only")
}

fn language_of(cx: &mut FunctionContext, function: &str, name: &str) -> NeonResult<Language> {
    match Language::from_name(name) {
        Some(language) => Ok(language),
        None => cx.throw_type_error(format!(
            "{function}: unknown language {name:?}; expected typescript, tsx, javascript, python, rust, go, java, c or cpp"
        )),
    }
}

/// One file's outcome: the blake3 of the bytes parsed, and their encoding or why there is none.
type Extraction = (String, Result<String, tags::Skip>);

/// `function(sources, languages)`: a promise of `{hash, <field>, skipped}` per source, in order
/// (`<field>` what `encode_file` made of it, or null and `skipped` the reason). The work runs
/// on Node's worker pool: the event loop stays free while a large tree is parsed, and batches
/// in flight at once parse on as many cores.
fn batch<'cx>(
    mut cx: FunctionContext<'cx>,
    function: &'static str,
    field: &'static str,
    encode_file: fn(&[u8], Language) -> Result<String, tags::Skip>,
) -> JsResult<'cx, JsPromise> {
    let sources = cx.argument::<JsArray>(0)?.to_vec(&mut cx)?;
    let names = cx.argument::<JsArray>(1)?.to_vec(&mut cx)?;
    if sources.len() != names.len() {
        return cx.throw_type_error(format!("{function}: one language per source"));
    }
    let mut work: Vec<(Vec<u8>, Language)> = Vec::with_capacity(sources.len());
    for (source, name) in sources.into_iter().zip(names) {
        let bytes = js_args::bytes_of(&mut cx, source, &format!("{function}: a source"))?;
        let name = name.downcast_or_throw::<JsString, _>(&mut cx)?.value(&mut cx);
        let language = language_of(&mut cx, function, &name)?;
        work.push((bytes, language));
    }
    let promise = cx
        .task(move || -> Vec<Extraction> {
            work.iter().map(|(bytes, language)| (hash::blake3_hex(bytes), encode_file(bytes, *language))).collect()
        })
        .promise(move |mut cx, extractions| {
            let results = cx.empty_array();
            for (index, (hash, outcome)) in extractions.into_iter().enumerate() {
                let item = cx.empty_object();
                let hash = cx.string(hash);
                item.set(&mut cx, "hash", hash)?;
                let (encoded, skipped): (Handle<JsValue>, Handle<JsValue>) = match outcome {
                    Ok(encoded) => (cx.string(encoded).upcast(), cx.null().upcast()),
                    Err(skip) => (cx.null().upcast(), cx.string(skip.name()).upcast()),
                };
                item.set(&mut cx, field, encoded)?;
                item.set(&mut cx, "skipped", skipped)?;
                results.set(&mut cx, index as u32, item)?;
            }
            Ok(results)
        });
    Ok(promise)
}

/// `tagsExtractBatch(sources, languages)`: each file's encoded tags (see `batch`).
fn extract_batch(cx: FunctionContext) -> JsResult<JsPromise> {
    batch(cx, "tagsExtractBatch", "tags", |bytes, language| tags::extract(bytes, language).map(|found| encode(&found)))
}

/// `codeUnitsBatch(sources, languages)`: each file's encoded code units (see `batch`).
fn units_batch(cx: FunctionContext) -> JsResult<JsPromise> {
    batch(cx, "codeUnitsBatch", "units", |bytes, language| tags::code_units(bytes, language).map(|units| encode_units(&units)))
}

fn strings(cx: &mut FunctionContext, index: usize) -> NeonResult<Vec<String>> {
    let values = cx.argument::<JsArray>(index)?.to_vec(cx)?;
    values.into_iter().map(|value| Ok(value.downcast_or_throw::<JsString, _>(cx)?.value(cx))).collect()
}

/// The ranking as it crosses back: parallel columns, the names joined by NUL (which no tagged
/// file holds: a NUL byte makes it binary), far cheaper to hand over than an object per definition.
struct RankColumns {
    files: Vec<u32>,
    names: String,
    ranks: Vec<f64>,
}

/// `tagsRank(paths, tags, focusFiles, identifiers, touched)`: a promise of `{files: Uint32Array,
/// names, ranks: Float64Array}`, every definition best first (`files` index the input, `names`
/// NUL-separated), or a rejection naming a file whose tags do not decode. On the worker pool.
fn rank_tags(mut cx: FunctionContext) -> JsResult<JsPromise> {
    let paths = strings(&mut cx, 0)?;
    let encoded = strings(&mut cx, 1)?;
    if paths.len() != encoded.len() {
        return cx.throw_type_error("tagsRank: one tags string per path");
    }
    let focus = Focus {
        files: strings(&mut cx, 2)?.into_iter().collect(),
        identifiers: strings(&mut cx, 3)?.into_iter().collect(),
        touched: strings(&mut cx, 4)?.into_iter().collect(),
    };
    let promise = cx
        .task(move || {
            let files: Vec<TaggedFile> = paths.iter().zip(&encoded).map(|(path, tags)| TaggedFile { path, tags }).collect();
            rank::rank_definitions(&files, &focus).map(|ranked| {
                let mut columns = RankColumns { files: Vec::with_capacity(ranked.len()), names: String::new(), ranks: Vec::with_capacity(ranked.len()) };
                for (index, definition) in ranked.iter().enumerate() {
                    if index > 0 {
                        columns.names.push('\0');
                    }
                    columns.names.push_str(&definition.name);
                    columns.files.push(definition.file as u32);
                    columns.ranks.push(definition.rank);
                }
                columns
            })
        })
        .promise(move |mut cx, outcome| match outcome {
            Ok(columns) => {
                let result = cx.empty_object();
                let files = JsUint32Array::from_slice(&mut cx, &columns.files)?;
                result.set(&mut cx, "files", files)?;
                let names = cx.string(columns.names);
                result.set(&mut cx, "names", names)?;
                let ranks = JsFloat64Array::from_slice(&mut cx, &columns.ranks)?;
                result.set(&mut cx, "ranks", ranks)?;
                Ok(result)
            }
            Err(bad) => cx.throw_error(format!("the cached tags of {} do not decode ({})", bad.path, bad.reason)),
        });
    Ok(promise)
}

/// `tagsLanguageForPath(path)`: the tags language of a file from its name, or null.
fn language_for_path(mut cx: FunctionContext) -> JsResult<JsValue> {
    let path = cx.argument::<JsString>(0)?.value(&mut cx);
    Ok(js_args::string_or_null(&mut cx, Language::from_path(&path).map(Language::name)))
}

/// `tagsVersion()`: changes whenever the same file would get different tags.
fn version(mut cx: FunctionContext) -> JsResult<JsNumber> {
    Ok(cx.number(tags::TAGS_VERSION))
}

/// `codeUnitsVersion()`: changes whenever the same file would be cut into different units.
fn units_version(mut cx: FunctionContext) -> JsResult<JsNumber> {
    Ok(cx.number(tags::UNITS_VERSION))
}

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("tagsExtractBatch", extract_batch)?;
    cx.export_function("codeUnitsBatch", units_batch)?;
    cx.export_function("codeUnitsVersion", units_version)?;
    cx.export_function("tagsLanguageForPath", language_for_path)?;
    cx.export_function("tagsRank", rank_tags)?;
    cx.export_function("tagsVersion", version)?;
    Ok(())
}
