//! What the diff, patch and edit engines share: the typed error every one of them returns,
//! the check that turns raw bytes into text (or refuses them), and line splitting that keeps
//! each line's own terminator so CRLF and a missing final newline survive untouched.

use serde::Serialize;
use std::fmt;

/// A failed hunk: which one, what it expected to find, and where the file came closest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HunkFailure {
    /// 0-based position of the hunk in its file's hunk list.
    pub index: usize,
    /// The hunk's `@@ … @@` line as it appeared in the patch.
    pub header: String,
    /// The context and removed lines the hunk needs, without line terminators.
    pub expected: Vec<String>,
    pub closest: Option<Candidate>,
}

/// The stretch of text that came closest to what was searched for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// 1-based line where the candidate starts.
    pub line: usize,
    /// 0..1, the share of characters the candidate has in common with what was searched for.
    pub similarity: f64,
    /// The candidate's lines, without line terminators.
    pub text: Vec<String>,
}

/// Every way the engine refuses work. Serialized with a stable `code` for the JS side.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "camelCase")]
pub enum EngineError {
    #[serde(rename = "E_BINARY", rename_all = "camelCase")]
    Binary { input: String, offset: usize },
    #[serde(rename = "E_ENCODING", rename_all = "camelCase")]
    Encoding { input: String, offset: usize },
    #[serde(rename = "E_PATCH_PARSE", rename_all = "camelCase")]
    PatchParse { line: usize, reason: String },
    #[serde(rename = "E_PATCH_FILE_COUNT", rename_all = "camelCase")]
    PatchFileCount { files: Vec<String> },
    #[serde(rename = "E_PATCH_TARGET", rename_all = "camelCase")]
    PatchTarget {
        path: Option<String>,
        reason: String,
    },
    #[serde(rename = "E_HUNK_FAILED", rename_all = "camelCase")]
    HunkFailed {
        path: Option<String>,
        hunks: usize,
        failures: Vec<HunkFailure>,
    },
    #[serde(rename = "E_EDIT_INVALID", rename_all = "camelCase")]
    EditInvalid { index: usize, reason: String },
    #[serde(rename = "E_EDIT_NO_MATCH", rename_all = "camelCase")]
    EditNoMatch {
        index: usize,
        search: String,
        nearest: Option<Candidate>,
    },
    #[serde(rename = "E_EDIT_AMBIGUOUS", rename_all = "camelCase")]
    EditAmbiguous {
        index: usize,
        count: usize,
        lines: Vec<usize>,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Binary { input, offset } => write!(
                f,
                "{input} contains a NUL byte at offset {offset}: binary content is not edited as text"
            ),
            EngineError::Encoding { input, offset } => write!(
                f,
                "{input} is not valid UTF-8 (first bad byte at offset {offset}); pass it as text or convert it first"
            ),
            EngineError::PatchParse { line, reason } => write!(f, "malformed patch at line {line}: {reason}"),
            EngineError::PatchFileCount { files } if files.is_empty() => {
                write!(f, "the patch changes no file: it holds no hunk and no file header")
            }
            EngineError::PatchFileCount { files } => write!(
                f,
                "the patch changes {} files ({}); applyPatch takes one: apply each file's `patch` from parsePatch(patch) separately",
                files.len(),
                files.join(", ")
            ),
            EngineError::PatchTarget { path, reason } => {
                write!(f, "{}: {reason}", path.as_deref().unwrap_or("patch"))
            }
            EngineError::HunkFailed { path, hunks, failures } => {
                write!(f, "{} of {hunks} hunks failed", failures.len())?;
                if let Some(path) = path {
                    write!(f, " in {path}")?;
                }
                write!(f, "; nothing was applied.")?;
                for failure in failures {
                    write!(f, " Hunk #{} {} does not match", failure.index + 1, failure.header)?;
                    match &failure.closest {
                        Some(c) => write!(
                            f,
                            " (closest: line {}, {:.0}% similar).",
                            c.line,
                            c.similarity * 100.0
                        )?,
                        None => write!(f, " (no similar lines).")?,
                    }
                }
                Ok(())
            }
            EngineError::EditInvalid { index, reason } => write!(f, "edit #{}: {reason}", index + 1),
            EngineError::EditNoMatch { index, nearest, .. } => {
                write!(f, "edit #{}: the search text was not found", index + 1)?;
                match nearest {
                    Some(c) => write!(
                        f,
                        "; the nearest candidate starts at line {} ({:.0}% similar). Copy the search text exactly from the file.",
                        c.line,
                        c.similarity * 100.0
                    ),
                    None => write!(f, "; the file has nothing similar."),
                }
            }
            EngineError::EditAmbiguous { index, count, lines } => write!(
                f,
                "edit #{}: the search text matches {count} times (lines {}); add surrounding lines so it matches exactly once",
                index + 1,
                lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

impl std::error::Error for EngineError {}

impl EngineError {
    /// `{code, message, ...details}` for the JS side.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
        if let Some(object) = value.as_object_mut() {
            object.insert("message".into(), self.to_string().into());
        }
        value.to_string()
    }
}

/// Text from raw bytes: NUL means binary and invalid UTF-8 is refused, each with the offset.
/// `input` names the argument in the error ("original", "patch", "edit #2 search", …).
pub fn as_text<'a>(bytes: &'a [u8], input: &str) -> Result<&'a str, EngineError> {
    if let Some(offset) = memchr::memchr(0, bytes) {
        return Err(EngineError::Binary {
            input: input.to_string(),
            offset,
        });
    }
    // simdutf8 checks UTF-8 2-3x faster than std, which matters for the large texts a diff reads.
    simdutf8::compat::from_utf8(bytes).map_err(|error| EngineError::Encoding {
        input: input.to_string(),
        offset: error.valid_up_to(),
    })
}

/// Lines with their terminators: `"a\r\nb"` gives `["a\r\n", "b"]`; `""` gives none.
pub fn split_lines(text: &str) -> Vec<&str> {
    // memchr finds newlines many times faster than `split_inclusive`; this runs on every input.
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut lines = Vec::with_capacity(newlines.clone().count() + 1);
    let mut start = 0;
    for end in newlines {
        lines.push(&text[start..=end]);
        start = end + 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// A line without its terminator (`\n` or `\r\n`).
pub fn strip_terminator(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The terminator a line ends with: `"\r\n"`, `"\n"` or `""` for a last line without one.
pub fn terminator(line: &str) -> &str {
    &line[strip_terminator(line).len()..]
}

/// Whitespace-insensitive form of a line: trimmed, inner runs of whitespace collapsed to one
/// space, terminator dropped.
pub fn normalize_whitespace(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_nul_as_binary_with_offset() {
        let error = as_text(b"ab\0c", "original").unwrap_err();
        assert_eq!(
            error,
            EngineError::Binary {
                input: "original".into(),
                offset: 2
            }
        );
        assert!(error.to_json().contains("\"code\":\"E_BINARY\""));
    }

    #[test]
    fn refuses_invalid_utf8_without_panicking() {
        let error = as_text(&[b'o', b'k', 0xff, 0xfe], "patch").unwrap_err();
        assert_eq!(
            error,
            EngineError::Encoding {
                input: "patch".into(),
                offset: 2
            }
        );
    }

    #[test]
    fn splits_lines_keeping_terminators() {
        assert_eq!(split_lines("a\r\nb\nc"), vec!["a\r\n", "b\n", "c"]);
        assert!(split_lines("").is_empty());
        assert_eq!(strip_terminator("x\r\n"), "x");
        assert_eq!(terminator("x\r\n"), "\r\n");
        assert_eq!(terminator("x"), "");
    }

    #[test]
    fn normalizes_whitespace() {
        assert_eq!(normalize_whitespace("  let  x =\t1;\r\n"), "let x = 1;");
    }

    #[test]
    fn error_json_carries_code_message_and_details() {
        let error = EngineError::EditAmbiguous {
            index: 1,
            count: 3,
            lines: vec![2, 9, 14],
        };
        let json: serde_json::Value = serde_json::from_str(&error.to_json()).unwrap();
        assert_eq!(json["code"], "E_EDIT_AMBIGUOUS");
        assert_eq!(json["count"], 3);
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("matches 3 times"));
    }
}
