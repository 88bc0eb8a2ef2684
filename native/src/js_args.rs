//! Argument conversions shared by every Neon entry point.

use neon::prelude::*;
use neon::types::buffer::TypedArray;

/// The bytes of a `string | Uint8Array` value (a Buffer is a Uint8Array); a string as UTF-8.
/// Anything else is a TypeError that names the argument.
pub fn bytes_of<'a>(cx: &mut FunctionContext<'a>, value: Handle<'a, JsValue>, name: &str) -> NeonResult<Vec<u8>> {
    if let Ok(text) = value.downcast::<JsString, _>(cx) {
        return Ok(text.value(cx).into_bytes());
    }
    if let Ok(bytes) = value.downcast::<JsUint8Array, _>(cx) {
        return Ok(bytes.as_slice(cx).to_vec());
    }
    cx.throw_type_error(format!("{name} must be a string or a Buffer"))
}

/// The bytes of argument `index`, as `bytes_of`.
pub fn bytes_arg(cx: &mut FunctionContext, index: usize, name: &str) -> NeonResult<Vec<u8>> {
    let value = cx.argument::<JsValue>(index)?;
    bytes_of(cx, value, name)
}
