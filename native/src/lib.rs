//! The Node-API surface of PyAgent's native core. Each module owns one job; this file only
//! converts between JS values and Rust types.

mod align;
mod constrain;
mod constrain_js;
mod diff;
mod edits;
mod hash;
mod interner;
mod js_args;
mod language;
mod diff_js;
mod line_tokens;
mod metrics;
mod metrics_js;
mod patch;
mod secrets;
mod secrets_js;
mod similarity;
mod tags;
mod tags_js;
mod text;

use neon::prelude::*;

fn version(mut cx: FunctionContext) -> JsResult<JsString> {
    Ok(cx.string(env!("CARGO_PKG_VERSION")))
}

fn blake3(mut cx: FunctionContext) -> JsResult<JsString> {
    let data = js_args::bytes_arg(&mut cx, 0, "blake3: data")?;
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
    diff_js::register(&mut cx)?;
    constrain_js::register(&mut cx)?;
    secrets_js::register(&mut cx)?;
    tags_js::register(&mut cx)?;
    Ok(())
}
