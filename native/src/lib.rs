//! The Node-API surface of PyAgent's native core. Each module owns one job; this file only
//! converts between JS values and Rust types.

mod constrain;
mod constrain_js;
mod diff;
mod edits;
mod hash;
mod js_diff;
mod metrics;
mod metrics_js;
mod patch;
mod similarity;
mod text;

use neon::prelude::*;
use neon::types::buffer::TypedArray;

/// Bytes of a `Buffer | string` argument; anything else is a TypeError naming the function.
fn bytes_arg(cx: &mut FunctionContext, index: usize, function: &str) -> NeonResult<Vec<u8>> {
    let value = cx.argument::<JsValue>(index)?;
    if let Ok(text) = value.downcast::<JsString, _>(cx) {
        return Ok(text.value(cx).into_bytes());
    }
    if let Ok(buffer) = value.downcast::<JsBuffer, _>(cx) {
        return Ok(buffer.as_slice(cx).to_vec());
    }
    cx.throw_type_error(format!("{function}: argument {index} must be a Buffer or a string"))
}

fn version(mut cx: FunctionContext) -> JsResult<JsString> {
    Ok(cx.string(env!("CARGO_PKG_VERSION")))
}

fn blake3(mut cx: FunctionContext) -> JsResult<JsString> {
    let data = bytes_arg(&mut cx, 0, "blake3")?;
    Ok(cx.string(hash::blake3_hex(&data)))
}

/// Panics on purpose so the test suite can prove a Rust panic reaches JS as an Error.
fn panic_for_test(mut cx: FunctionContext) -> JsResult<JsUndefined> {
    let message = cx.argument::<JsString>(0)?.value(&mut cx);
    panic!("{message}");
}

#[neon::main]
fn main(mut cx: ModuleContext) -> NeonResult<()> {
    cx.export_function("version", version)?;
    cx.export_function("blake3", blake3)?;
    cx.export_function("panicForTest", panic_for_test)?;
    metrics_js::register(&mut cx)?;
    js_diff::register(&mut cx)?;
    constrain_js::register(&mut cx)?;
    Ok(())
}
