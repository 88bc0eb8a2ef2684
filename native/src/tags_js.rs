//! JS <-> Rust conversion for the tags module. Tags cross as one JSON string per file: the
//! caller stores that string as it is (the cache) and parses it only when it builds a map, and
//! one string costs far less to hand over than an object per tag.

use neon::prelude::*;

use crate::js_args::{self, BytesArg};
use crate::tags::{self, FileTags, TagLanguage};

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

fn language_arg(cx: &mut FunctionContext, index: usize) -> NeonResult<TagLanguage> {
    let name = cx.argument::<JsString>(index)?.value(cx);
    match TagLanguage::from_name(&name) {
        Some(language) => Ok(language),
        None => cx.throw_type_error(format!(
            "tagsExtract: unknown language {name:?}; expected typescript, tsx, javascript, python, rust, go, java, c or cpp"
        )),
    }
}

/// `tagsExtract(source, language)`: `{tags: string, skipped: null}` or `{tags: null, skipped: reason}`.
fn extract(mut cx: FunctionContext) -> JsResult<JsObject> {
    let source = BytesArg::at(&mut cx, 0, "tagsExtract: source")?;
    let language = language_arg(&mut cx, 1)?;
    let extracted = tags::extract(source.bytes(&cx), language);
    let result = cx.empty_object();
    let (tags, skipped): (Handle<JsValue>, Handle<JsValue>) = match extracted {
        Ok(found) => (cx.string(encode(&found)).upcast(), cx.null().upcast()),
        Err(skip) => (cx.null().upcast(), cx.string(skip.name()).upcast()),
    };
    result.set(&mut cx, "tags", tags)?;
    result.set(&mut cx, "skipped", skipped)?;
    Ok(result)
}

/// `tagsLanguageForPath(path)`: the tags language of a file from its name, or null.
fn language_for_path(mut cx: FunctionContext) -> JsResult<JsValue> {
    let path = cx.argument::<JsString>(0)?.value(&mut cx);
    Ok(js_args::string_or_null(&mut cx, TagLanguage::from_path(&path).map(TagLanguage::name)))
}

/// `tagsVersion()`: changes whenever the same file would get different tags.
fn version(mut cx: FunctionContext) -> JsResult<JsNumber> {
    Ok(cx.number(tags::TAGS_VERSION))
}

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("tagsExtract", extract)?;
    cx.export_function("tagsLanguageForPath", language_for_path)?;
    cx.export_function("tagsVersion", version)?;
    Ok(())
}
