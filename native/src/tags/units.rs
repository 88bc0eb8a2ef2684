//! Code units for the semantic index: the functions, methods and classes of one file, each with
//! its line range and text, found by the same tags query the repository map uses (so a language
//! the map covers is covered here, with no second table of grammars).
//!
//! A unit's text starts at the comments right above it: a doc comment says in words what the
//! code does, which is what a question about the code is phrased in.

use tree_sitter::Node;

use super::{declaration_of, is_local, tags_in, Lines, Skip};
use crate::language::Language;

/// Bumped whenever a change here or in a query changes the units of some file: an index made
/// by another version is cut again.
pub const UNITS_VERSION: u32 = 1;

/// A unit's text is for finding it and showing where it starts, not for reading it whole: past
/// this many bytes (a long class) the rest adds little but size to the index.
const MAX_UNIT_TEXT_BYTES: usize = 16 * 1024;

/// Nodes that wrap a definition without being another one (`export`, a decorator, the `const`
/// around an arrow function, a C++ template): the unit and its comments start at the wrapper.
const WRAPPERS: [&str; 6] = [
    "export_statement",
    "decorated_definition",
    "lexical_declaration",
    "variable_declaration",
    "template_declaration",
    "ambient_declaration",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeUnit {
    pub name: String,
    /// function, method, class, interface or enum: the tags query's word for the definition.
    pub kind: &'static str,
    /// 1-based, inclusive; from the first line of the comments right above it.
    pub start_line: u32,
    pub end_line: u32,
    /// The unit's source lines, cut after MAX_UNIT_TEXT_BYTES.
    pub text: String,
}

/// The definition kinds that are units; constants, types, modules and macros are not (a module
/// is the sum of its units, and the others are too small to answer a question by themselves).
fn unit_kind(role: &'static str) -> Option<&'static str> {
    let kind = role.strip_prefix("definition.")?;
    matches!(kind, "function" | "method" | "class" | "interface" | "enum").then_some(kind)
}

/// The functions, methods and classes of one file's bytes in source order, or why it has none.
/// Definitions local to a function are part of that function's unit, not units of their own.
pub fn code_units(source: &[u8], language: Language) -> Result<Vec<CodeUnit>, Skip> {
    let (text, tree) = super::parse_checked(source, language)?;
    let lines = Lines::new(text);
    let mut found: Vec<(usize, CodeUnit)> = Vec::new();
    for tag in tags_in(&tree, text, language) {
        let Some(kind) = unit_kind(tag.role) else {
            continue;
        };
        let Ok(name) = tag.name.utf8_text(text.as_bytes()) else {
            continue;
        };
        if is_local(tag.node, language) {
            continue;
        }
        found.push((tag.name.start_byte(), unit(tag.node, name, kind, &lines)));
    }
    found.sort_by_key(|(at, _)| *at);
    // Patterns overlap (a Rust method is also a function): one unit per name, by its most specific kind.
    found.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same && later.1.kind == "method" {
            earlier.1.kind = "method";
        }
        same
    });
    Ok(found.into_iter().map(|(_, unit)| unit).collect())
}

fn unit(node: Node, name: &str, kind: &'static str, lines: &Lines) -> CodeUnit {
    let owner = if node.kind().ends_with("_declarator") { declaration_of(node).unwrap_or(node) } else { node };
    let anchor = outermost_wrapper(owner);
    let first = leading_comments(anchor).unwrap_or(anchor);
    let start_row = first.start_position().row;
    let end = anchor.end_position();
    // A node that ends at the start of a line (after its newline) ends on the line before.
    let end_row = if end.column == 0 && end.row > start_row { end.row - 1 } else { end.row };
    let line_start = lines.starts[start_row];
    CodeUnit {
        name: name.to_owned(),
        kind,
        start_line: start_row as u32 + 1,
        end_line: end_row as u32 + 1,
        text: cut_at_char(&lines.text[line_start..anchor.end_byte()], MAX_UNIT_TEXT_BYTES).to_owned(),
    }
}

fn outermost_wrapper(node: Node) -> Node {
    let mut anchor = node;
    while let Some(parent) = anchor.parent().filter(|parent| WRAPPERS.contains(&parent.kind())) {
        anchor = parent;
    }
    anchor
}

/// The first of the comments right above `node` (no blank line between them), if any.
fn leading_comments(node: Node) -> Option<Node> {
    let mut first = None;
    let mut below = node;
    while let Some(above) = below.prev_sibling() {
        if !above.kind().contains("comment") || above.end_position().row + 1 < below.start_position().row {
            break;
        }
        first = Some(above);
        below = above;
    }
    first
}

fn cut_at_char(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
