//! Tags for the repository map: the definitions and references of one source file, from
//! tree-sitter and each language's tags query (see `languages`).
//!
//! A definition carries its signature: the source lines from where it starts to where its body
//! opens, as a reader would want to see it in a map. A reference is a name used (called,
//! instantiated, named as a type). Files that would cost a parse and give nothing worth having
//! (binary, minified, mostly unparsable) yield no tags and say why.

mod languages;
mod python;
pub mod rank;
mod units;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, Parser, Query, QueryCursor, StreamingIterator, Tree};

use crate::language::Language;

pub use units::{code_units, CodeUnit, UNITS_VERSION};

/// Bumped whenever a change here or in a query changes the tags of some file: cached tags
/// carry the version that made them and are thrown away when it differs.
pub const TAGS_VERSION: u32 = 1;

/// A signature longer than this is cut: the map shows where a definition starts, not all of it.
const MAX_SIGNATURE_LINES: usize = 4;
const MAX_SIGNATURE_LINE_CHARS: usize = 200;
/// Minified or generated code: a line this long, or lines this long on average.
const MINIFIED_LINE_BYTES: usize = 4096;
const MINIFIED_MEAN_LINE_BYTES: usize = 300;
/// A file whose parse takes longer is treated as unparsable rather than holding up the map.
const PARSE_TIME_LIMIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    /// 1-based line where the signature starts.
    pub line: u32,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    /// 1-based.
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A NUL byte, or bytes that are not UTF-8.
    Binary,
    Minified,
    /// tree-sitter gave up, ran out of time, or recovered only by discarding most of the file.
    Unparsable,
}

impl Skip {
    pub fn name(self) -> &'static str {
        match self {
            Skip::Binary => "binary",
            Skip::Minified => "minified",
            Skip::Unparsable => "unparsable",
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileTags {
    /// In source order, each once.
    pub definitions: Vec<Definition>,
    /// In source order; a name used twice is two references.
    pub references: Vec<Reference>,
}

/// The tags of one file's bytes, or why it has none worth having.
pub fn extract(source: &[u8], language: Language) -> Result<FileTags, Skip> {
    let (text, tree) = parse_checked(source, language)?;
    Ok(collect(tags_in(&tree, text, language), text, language))
}

/// The file's text and syntax tree, or why neither is worth having: the checks tags and code
/// units share, so a file one of them skips the other skips for the same reason.
fn parse_checked(source: &[u8], language: Language) -> Result<(&str, Tree), Skip> {
    let text = check_text(source)?;
    let tree = parse(text, language).ok_or(Skip::Unparsable)?;
    if mostly_errors(&tree, text.len()) {
        return Err(Skip::Unparsable);
    }
    Ok((text, tree))
}

fn check_text(source: &[u8]) -> Result<&str, Skip> {
    if memchr::memchr(0, source).is_some() {
        return Err(Skip::Binary);
    }
    let text = simdutf8::basic::from_utf8(source).map_err(|_| Skip::Binary)?;
    let mut lines = 0usize;
    let mut longest = 0usize;
    let mut start = 0usize;
    for end in memchr::memchr_iter(b'\n', source).chain(std::iter::once(source.len())) {
        longest = longest.max(end - start);
        lines += 1;
        start = end + 1;
    }
    if longest > MINIFIED_LINE_BYTES || source.len() / lines > MINIFIED_MEAN_LINE_BYTES {
        return Err(Skip::Minified);
    }
    Ok(text)
}

thread_local! {
    /// A parser per thread, kept: creating one allocates its stacks each time.
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
}

fn parse(text: &str, language: Language) -> Option<Tree> {
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        parser.set_language(&language.grammar()).ok()?;
        let started = Instant::now();
        let mut give_up = |_: &tree_sitter::ParseState| started.elapsed() > PARSE_TIME_LIMIT;
        let bytes = text.as_bytes();
        let mut read = |offset: usize, _| &bytes[offset.min(bytes.len())..];
        let tree = parser.parse_with_options(&mut read, None, Some(ParseOptions::new().progress_callback(&mut give_up)));
        // A cancelled parse leaves the parser mid-document; the next file must start afresh.
        parser.reset();
        tree
    })
}

/// Whether error recovery had to throw away more than half the file: what is left is not the
/// file's structure, and tags from it would mislead.
fn mostly_errors(tree: &Tree, length: usize) -> bool {
    let root = tree.root_node();
    if !root.has_error() {
        return false;
    }
    if root.is_error() {
        return true;
    }
    let mut error_bytes = 0usize;
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        let descend = if node.is_error() {
            error_bytes += node.byte_range().len();
            false
        } else {
            node.has_error()
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    error_bytes * 2 > length
}

/// One match of a tags query: the capture naming its role (`definition.function`,
/// `reference.call`…), the name node and the node the role is about.
struct Tag<'tree> {
    role: &'static str,
    name: Node<'tree>,
    node: Node<'tree>,
}

/// Every tag of the tree: the matches of the language's tags query that have both a name and
/// a role, in match order; for Python the same tags from a walk (see `python`).
fn tags_in<'tree>(tree: &'tree Tree, text: &str, language: Language) -> Vec<Tag<'tree>> {
    match language {
        Language::Python => python::tags(tree),
        _ => matches_of(language.query(), tree, text),
    }
}

/// Every match of `query` that has both a name and a role, in match order.
fn matches_of<'tree>(query: &'static Query, tree: &'tree Tree, text: &str) -> Vec<Tag<'tree>> {
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
    let mut found_tags = Vec::new();
    while let Some(found) = matches.next() {
        let mut name: Option<Node> = None;
        let mut role: Option<(&'static str, Node)> = None;
        for capture in found.captures {
            let capture_name = names[capture.index as usize];
            if capture_name == "name" {
                name.get_or_insert(capture.node);
            } else if capture_name.starts_with("definition.") || capture_name.starts_with("reference.") {
                role = Some((capture_name, capture.node));
            }
        }
        if let (Some(name), Some((role, node))) = (name, role) {
            found_tags.push(Tag { role, name, node });
        }
    }
    found_tags
}

fn collect(tags: Vec<Tag>, text: &str, language: Language) -> FileTags {
    let lines = Lines::new(text);
    let mut definitions: Vec<(usize, Definition)> = Vec::new();
    let mut references: Vec<(usize, Reference)> = Vec::new();
    for Tag { role, name, node } in tags {
        let Ok(identifier) = name.utf8_text(text.as_bytes()) else {
            continue;
        };
        let line = name.start_position().row as u32 + 1;
        if role.starts_with("definition.") {
            if is_local(node, language) {
                continue;
            }
            let (first, signature) = signature(node, &lines);
            definitions.push((name.start_byte(), Definition { name: identifier.to_owned(), line: first, signature }));
        } else {
            references.push((name.start_byte(), Reference { name: identifier.to_owned(), line }));
        }
    }
    definitions.sort_by_key(|(at, _)| *at);
    // Patterns overlap (a Rust method is also a function): one definition per name node.
    definitions.dedup_by_key(|(at, _)| *at);
    // A definition's own name is not a use of it, though a type query matches it too.
    let defined_at: Vec<usize> = definitions.iter().map(|(at, _)| *at).collect();
    references.retain(|(at, _)| defined_at.binary_search(at).is_err());
    references.sort_by_key(|(at, _)| *at);
    references.dedup_by_key(|(at, _)| *at);
    FileTags {
        definitions: definitions.into_iter().map(|(_, definition)| definition).collect(),
        references: references.into_iter().map(|(_, reference)| reference).collect(),
    }
}

/// Whether a definition sits inside a function's body (a C declarator's own function aside).
fn is_local(node: Node, language: Language) -> bool {
    let owner = if node.kind().ends_with("_declarator") { declaration_of(node).unwrap_or(node) } else { node };
    let mut ancestor = owner.parent();
    while let Some(current) = ancestor {
        if language.is_function(current.kind()) {
            return true;
        }
        ancestor = current.parent();
    }
    false
}

/// The declaration or function definition a C or C++ declarator belongs to, through the
/// pointer, reference and array declarators around it (`char *name(void)`).
fn declaration_of<'tree>(node: Node<'tree>) -> Option<Node<'tree>> {
    let mut parent = node.parent()?;
    while parent.kind().ends_with("_declarator") {
        parent = parent.parent()?;
    }
    matches!(parent.kind(), "function_definition" | "declaration" | "field_declaration").then_some(parent)
}

/// The body a definition opens, looked for where grammars put it: on the node, on the value it
/// binds (`const f = () => {…}`), or on the function a C declarator belongs to.
fn body_of<'tree>(node: Node<'tree>, declaration: Option<Node<'tree>>) -> Option<Node<'tree>> {
    node.child_by_field_name("body")
        .or_else(|| node.child_by_field_name("value").and_then(|value| value.child_by_field_name("body")))
        .or_else(|| declaration?.child_by_field_name("body"))
}

/// Byte offsets where each line starts, to cut signatures out without rescanning the file.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1)).collect();
        Lines { text, starts }
    }

    fn line(&self, row: usize) -> &'a str {
        let start = self.starts[row];
        let end = self.starts.get(row + 1).map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end()
    }
}

/// The first line and text of a definition's signature: its lines up to the one where the body
/// opens (that line too when the body opens after other text on it, as `{` does, not when the
/// body starts a line of its own, as a Python block does).
fn signature(node: Node, lines: &Lines) -> (u32, String) {
    let declaration = if node.kind().ends_with("_declarator") { declaration_of(node) } else { None };
    // A C function's declarator starts after its return type, which may sit on the line above.
    let first = declaration.unwrap_or(node).start_position().row;
    let last = match body_of(node, declaration) {
        Some(body) => {
            let row = body.start_position().row;
            let before_body = &lines.text[lines.starts[row]..body.start_byte()];
            if row == first || !before_body.trim().is_empty() {
                row
            } else {
                row - 1
            }
        }
        None => first,
    };
    let last = last.min(first + MAX_SIGNATURE_LINES - 1);
    let text: Vec<String> = (first..=last).map(|row| cut(lines.line(row))).collect();
    (first as u32 + 1, text.join("\n"))
}

fn cut(line: &str) -> String {
    match line.char_indices().nth(MAX_SIGNATURE_LINE_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests;
