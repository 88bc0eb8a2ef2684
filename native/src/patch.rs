//! Unified diffs in, new text out. `parse_patch` reads what `git diff`, `diff -u` and this
//! crate print (multi-file, git's extended headers, quoted names, timestamps, preamble text);
//! `apply_file_patch` applies one file's hunks with exact, then offset, then (when allowed)
//! whitespace-insensitive matching, and either every hunk applies or none does.

use crate::similarity::best_window;
use crate::text::{
    normalize_whitespace, split_lines, strip_terminator, terminator, Candidate, EngineError,
    HunkFailure,
};
use serde::Serialize;
use std::cell::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    Modify,
    Create,
    Delete,
    Rename,
    Copy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LineKind {
    Context,
    Remove,
    Add,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchLine<'a> {
    pub kind: LineKind,
    /// The line's content with its terminator; none when `\ No newline at end of file` followed.
    pub text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchHunk<'a> {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    /// The `@@ … @@` line without its terminator.
    pub header: &'a str,
    pub lines: Vec<PatchLine<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePatch<'a> {
    /// None for `/dev/null` (a created file) or when the patch names no file.
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub kind: ChangeKind,
    pub old_mode: Option<String>,
    pub new_mode: Option<String>,
    pub similarity: Option<u32>,
    /// A git binary patch or "Binary files … differ": there are no hunks to apply.
    pub binary: bool,
    pub hunks: Vec<PatchHunk<'a>>,
    /// This file's section of the patch, headers included; `apply_patch` takes it as it is.
    pub patch: &'a str,
}

impl FilePatch<'_> {
    /// The path the change is known by: the new one, or the old one for a deletion.
    pub fn display_path(&self) -> Option<&str> {
        self.new_path.as_deref().or(self.old_path.as_deref())
    }
}

/// Where each hunk of an applied patch landed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedHunk {
    pub index: usize,
    /// 1-based line of the original where the hunk's old lines start.
    pub line: usize,
    /// Lines between where the hunk said it applies and where it did.
    pub offset: i64,
    /// True when only the whitespace-insensitive comparison matched.
    pub whitespace: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPatch {
    pub text: String,
    pub hunks: Vec<AppliedHunk>,
}

#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// Try whitespace-insensitive matching when exact and offset matching fail.
    pub ignore_whitespace: bool,
    /// Ignore the line counts of `@@` headers and take each hunk's body as it is (git apply
    /// --recount): for hand- or model-written patches, whose counts are often wrong.
    pub recount: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// Leading path components dropped from `---`/`+++`/`diff --git` names (`patch -p`).
    pub strip: usize,
    /// See [`ApplyOptions::recount`].
    pub recount: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            strip: 1,
            recount: false,
        }
    }
}

/// Every file the patch changes, in order.
pub fn parse_patch<'a>(
    patch: &'a str,
    options: ParseOptions,
) -> Result<Vec<FilePatch<'a>>, EngineError> {
    Parser {
        lines: split_lines(patch),
        pos: 0,
        offsets: Vec::new(),
        options,
        source: patch,
    }
    .parse()
}

/// Applies a patch that changes exactly one file to that file's text.
pub fn apply_patch(
    original: &str,
    patch: &str,
    options: ApplyOptions,
) -> Result<AppliedPatch, EngineError> {
    let files = parse_patch(
        patch,
        ParseOptions {
            recount: options.recount,
            ..ParseOptions::default()
        },
    )?;
    if files.len() != 1 {
        let names = files
            .iter()
            .map(|f| f.display_path().unwrap_or("(unnamed)").to_string())
            .collect();
        return Err(EngineError::PatchFileCount { files: names });
    }
    apply_file_patch(original, &files[0], options)
}

pub fn apply_file_patch(
    original: &str,
    file: &FilePatch,
    options: ApplyOptions,
) -> Result<AppliedPatch, EngineError> {
    let path = file.display_path().map(str::to_string);
    if file.binary {
        return Err(EngineError::Binary {
            input: format!("patch for {}", path.as_deref().unwrap_or("file")),
            offset: 0,
        });
    }
    if file.kind == ChangeKind::Create && !original.is_empty() {
        return Err(EngineError::PatchTarget {
            path,
            reason: "the patch creates this file but it already has content".into(),
        });
    }
    let lines = split_lines(original);
    let mut out = String::with_capacity(original.len() + 1024);
    let mut cursor = 0usize;
    let mut delta = 0i64;
    let mut applied = Vec::with_capacity(file.hunks.len());
    let mut failures = Vec::new();
    let normalized = OnceCell::new();
    for (index, hunk) in file.hunks.iter().enumerate() {
        match locate(&lines, &normalized, hunk, cursor, delta, options) {
            Some(found) => {
                for line in &lines[cursor..found.start] {
                    push_line(&mut out, line);
                }
                write_hunk(&mut out, &lines[found.start..], hunk, found.whitespace);
                let old_len = hunk
                    .lines
                    .iter()
                    .filter(|l| l.kind != LineKind::Add)
                    .count();
                cursor = found.start + old_len;
                let offset = found.start as i64 - expected_start(hunk) as i64;
                delta = offset;
                applied.push(AppliedHunk {
                    index,
                    line: found.start + 1,
                    offset,
                    whitespace: found.whitespace,
                });
            }
            None => failures.push(describe_failure(&lines, hunk, index, delta)),
        }
    }
    if !failures.is_empty() {
        return Err(EngineError::HunkFailed {
            path,
            hunks: file.hunks.len(),
            failures,
        });
    }
    for line in &lines[cursor..] {
        push_line(&mut out, line);
    }
    if file.kind == ChangeKind::Delete && !out.is_empty() {
        return Err(EngineError::PatchTarget {
            path,
            reason: format!(
                "the patch deletes this file but {} lines would remain",
                split_lines(&out).len()
            ),
        });
    }
    Ok(AppliedPatch {
        text: out,
        hunks: applied,
    })
}

/// 0-based line where the hunk's old lines start, by its header (an empty old side names the
/// line it follows).
fn expected_start(hunk: &PatchHunk) -> usize {
    if hunk.old_lines == 0 {
        hunk.old_start as usize
    } else {
        (hunk.old_start as usize).saturating_sub(1)
    }
}

struct Found {
    start: usize,
    whitespace: bool,
}

/// `normalized` caches the file's whitespace-normalized lines across hunks; it is filled only
/// when some hunk needs the loose comparison.
fn locate(
    lines: &[&str],
    normalized: &OnceCell<Vec<String>>,
    hunk: &PatchHunk,
    min_start: usize,
    delta: i64,
    options: ApplyOptions,
) -> Option<Found> {
    let old: Vec<&str> = hunk
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::Add)
        .map(|l| l.text)
        .collect();
    if old.len() > lines.len() - min_start.min(lines.len()) {
        return None;
    }
    let last_start = lines.len() - old.len();
    let expected =
        (expected_start(hunk) as i64 + delta).clamp(min_start as i64, last_start as i64) as usize;
    // Context on one side only happens at an edge of the file: such a hunk must stay there.
    let leading = hunk
        .lines
        .iter()
        .take_while(|l| l.kind == LineKind::Context)
        .count();
    let trailing = hunk
        .lines
        .iter()
        .rev()
        .take_while(|l| l.kind == LineKind::Context)
        .count();
    let has_context = hunk.lines.iter().any(|l| l.kind == LineKind::Context);
    let allowed = |start: usize| {
        !has_context
            || (leading == trailing)
            || (leading < trailing && start == 0)
            || (trailing < leading && start == last_start)
    };
    let exact = |start: usize| {
        old.iter()
            .zip(&lines[start..])
            .all(|(want, have)| want == have)
    };
    if let Some(start) = search_outward(expected, min_start, last_start, |s| allowed(s) && exact(s))
    {
        return Some(Found {
            start,
            whitespace: false,
        });
    }
    if !options.ignore_whitespace {
        return None;
    }
    let wanted: Vec<String> = old.iter().map(|line| normalize_whitespace(line)).collect();
    let normalized = normalized.get_or_init(|| {
        lines
            .iter()
            .map(|line| normalize_whitespace(line))
            .collect()
    });
    let loose = |start: usize| {
        wanted
            .iter()
            .zip(&normalized[start..])
            .all(|(want, have)| want == have)
    };
    search_outward(expected, min_start, last_start, |s| allowed(s) && loose(s)).map(|start| Found {
        start,
        whitespace: true,
    })
}

/// The first start in [low, high] accepted by `matches`, trying `expected`, then ±1, ±2, …
fn search_outward(
    expected: usize,
    low: usize,
    high: usize,
    matches: impl Fn(usize) -> bool,
) -> Option<usize> {
    if low > high {
        return None;
    }
    let reach = (expected - low).max(high - expected);
    for distance in 0..=reach {
        if expected + distance <= high && matches(expected + distance) {
            return Some(expected + distance);
        }
        if distance > 0 && distance <= expected - low && matches(expected - distance) {
            return Some(expected - distance);
        }
    }
    None
}

/// Writes the hunk's result over the matched lines: context from the file as it is, added
/// lines from the patch (taking the file's line ending when matched loosely).
fn write_hunk(out: &mut String, matched: &[&str], hunk: &PatchHunk, whitespace: bool) {
    let file_ending = matched
        .iter()
        .map(|l| terminator(l))
        .find(|t| !t.is_empty())
        .unwrap_or("\n");
    let mut old_index = 0;
    for line in &hunk.lines {
        match line.kind {
            LineKind::Context => {
                push_line(out, matched[old_index]);
                old_index += 1;
            }
            LineKind::Remove => old_index += 1,
            LineKind::Add if whitespace && !terminator(line.text).is_empty() => {
                push_line(out, strip_terminator(line.text));
                out.push_str(file_ending);
            }
            LineKind::Add => push_line(out, line.text),
        }
    }
}

/// Appends a line; a previous line left without a terminator gets one first, so two lines can
/// never fuse into one.
fn push_line(out: &mut String, line: &str) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
}

fn describe_failure(lines: &[&str], hunk: &PatchHunk, index: usize, delta: i64) -> HunkFailure {
    let old: Vec<&str> = hunk
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::Add)
        .map(|l| l.text)
        .collect();
    let prefer = (expected_start(hunk) as i64 + delta).max(0) as usize;
    let closest = best_window(lines, &old, prefer).map(|(start, similarity)| Candidate {
        line: start + 1,
        similarity,
        text: lines[start..(start + old.len()).min(lines.len())]
            .iter()
            .map(|l| strip_terminator(l).to_string())
            .collect(),
    });
    HunkFailure {
        index,
        header: hunk.header.to_string(),
        expected: old
            .iter()
            .map(|l| strip_terminator(l).to_string())
            .collect(),
        closest,
    }
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    pos: usize,
    offsets: Vec<usize>,
    options: ParseOptions,
    source: &'a str,
}

/// What a file section's headers said, before its hunks.
#[derive(Default)]
struct Headers {
    git_old: Option<String>,
    git_new: Option<String>,
    minus: Option<Option<String>>,
    plus: Option<Option<String>>,
    rename_from: Option<String>,
    rename_to: Option<String>,
    copy_from: Option<String>,
    copy_to: Option<String>,
    old_mode: Option<String>,
    new_mode: Option<String>,
    created: bool,
    deleted: bool,
    similarity: Option<u32>,
    binary: bool,
}

impl<'a> Parser<'a> {
    fn parse(mut self) -> Result<Vec<FilePatch<'a>>, EngineError> {
        let mut offset = 0;
        for line in &self.lines {
            self.offsets.push(offset);
            offset += line.len();
        }
        self.offsets.push(offset);
        let mut files = Vec::new();
        while self.pos < self.lines.len() {
            let line = self.lines[self.pos];
            let is_traditional = line.starts_with("--- ")
                && self
                    .lines
                    .get(self.pos + 1)
                    .is_some_and(|next| next.starts_with("+++ "));
            if line.starts_with("diff --git ") || is_traditional || line.starts_with("@@ ") {
                files.push(self.file()?);
            } else if let Some(names) = trim_eol(line).strip_prefix("Binary files ") {
                files.push(self.binary_notice(names, line));
                self.pos += 1;
            } else {
                self.pos += 1;
            }
        }
        Ok(files)
    }

    /// `Binary files X and Y differ` from `diff -r`: a change that cannot be applied as text,
    /// listed so that it is refused rather than silently skipped.
    fn binary_notice(&self, names: &str, line: &'a str) -> FilePatch<'a> {
        let names = names.strip_suffix(" differ").unwrap_or(names);
        let (old, new) = names.split_once(" and ").unwrap_or((names, names));
        let name = |raw: &str| (raw != "/dev/null").then(|| self.strip(raw));
        let headers = Headers {
            minus: Some(name(old)),
            plus: Some(name(new)),
            binary: true,
            ..Headers::default()
        };
        finish_file(headers, Vec::new(), line)
    }

    fn error(&self, reason: impl Into<String>) -> EngineError {
        EngineError::PatchParse {
            line: self.pos + 1,
            reason: reason.into(),
        }
    }

    fn file(&mut self) -> Result<FilePatch<'a>, EngineError> {
        let section_start = self.pos;
        let mut headers = Headers::default();
        let is_git = self.lines[self.pos].starts_with("diff --git ");
        if is_git {
            let names = trim_eol(&self.lines[self.pos]["diff --git ".len()..]);
            let (old, new) = split_git_names(names)
                .ok_or_else(|| self.error("cannot read the file names of `diff --git`"))?;
            headers.git_old = Some(self.strip(&old));
            headers.git_new = Some(self.strip(&new));
            self.pos += 1;
            self.git_extended_headers(&mut headers)?;
        }
        if self.pos + 1 < self.lines.len()
            && self.lines[self.pos].starts_with("--- ")
            && self.lines[self.pos + 1].starts_with("+++ ")
        {
            headers.minus = Some(self.header_name(&self.lines[self.pos][4..])?);
            headers.plus = Some(self.header_name(&self.lines[self.pos + 1][4..])?);
            self.pos += 2;
        }
        let mut hunks = Vec::new();
        while self.pos < self.lines.len() && self.lines[self.pos].starts_with("@@") {
            let hunk = self.hunk()?;
            self.reject_lines_past(&hunk)?;
            hunks.push(hunk);
        }
        if !is_git && hunks.is_empty() {
            return Err(self.error("the file header is not followed by a hunk"));
        }
        let patch = &self.source[self.offsets[section_start]..self.offsets[self.pos]];
        Ok(finish_file(headers, hunks, patch))
    }

    fn git_extended_headers(&mut self, headers: &mut Headers) -> Result<(), EngineError> {
        while self.pos < self.lines.len() {
            let line = trim_eol(self.lines[self.pos]);
            if line.starts_with("--- ") || line.starts_with("@@") || line.starts_with("diff --git ")
            {
                return Ok(());
            }
            if let Some(mode) = line.strip_prefix("old mode ") {
                headers.old_mode = Some(mode.to_string());
            } else if let Some(mode) = line.strip_prefix("new mode ") {
                headers.new_mode = Some(mode.to_string());
            } else if let Some(mode) = line.strip_prefix("deleted file mode ") {
                headers.deleted = true;
                headers.old_mode = Some(mode.to_string());
            } else if let Some(mode) = line.strip_prefix("new file mode ") {
                headers.created = true;
                headers.new_mode = Some(mode.to_string());
            } else if let Some(name) = line.strip_prefix("rename from ") {
                headers.rename_from = Some(self.plain_name(name)?);
            } else if let Some(name) = line.strip_prefix("rename to ") {
                headers.rename_to = Some(self.plain_name(name)?);
            } else if let Some(name) = line.strip_prefix("copy from ") {
                headers.copy_from = Some(self.plain_name(name)?);
            } else if let Some(name) = line.strip_prefix("copy to ") {
                headers.copy_to = Some(self.plain_name(name)?);
            } else if let Some(value) = line.strip_prefix("similarity index ") {
                headers.similarity = value.trim_end_matches('%').parse().ok();
            } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
                headers.binary = true;
                // The base85 payload runs until the next file; none of it is text to parse.
                self.pos += 1;
                while self.pos < self.lines.len()
                    && !self.lines[self.pos].starts_with("diff --git ")
                {
                    self.pos += 1;
                }
                return Ok(());
            } else if !(line.starts_with("index ") || line.starts_with("dissimilarity index ")) {
                return Ok(());
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn hunk(&mut self) -> Result<PatchHunk<'a>, EngineError> {
        let header = trim_eol(self.lines[self.pos]);
        let (old_start, old_lines, new_start, new_lines) = parse_range_header(header)
            .ok_or_else(|| self.error(format!("not a hunk header: {header}")))?;
        self.pos += 1;
        if self.options.recount {
            return self.recounted_hunk(header, old_start, new_start);
        }
        let (mut old_left, mut new_left) = (old_lines, new_lines);
        let mut lines: Vec<PatchLine<'a>> = Vec::new();
        while old_left > 0 || new_left > 0 {
            let Some(&raw) = self.lines.get(self.pos) else {
                return Err(self.error(format!(
                    "the patch ends inside hunk `{header}`: {old_left} old and {new_left} new lines are missing"
                )));
            };
            let (kind, text) = match raw.as_bytes()[0] {
                b' ' => (LineKind::Context, &raw[1..]),
                b'-' => (LineKind::Remove, &raw[1..]),
                b'+' => (LineKind::Add, &raw[1..]),
                // An empty line is a context line whose trailing space was stripped in transit.
                b'\n' | b'\r' if trim_eol(raw).is_empty() => (LineKind::Context, raw),
                b'\\' => {
                    self.no_newline(&mut lines)?;
                    continue;
                }
                _ => {
                    return Err(self.error(format!(
                    "hunk `{header}` is short: {old_left} old and {new_left} new lines are missing; fix the counts or apply with recount"
                )))
                }
            };
            let fits = match kind {
                LineKind::Context => old_left > 0 && new_left > 0,
                LineKind::Remove => old_left > 0,
                LineKind::Add => new_left > 0,
            };
            if !fits {
                return Err(self.error(format!(
                    "hunk `{header}` has more lines than its header counts; fix the counts or apply with recount"
                )));
            }
            if kind != LineKind::Add {
                old_left -= 1;
            }
            if kind != LineKind::Remove {
                new_left -= 1;
            }
            lines.push(PatchLine { kind, text });
            self.pos += 1;
        }
        if self
            .lines
            .get(self.pos)
            .is_some_and(|line| line.starts_with('\\'))
        {
            self.no_newline(&mut lines)?;
        }
        Ok(PatchHunk {
            old_start,
            old_lines,
            new_start,
            new_lines,
            header,
            lines,
        })
    }

    /// A diff line right after a hunk's counted lines means the counts are wrong; dropping it
    /// would apply part of the change and call it done. (`-- ` opens a mail signature.)
    fn reject_lines_past(&self, hunk: &PatchHunk) -> Result<(), EngineError> {
        let Some(&line) = self.lines.get(self.pos) else {
            return Ok(());
        };
        let next_file = line.starts_with("--- ")
            && self
                .lines
                .get(self.pos + 1)
                .is_some_and(|next| next.starts_with("+++ "));
        let diff_line = matches!(line.as_bytes()[0], b'+' | b'-' | b' ');
        if diff_line && !next_file && trim_eol(line) != "-- " {
            return Err(self.error(format!(
                "hunk `{}` has more lines than its header counts; fix the counts or apply with recount",
                hunk.header
            )));
        }
        Ok(())
    }

    /// A hunk whose body runs to the next hunk, file header or non-diff line, whatever its
    /// header counted. Empty lines at its end are taken as separators, not as context.
    fn recounted_hunk(
        &mut self,
        header: &'a str,
        old_start: u32,
        new_start: u32,
    ) -> Result<PatchHunk<'a>, EngineError> {
        let mut lines: Vec<PatchLine<'a>> = Vec::new();
        let mut blank_tail = 0;
        while let Some(&raw) = self.lines.get(self.pos) {
            let next_is_plus_header = self
                .lines
                .get(self.pos + 1)
                .is_some_and(|next| next.starts_with("+++ "));
            if raw.starts_with("@@")
                || raw.starts_with("diff --git ")
                || (raw.starts_with("--- ") && next_is_plus_header)
            {
                break;
            }
            let (kind, text) = match raw.as_bytes()[0] {
                b' ' => (LineKind::Context, &raw[1..]),
                b'-' => (LineKind::Remove, &raw[1..]),
                b'+' => (LineKind::Add, &raw[1..]),
                b'\n' | b'\r' if trim_eol(raw).is_empty() => (LineKind::Context, raw),
                b'\\' if !lines.is_empty() => {
                    self.no_newline(&mut lines)?;
                    continue;
                }
                _ => break,
            };
            blank_tail = if text == raw { blank_tail + 1 } else { 0 };
            lines.push(PatchLine { kind, text });
            self.pos += 1;
        }
        lines.truncate(lines.len() - blank_tail);
        let old_lines = lines
            .iter()
            .filter(|line| line.kind != LineKind::Add)
            .count() as u32;
        let new_lines = lines
            .iter()
            .filter(|line| line.kind != LineKind::Remove)
            .count() as u32;
        Ok(PatchHunk {
            old_start,
            old_lines,
            new_start,
            new_lines,
            header,
            lines,
        })
    }

    /// `\ No newline at end of file`: the line before it ends without a terminator.
    fn no_newline(&mut self, lines: &mut [PatchLine<'a>]) -> Result<(), EngineError> {
        let Some(previous) = lines.last_mut() else {
            return Err(self.error("`\\ No newline at end of file` without a line before it"));
        };
        previous.text = previous.text.strip_suffix('\n').unwrap_or(previous.text);
        self.pos += 1;
        Ok(())
    }

    /// A `---`/`+++` name: C-quoted, or up to a tab (a timestamp follows) or the line's end.
    fn header_name(&self, rest: &str) -> Result<Option<String>, EngineError> {
        let rest = trim_eol(rest);
        let name = if rest.starts_with('"') {
            unquote_c_style(rest)
                .ok_or_else(|| self.error("bad quoted file name"))?
                .0
        } else {
            rest.split('\t').next().unwrap_or("").trim_end().to_string()
        };
        if name == "/dev/null" {
            return Ok(None);
        }
        Ok(Some(self.strip(&name)))
    }

    /// A name from `rename from` and friends: never prefixed, possibly quoted.
    fn plain_name(&self, rest: &str) -> Result<String, EngineError> {
        if rest.starts_with('"') {
            return unquote_c_style(rest)
                .map(|(name, _)| name)
                .ok_or_else(|| self.error("bad quoted file name"));
        }
        Ok(rest.to_string())
    }

    fn strip(&self, name: &str) -> String {
        let mut rest = name;
        for _ in 0..self.options.strip {
            match rest.find('/') {
                Some(slash) if slash + 1 < rest.len() => {
                    rest = rest[slash + 1..].trim_start_matches('/')
                }
                _ => break,
            }
        }
        rest.to_string()
    }
}

fn finish_file<'a>(headers: Headers, hunks: Vec<PatchHunk<'a>>, patch: &'a str) -> FilePatch<'a> {
    let Headers {
        git_old,
        git_new,
        minus,
        plus,
        rename_from,
        rename_to,
        copy_from,
        copy_to,
        ..
    } = headers;
    let mut kind = ChangeKind::Modify;
    let (mut old_path, mut new_path) = (git_old, git_new);
    if let Some(minus) = minus {
        old_path = minus;
    }
    if let Some(plus) = plus {
        new_path = plus;
    }
    if headers.created || (old_path.is_none() && new_path.is_some()) {
        kind = ChangeKind::Create;
        old_path = None;
    } else if headers.deleted || (new_path.is_none() && old_path.is_some()) {
        kind = ChangeKind::Delete;
        new_path = None;
    } else if rename_from.is_some() || rename_to.is_some() {
        kind = ChangeKind::Rename;
        old_path = rename_from.or(old_path);
        new_path = rename_to.or(new_path);
    } else if copy_from.is_some() || copy_to.is_some() {
        kind = ChangeKind::Copy;
        old_path = copy_from.or(old_path);
        new_path = copy_to.or(new_path);
    }
    FilePatch {
        old_path,
        new_path,
        kind,
        old_mode: headers.old_mode,
        new_mode: headers.new_mode,
        similarity: headers.similarity,
        binary: headers.binary,
        hunks,
        patch,
    }
}

fn trim_eol(line: &str) -> &str {
    strip_terminator(line)
}

/// `@@ -l[,s] +l[,s] @@…` → (old start, old count, new start, new count); a missing count is 1.
fn parse_range_header(header: &str) -> Option<(u32, u32, u32, u32)> {
    let rest = header.strip_prefix("@@ -")?;
    let (ranges, _section) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let side = |text: &str| -> Option<(u32, u32)> {
        match text.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((text.parse().ok()?, 1)),
        }
    };
    let (old_start, old_lines) = side(old)?;
    let (new_start, new_lines) = side(new)?;
    Some((old_start, old_lines, new_start, new_lines))
}

/// The two names of `diff --git a/x b/y`: quoted ones are read as such; unquoted ones are
/// split where both halves name the same path, as for a rename-free change, else at ` b/`.
fn split_git_names(names: &str) -> Option<(String, String)> {
    if names.starts_with('"') {
        let (old, used) = unquote_c_style(names)?;
        let rest = names[used..].trim_start();
        let new = if rest.starts_with('"') {
            unquote_c_style(rest)?.0
        } else {
            rest.to_string()
        };
        return Some((old, new));
    }
    if let Some(space) = names.find(" \"") {
        return Some((
            names[..space].to_string(),
            unquote_c_style(&names[space + 1..])?.0,
        ));
    }
    let after_prefix = |name: &str| name.split_once('/').map(|(_, rest)| rest.to_string());
    for (space, _) in names.match_indices(' ') {
        let (old, new) = (&names[..space], &names[space + 1..]);
        if after_prefix(old).is_some() && after_prefix(old) == after_prefix(new) {
            return Some((old.to_string(), new.to_string()));
        }
    }
    names
        .find(" b/")
        .map(|space| (names[..space].to_string(), names[space + 1..].to_string()))
}

/// Reads a C-quoted name at the start of `text`: the name and the bytes consumed.
fn unquote_c_style(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return String::from_utf8(out).ok().map(|name| (name, i + 1)),
            b'\\' => {
                let escaped = *bytes.get(i + 1)?;
                i += 2;
                out.push(match escaped {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'0'..=b'3' => {
                        let digits = bytes.get(i - 1..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        digits
                            .iter()
                            .fold(0u8, |acc, d| acc.wrapping_mul(8).wrapping_add(d - b'0'))
                    }
                    other => other,
                });
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{diff_lines, DiffOptions};

    const EXACT: ApplyOptions = ApplyOptions {
        ignore_whitespace: false,
        recount: false,
    };
    const LOOSE: ApplyOptions = ApplyOptions {
        ignore_whitespace: true,
        recount: false,
    };

    fn numbered(range: std::ops::RangeInclusive<u32>) -> String {
        range.map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn round_trips_our_own_diffs() {
        let cases = [
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb", "a\nc"),
            ("a\nb", "a\nb\n"),
            ("a\nb\n", "a\nb"),
            ("x\r\ny\r\n", "x\r\nz\r\n"),
            (
                "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
                "0\n1\n2\n4\n5\n6\n7\n9\n10\n",
            ),
        ];
        for (a, b) in cases {
            for context in [0, 1, 3] {
                let patch = diff_lines(
                    a,
                    b,
                    &DiffOptions {
                        context,
                        ..DiffOptions::default()
                    },
                )
                .unified;
                if patch.is_empty() {
                    continue;
                }
                let result =
                    apply_patch(a, &patch, EXACT).unwrap_or_else(|e| panic!("{e}\n{patch}"));
                assert_eq!(result.text, b, "context {context}\n{patch}");
            }
        }
    }

    #[test]
    fn applies_at_an_offset_and_reports_it() {
        let a = numbered(1..=30);
        let b = a.replace("line 20\n", "line twenty\n");
        let patch = diff_lines(&a, &b, &DiffOptions::default()).unified;
        let shifted = format!("new 1\nnew 2\n{a}");
        let result = apply_patch(&shifted, &patch, EXACT).unwrap();
        assert_eq!(result.text, format!("new 1\nnew 2\n{b}"));
        assert_eq!(
            result.hunks,
            vec![AppliedHunk {
                index: 0,
                line: 19,
                offset: 2,
                whitespace: false
            }]
        );
    }

    #[test]
    fn whitespace_matching_is_opt_in_and_keeps_file_line_endings() {
        let patch = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b  c\n+d\n e\n";
        let original = "a\r\n  b c\r\ne\r\n";
        let error = apply_patch(original, patch, EXACT).unwrap_err();
        assert!(matches!(error, EngineError::HunkFailed { .. }));
        let result = apply_patch(original, patch, LOOSE).unwrap();
        assert_eq!(result.text, "a\r\nd\r\ne\r\n");
        assert!(result.hunks[0].whitespace);
    }

    #[test]
    fn failed_hunk_names_index_expected_lines_and_closest_place() {
        let a = numbered(1..=40);
        let b = a
            .replace("line 5\n", "five\n")
            .replace("line 30\n", "thirty\n");
        let patch = diff_lines(&a, &b, &DiffOptions::default()).unified;
        let drifted = a.replace("line 29\n", "line 29 edited\n");
        let EngineError::HunkFailed {
            failures, hunks, ..
        } = apply_patch(&drifted, &patch, EXACT).unwrap_err()
        else {
            panic!("expected a hunk failure");
        };
        assert_eq!(hunks, 2);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].index, 1);
        assert_eq!(failures[0].header, "@@ -27,7 +27,7 @@");
        assert_eq!(failures[0].expected[2], "line 29");
        let closest = failures[0].closest.as_ref().unwrap();
        assert_eq!(closest.line, 27);
        assert!(closest.similarity > 0.8 && closest.similarity < 1.0);
    }

    #[test]
    fn edge_hunks_stay_at_the_edge() {
        // Only trailing context: the hunk belongs at the top and must not slide down to a copy.
        let patch = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-x\n+y\n z\n";
        assert!(apply_patch("q\nx\nz\n", patch, EXACT).is_err());
        assert_eq!(apply_patch("x\nz\n", patch, EXACT).unwrap().text, "y\nz\n");
    }

    #[test]
    fn parses_git_extended_headers() {
        let patch = "commit message preamble\n\
diff --git a/old name.txt b/new name.txt\n\
similarity index 90%\n\
rename from old name.txt\n\
rename to new name.txt\n\
index 1234567..89abcde 100644\n\
--- a/old name.txt\t\n\
+++ b/new name.txt\t\n\
@@ -1 +1 @@\n\
-a\n\
+b\n\
diff --git a/script.sh b/script.sh\n\
old mode 100644\n\
new mode 100755\n\
diff --git a/gone.txt b/gone.txt\n\
deleted file mode 100644\n\
index 1234567..0000000\n\
--- a/gone.txt\n\
+++ /dev/null\n\
@@ -1 +0,0 @@\n\
-bye\n\
diff --git \"a/t\\303\\251st\" \"b/t\\303\\251st\"\n\
new file mode 100644\n\
--- /dev/null\n\
+++ \"b/t\\303\\251st\"\n\
@@ -0,0 +1 @@\n\
+hi\n\
diff --git a/img.png b/img.png\n\
index 1234567..89abcde 100644\n\
GIT binary patch\n\
literal 3\n\
KcmZQz$N&HU00030\n\
\n";
        let files = parse_patch(patch, ParseOptions::default()).unwrap();
        let summary: Vec<_> = files
            .iter()
            .map(|f| {
                (
                    f.kind,
                    f.old_path.as_deref(),
                    f.new_path.as_deref(),
                    f.hunks.len(),
                    f.binary,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    ChangeKind::Rename,
                    Some("old name.txt"),
                    Some("new name.txt"),
                    1,
                    false
                ),
                (
                    ChangeKind::Modify,
                    Some("script.sh"),
                    Some("script.sh"),
                    0,
                    false
                ),
                (ChangeKind::Delete, Some("gone.txt"), None, 1, false),
                (ChangeKind::Create, None, Some("tést"), 1, false),
                (
                    ChangeKind::Modify,
                    Some("img.png"),
                    Some("img.png"),
                    0,
                    true
                ),
            ]
        );
        assert_eq!(files[0].similarity, Some(90));
        assert_eq!(
            (files[1].old_mode.as_deref(), files[1].new_mode.as_deref()),
            (Some("100644"), Some("100755"))
        );
        assert!(
            files[1].patch.starts_with("diff --git a/script.sh")
                && files[1].patch.ends_with("100755\n")
        );
        assert_eq!(
            apply_patch("bye\n", files[2].patch, EXACT).unwrap().text,
            ""
        );
        assert_eq!(apply_patch("", files[3].patch, EXACT).unwrap().text, "hi\n");
        assert!(matches!(
            apply_patch("x", files[4].patch, EXACT),
            Err(EngineError::Binary { .. })
        ));
        assert!(matches!(
            apply_patch("", patch, EXACT),
            Err(EngineError::PatchFileCount { .. })
        ));
    }

    #[test]
    fn lists_binary_changes_from_diff_r() {
        let patch = "diff -ru A/x.txt B/x.txt\n--- A/x.txt\n+++ B/x.txt\n@@ -1 +1 @@\n-a\n+b\nBinary files A/img.png and B/img.png differ\n";
        let files = parse_patch(patch, ParseOptions::default()).unwrap();
        assert_eq!(files.len(), 2);
        assert!(files[1].binary && files[1].hunks.is_empty());
        assert_eq!(files[1].new_path.as_deref(), Some("img.png"));
        assert!(matches!(
            apply_file_patch("", &files[1], EXACT),
            Err(EngineError::Binary { .. })
        ));
    }

    #[test]
    fn reads_diff_u_timestamps_and_hunk_only_patches() {
        let patch = "--- /tmp/x/a.txt\t2026-11-25 08:00:00.000000000 +0000\n+++ /tmp/y/a.txt\t2026-11-25 08:00:01.000000000 +0000\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n";
        let files = parse_patch(patch, ParseOptions::default()).unwrap();
        assert_eq!(files[0].old_path.as_deref(), Some("tmp/x/a.txt"));
        assert_eq!(
            apply_patch("a\nb\n", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n", EXACT)
                .unwrap()
                .text,
            "a\nc\n"
        );
    }

    #[test]
    fn creation_and_deletion_check_their_target() {
        let create = "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n";
        assert!(matches!(
            apply_patch("already\n", create, EXACT),
            Err(EngineError::PatchTarget { .. })
        ));
        let delete = "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        assert!(matches!(
            apply_patch("x\ny\n", delete, EXACT),
            Err(EngineError::PatchTarget { .. })
        ));
    }

    #[test]
    fn recount_takes_hunk_bodies_as_they_are() {
        // Counts as a model might write them: wrong on both sides, and a blank separator line.
        let patch =
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n+B2\n c\n\n@@ -9,1 +9,1 @@\n-e\n+E\n";
        assert!(matches!(
            apply_patch("a\nb\nc\nd\ne\n", patch, EXACT),
            Err(EngineError::PatchParse { .. })
        ));
        let recount = ApplyOptions {
            recount: true,
            ..EXACT
        };
        let result = apply_patch("a\nb\nc\nd\ne\n", patch, recount).unwrap();
        assert_eq!(result.text, "a\nB\nB2\nc\nd\nE\n");
        let files = parse_patch(
            patch,
            ParseOptions {
                recount: true,
                ..ParseOptions::default()
            },
        )
        .unwrap();
        let counts: Vec<_> = files[0]
            .hunks
            .iter()
            .map(|h| (h.old_lines, h.new_lines))
            .collect();
        assert_eq!(counts, vec![(3, 4), (1, 1)]);
    }

    #[test]
    fn accepts_context_lines_stripped_to_empty() {
        let patch = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n";
        assert_eq!(
            apply_patch("a\n\nb\n", patch, EXACT).unwrap().text,
            "a\n\nc\n"
        );
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        let full =
            "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n\\ No newline at end of file\n";
        for cut in 0..=full.len() {
            let _ = apply_patch("a\nb\nd", &full[..cut], LOOSE);
        }
        for garbage in [
            "@@ -1,2 +1,2 @@\n",
            "@@ -x +y @@\n",
            "@@ -1 +1 @@\n\\\n",
            "diff --git \n",
            "--- \"\n+++ \"\\\n@@ -1 +1 @@\n",
            "@@ -4294967295,4294967295 +1 @@\n-a\n",
            "@@ -1,0 +1,0 @@\n",
            "diff --git \"a\\777\" b\n",
        ] {
            let _ = apply_patch("a\n", garbage, LOOSE);
        }
        assert!(matches!(
            apply_patch("a\n", "@@ -1,3 +1,3 @@\n a\n", EXACT),
            Err(EngineError::PatchParse { .. })
        ));
        assert!(matches!(
            apply_patch("a\n", "just text\n", EXACT),
            Err(EngineError::PatchFileCount { .. })
        ));
    }
}
