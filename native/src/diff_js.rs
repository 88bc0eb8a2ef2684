//! JS <-> Rust conversion for the diff, patch and edit engines. Large texts cross as JS
//! strings; small structured reports cross as JSON that src/native.ts parses. Engine errors
//! are thrown as JS Errors carrying `pyagentDetails` (the error's JSON, with its stable
//! `code`), which src/native.ts turns into typed error classes.

use crate::diff::{diff_lines, Algorithm, DiffOptions};
use crate::js_args::{bytes_arg, bytes_of, BytesArg};
use crate::edits::{apply_edits, Edit, EditOptions};
use crate::patch::{apply_patch, parse_patch, ApplyOptions, ParseOptions};
use crate::text::{as_text, EngineError};
use neon::prelude::*;

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("diffLines", js_diff_lines)?;
    cx.export_function("applyPatch", js_apply_patch)?;
    cx.export_function("parsePatch", js_parse_patch)?;
    cx.export_function("applyEdits", js_apply_edits)?;
    Ok(())
}

fn throw_engine_error<T>(cx: &mut FunctionContext, error: EngineError) -> NeonResult<T> {
    let js_error = cx.error(error.to_string())?;
    let details = cx.string(error.to_json());
    js_error.set(cx, "pyagentDetails", details)?;
    cx.throw(js_error)
}

/// Unwraps an engine result or throws it as a typed JS error.
fn or_throw<T>(cx: &mut FunctionContext, result: Result<T, EngineError>) -> NeonResult<T> {
    match result {
        Ok(value) => Ok(value),
        Err(error) => throw_engine_error(cx, error),
    }
}

fn text_of<'b>(cx: &mut FunctionContext, bytes: &'b [u8], name: &str) -> NeonResult<&'b str> {
    let checked = as_text(bytes, name);
    or_throw(cx, checked)
}

/// diffLines(a, b, algorithm, context, aPath, bPath) -> { unified, hunks: Uint32Array (5 numbers
/// per hunk), added, removed }. `a` and `b` are best passed as UTF-8 in Uint8Arrays: they are
/// read in place.
fn js_diff_lines(mut cx: FunctionContext) -> JsResult<JsObject> {
    let a = BytesArg::at(&mut cx, 0, "a")?;
    let b = BytesArg::at(&mut cx, 1, "b")?;
    let algorithm = match cx.argument::<JsString>(2)?.value(&mut cx).as_str() {
        "myers" => Algorithm::Myers,
        "histogram" => Algorithm::Histogram,
        other => {
            return cx.throw_type_error(format!(
                "unknown diff algorithm `{other}`: use 'myers' or 'histogram'"
            ))
        }
    };
    let context = cx.argument::<JsNumber>(3)?.value(&mut cx);
    if !(context >= 0.0 && context.fract() == 0.0 && context <= u32::MAX as f64) {
        return cx.throw_range_error(format!(
            "context must be a non-negative integer, got {context}"
        ));
    }
    let options = DiffOptions {
        algorithm,
        context: context as u32,
        a_path: cx.argument::<JsString>(4)?.value(&mut cx),
        b_path: cx.argument::<JsString>(5)?.value(&mut cx),
    };
    let diff = {
        let (a, b) = (a.bytes(&cx), b.bytes(&cx));
        as_text(a, "a").and_then(|a| Ok(diff_lines(a, as_text(b, "b")?, &options)))
    };
    let diff = or_throw(&mut cx, diff)?;

    let result = cx.empty_object();
    let unified = cx.string(&diff.unified);
    result.set(&mut cx, "unified", unified)?;
    let fields: Vec<u32> = diff
        .hunks
        .iter()
        .flat_map(|hunk| {
            [
                hunk.old_start,
                hunk.old_lines,
                hunk.new_start,
                hunk.new_lines,
                hunk.body_lines,
            ]
        })
        .collect();
    let hunks = JsUint32Array::from_slice(&mut cx, &fields)?;
    result.set(&mut cx, "hunks", hunks)?;
    let added = cx.number(diff.added);
    result.set(&mut cx, "added", added)?;
    let removed = cx.number(diff.removed);
    result.set(&mut cx, "removed", removed)?;
    Ok(result)
}

/// applyPatch(original, patch, ignoreWhitespace, recount) -> { text, hunks: JSON }
fn js_apply_patch(mut cx: FunctionContext) -> JsResult<JsObject> {
    let original = bytes_arg(&mut cx, 0, "original")?;
    let patch = bytes_arg(&mut cx, 1, "patch")?;
    let ignore_whitespace = cx.argument::<JsBoolean>(2)?.value(&mut cx);
    let recount = cx.argument::<JsBoolean>(3)?.value(&mut cx);
    let original = text_of(&mut cx, &original, "original")?;
    let patch = text_of(&mut cx, &patch, "patch")?;
    let applied = apply_patch(
        original,
        patch,
        ApplyOptions {
            ignore_whitespace,
            recount,
        },
    );
    let applied = or_throw(&mut cx, applied)?;
    let result = cx.empty_object();
    let text = cx.string(&applied.text);
    result.set(&mut cx, "text", text)?;
    let hunks = cx.string(serde_json::to_string(&applied.hunks).unwrap_or_else(|_| "[]".into()));
    result.set(&mut cx, "hunks", hunks)?;
    Ok(result)
}

/// parsePatch(patch, strip, recount) -> JSON of the files
fn js_parse_patch(mut cx: FunctionContext) -> JsResult<JsString> {
    let patch = bytes_arg(&mut cx, 0, "patch")?;
    let strip = cx.argument::<JsNumber>(1)?.value(&mut cx);
    if !(strip >= 0.0 && strip.fract() == 0.0 && strip <= 64.0) {
        return cx.throw_range_error(format!(
            "strip must be an integer from 0 to 64, got {strip}"
        ));
    }
    let recount = cx.argument::<JsBoolean>(2)?.value(&mut cx);
    let patch = text_of(&mut cx, &patch, "patch")?;
    let files = parse_patch(
        patch,
        ParseOptions {
            strip: strip as usize,
            recount,
        },
    );
    let files = or_throw(&mut cx, files)?;
    Ok(cx.string(serde_json::to_string(&files).unwrap_or_else(|_| "[]".into())))
}

/// applyEdits(original, searches, replaces, flexibleWhitespace) -> { text, edits: JSON }
fn js_apply_edits(mut cx: FunctionContext) -> JsResult<JsObject> {
    let original = bytes_arg(&mut cx, 0, "original")?;
    let searches = cx.argument::<JsArray>(1)?.to_vec(&mut cx)?;
    let replaces = cx.argument::<JsArray>(2)?.to_vec(&mut cx)?;
    let flexible_whitespace = cx.argument::<JsBoolean>(3)?.value(&mut cx);
    if searches.len() != replaces.len() {
        return cx.throw_type_error("applyEdits: searches and replaces must have the same length");
    }
    let mut raw = Vec::with_capacity(searches.len());
    for (i, (search, replace)) in searches.into_iter().zip(replaces).enumerate() {
        let search = bytes_of(&mut cx, search, &format!("edit #{} search", i + 1))?;
        let replace = bytes_of(&mut cx, replace, &format!("edit #{} replace", i + 1))?;
        raw.push((search, replace));
    }
    let original = text_of(&mut cx, &original, "original")?;
    let mut edits = Vec::with_capacity(raw.len());
    for (i, (search, replace)) in raw.iter().enumerate() {
        let search = text_of(&mut cx, search, &format!("edit #{} search", i + 1))?;
        let replace = text_of(&mut cx, replace, &format!("edit #{} replace", i + 1))?;
        edits.push(Edit { search, replace });
    }
    let edited = apply_edits(
        original,
        &edits,
        EditOptions {
            flexible_whitespace,
        },
    );
    let edited = or_throw(&mut cx, edited)?;
    let result = cx.empty_object();
    let text = cx.string(&edited.text);
    result.set(&mut cx, "text", text)?;
    let records = cx.string(serde_json::to_string(&edited.edits).unwrap_or_else(|_| "[]".into()));
    result.set(&mut cx, "edits", records)?;
    Ok(result)
}
