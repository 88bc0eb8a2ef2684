//! JS <-> Rust conversion for secret detection: offsets go back as UTF-16 indices for a string
//! (what JS slices with) and as byte offsets for a Buffer.

use neon::prelude::*;

use crate::js_args::BytesArg;
use crate::secrets::{self, Hit};

/// UTF-16 index of each byte offset, in one walk over the text (offsets are sorted first).
fn utf16_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..byte_offsets.len()).collect();
    order.sort_by_key(|&index| byte_offsets[index]);
    let mut result = vec![0; byte_offsets.len()];
    let (mut byte, mut units) = (0, 0);
    let mut chars = text.chars();
    for index in order {
        while byte < byte_offsets[index] {
            let Some(char) = chars.next() else { break };
            byte += char.len_utf8();
            units += char.len_utf16();
        }
        result[index] = units;
    }
    result
}

fn hits_to_js<'a>(cx: &mut FunctionContext<'a>, hits: &[Hit], offsets: &[usize]) -> JsResult<'a, JsArray> {
    let array = cx.empty_array();
    for (index, hit) in hits.iter().enumerate() {
        let item = cx.empty_object();
        let rule = cx.string(hit.rule);
        item.set(cx, "rule", rule)?;
        let start = cx.number(offsets[2 * index] as f64);
        item.set(cx, "start", start)?;
        let end = cx.number(offsets[2 * index + 1] as f64);
        item.set(cx, "end", end)?;
        array.set(cx, index as u32, item)?;
    }
    Ok(array)
}

/// `secretsFind(content, path?)`: secrets in a string (UTF-16 offsets) or in a Buffer, read as
/// binary content whose printable runs are scanned (byte offsets).
fn find(mut cx: FunctionContext) -> JsResult<JsArray> {
    let path = match cx.argument_opt(1) {
        Some(value) if !value.is_a::<JsUndefined, _>(&mut cx) && !value.is_a::<JsNull, _>(&mut cx) => {
            Some(value.downcast_or_throw::<JsString, _>(&mut cx)?.value(&mut cx))
        }
        _ => None,
    };
    let content = cx.argument::<JsValue>(0)?;
    if let Ok(text) = content.downcast::<JsString, _>(&mut cx) {
        let text = text.value(&mut cx);
        let hits = secrets::scan(text.as_bytes(), path.as_deref());
        let bytes: Vec<usize> = hits.iter().flat_map(|hit| [hit.start, hit.end]).collect();
        let offsets = utf16_offsets(&text, &bytes);
        return hits_to_js(&mut cx, &hits, &offsets);
    }
    let bytes = BytesArg::new(&mut cx, content, "secretsFind: content")?;
    let hits = secrets::scan_binary(bytes.bytes(&cx), path.as_deref());
    let offsets: Vec<usize> = hits.iter().flat_map(|hit| [hit.start, hit.end]).collect();
    hits_to_js(&mut cx, &hits, &offsets)
}

pub fn register(cx: &mut ModuleContext) -> NeonResult<()> {
    cx.export_function("secretsFind", find)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_utf16_indices() {
        let text = "é😀a";
        assert_eq!(utf16_offsets(text, &[7, 0, 2, 6]), vec![4, 0, 1, 3]);
    }
}
