//! JS <-> Rust conversion for the metrics module.

use neon::prelude::*;
use neon::types::buffer::TypedArray;

use crate::js_args;
use crate::language::Language;
use crate::metrics::{self, FileMetrics};

fn source_arg(cx: &mut FunctionContext, index: usize) -> NeonResult<String> {
    let value = cx.argument::<JsValue>(index)?;
    if let Ok(text) = value.downcast::<JsString, _>(cx) {
        return Ok(text.value(cx));
    }
    if let Ok(buffer) = value.downcast::<JsBuffer, _>(cx) {
        return Ok(String::from_utf8_lossy(buffer.as_slice(cx)).into_owned());
    }
    cx.throw_type_error("metricsAnalyze: argument 0 must be a Buffer or a string")
}

fn to_js<'a>(cx: &mut FunctionContext<'a>, file: &FileMetrics) -> JsResult<'a, JsObject> {
    let result = cx.empty_object();
    let language = cx.string(file.language.name());
    result.set(cx, "language", language)?;
    let has_errors = cx.boolean(file.has_errors);
    result.set(cx, "hasErrors", has_errors)?;
    let functions = cx.empty_array();
    for (index, function) in file.functions.iter().enumerate() {
        let item = cx.empty_object();
        let name = cx.string(&function.name);
        item.set(cx, "name", name)?;
        let qualified_name = cx.string(&function.qualified_name);
        item.set(cx, "qualifiedName", qualified_name)?;
        let start_line = cx.number(function.start_line);
        item.set(cx, "startLine", start_line)?;
        let end_line = cx.number(function.end_line);
        item.set(cx, "endLine", end_line)?;
        let lines = cx.number(function.lines());
        item.set(cx, "lines", lines)?;
        let complexity = cx.number(function.complexity);
        item.set(cx, "complexity", complexity)?;
        functions.set(cx, index as u32, item)?;
    }
    result.set(cx, "functions", functions)?;
    Ok(result)
}

/// `metricsAnalyze(source, language)`: per-function metrics of one file's text.
fn analyze(mut cx: FunctionContext) -> JsResult<JsObject> {
    let source = source_arg(&mut cx, 0)?;
    let name = cx.argument::<JsString>(1)?.value(&mut cx);
    let Some(language) = Language::from_name(&name).filter(|language| language.has_metrics()) else {
        return cx.throw_type_error(format!(
            "metricsAnalyze: unknown language {name:?}; expected typescript, tsx, javascript, python, rust or go"
        ));
    };
    match metrics::analyze(&source, language) {
        Ok(file) => to_js(&mut cx, &file),
        Err(error) => cx.throw_error(error.to_string()),
    }
}

/// `metricsLanguageForPath(path)`: the language name the metrics use for a file, or null.
fn language_for_path(mut cx: FunctionContext) -> JsResult<JsValue> {
    let path = cx.argument::<JsString>(0)?.value(&mut cx);
    Ok(js_args::string_or_null(&mut cx, Language::from_path(&path).filter(|language| language.has_metrics()).map(Language::name)))
}

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("metricsAnalyze", analyze)?;
    cx.export_function("metricsLanguageForPath", language_for_path)?;
    Ok(())
}
