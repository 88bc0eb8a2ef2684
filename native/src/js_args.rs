//! Argument conversions shared by every Neon entry point.

use neon::prelude::*;
use neon::types::buffer::TypedArray;

/// A `string | Uint8Array` argument (a Buffer is a Uint8Array): a string as its UTF-8, and a
/// Uint8Array read in place, without a copy.
pub enum BytesArg<'cx> {
    Text(Vec<u8>),
    View(Handle<'cx, JsUint8Array>),
}

impl<'cx> BytesArg<'cx> {
    /// Anything but a string or a Uint8Array is a TypeError that names the argument.
    pub fn new(cx: &mut FunctionContext<'cx>, value: Handle<'cx, JsValue>, name: &str) -> NeonResult<Self> {
        if let Ok(text) = value.downcast::<JsString, _>(cx) {
            return Ok(BytesArg::Text(text.value(cx).into_bytes()));
        }
        if let Ok(bytes) = value.downcast::<JsUint8Array, _>(cx) {
            return Ok(BytesArg::View(bytes));
        }
        cx.throw_type_error(format!("{name} must be a string or a Buffer"))
    }

    /// Argument `index`, as `new`.
    pub fn at(cx: &mut FunctionContext<'cx>, index: usize, name: &str) -> NeonResult<Self> {
        let value = cx.argument::<JsValue>(index)?;
        Self::new(cx, value, name)
    }

    /// The bytes; a view's stay borrowed from `cx` until the slice is dropped.
    pub fn bytes<'a>(&'a self, cx: &'a FunctionContext<'cx>) -> &'a [u8] {
        match self {
            BytesArg::Text(bytes) => bytes,
            BytesArg::View(view) => view.as_slice(cx),
        }
    }
}

/// The bytes of a `string | Uint8Array` value, copied out of JS (see `BytesArg`).
pub fn bytes_of<'a>(cx: &mut FunctionContext<'a>, value: Handle<'a, JsValue>, name: &str) -> NeonResult<Vec<u8>> {
    Ok(match BytesArg::new(cx, value, name)? {
        BytesArg::Text(bytes) => bytes,
        BytesArg::View(view) => view.as_slice(cx).to_vec(),
    })
}

/// The bytes of argument `index`, as `bytes_of`.
pub fn bytes_arg(cx: &mut FunctionContext, index: usize, name: &str) -> NeonResult<Vec<u8>> {
    let value = cx.argument::<JsValue>(index)?;
    bytes_of(cx, value, name)
}

/// A name, or null: how an optional enum crosses to JS.
pub fn string_or_null<'a>(cx: &mut FunctionContext<'a>, value: Option<&str>) -> Handle<'a, JsValue> {
    match value {
        Some(text) => cx.string(text).upcast(),
        None => cx.null().upcast(),
    }
}
