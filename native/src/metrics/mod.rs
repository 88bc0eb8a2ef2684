//! Per-function code metrics from a real parser (tree-sitter): cyclomatic complexity and size,
//! for TypeScript/JavaScript, Python, Rust and Go.
//!
//! Complexity is McCabe's: 1 + the decision points in the function's own body. Decision points
//! follow lizard's conventions (branches, loops, catch/except, switch cases, `&&`/`||`/`??`,
//! the ternary, logical assignments, parameter defaults, Python's `and`/`or` and comprehension
//! clauses) so figures are comparable with
//! it, except where lizard counts tokens that are not decisions: Python's `finally`, Rust's `?`
//! error propagation and `where` clauses. A nested function is measured on its own and adds
//! nothing to the function around it.

mod rules;

use tree_sitter::{Node, Parser, Tree};

use crate::language::Language;
use rules::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionMetrics {
    /// The function's own name, or `(anonymous)`.
    pub name: String,
    /// Enclosing classes, impls, modules and functions joined with `.` (Rust: `::`), then the name.
    pub qualified_name: String,
    /// 1-based, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    pub complexity: u32,
}

impl FunctionMetrics {
    pub fn lines(&self) -> u32 {
        self.end_line - self.start_line + 1
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetrics {
    pub language: Language,
    /// True when tree-sitter had to recover from syntax errors; figures may then be partial.
    pub has_errors: bool,
    pub functions: Vec<FunctionMetrics>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum MetricsError {
    Grammar(Language, String),
    Parse(Language),
}

impl std::fmt::Display for MetricsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetricsError::Grammar(language, reason) => {
                write!(
                    f,
                    "the {} grammar could not be loaded: {reason}",
                    language.name()
                )
            }
            MetricsError::Parse(language) => write!(
                f,
                "tree-sitter gave up parsing the {} source",
                language.name()
            ),
        }
    }
}

impl std::error::Error for MetricsError {}

/// Parses `source` as `language` and measures every function in it, in source order.
pub fn analyze(source: &str, language: Language) -> Result<FileMetrics, MetricsError> {
    let mut parser = Parser::new();
    parser
        .set_language(&language.grammar())
        .map_err(|error| MetricsError::Grammar(language, error.to_string()))?;
    let tree = parser
        .parse(source, None)
        .ok_or(MetricsError::Parse(language))?;
    Ok(FileMetrics {
        language,
        has_errors: tree.root_node().has_error(),
        functions: measure(&tree, source.as_bytes(), language),
    })
}

struct Frame {
    /// Index into the output, for functions; None for containers (classes, impls, modules).
    function: Option<usize>,
    name: String,
}

/// Walks the tree once, without recursion (deeply nested code must not overflow the stack),
/// keeping a stack of the functions and containers the cursor is inside.
fn measure(tree: &Tree, source: &[u8], language: Language) -> Vec<FunctionMetrics> {
    let mut functions: Vec<FunctionMetrics> = Vec::new();
    let mut frames: Vec<(usize, Frame)> = Vec::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        enter(node, source, language, depth, &mut frames, &mut functions);
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            while frames
                .last()
                .is_some_and(|(frame_depth, _)| *frame_depth == depth)
            {
                frames.pop();
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return functions;
            }
            depth -= 1;
        }
    }
}

fn enter(
    node: Node,
    source: &[u8],
    language: Language,
    depth: usize,
    frames: &mut Vec<(usize, Frame)>,
    functions: &mut Vec<FunctionMetrics>,
) {
    match rules::role(node, source, language) {
        Role::Function(name) => {
            let separator = language.separator();
            let qualified_name = frames
                .iter()
                .map(|(_, frame)| frame.name.as_str())
                .chain(std::iter::once(name.as_str()))
                .collect::<Vec<_>>()
                .join(separator);
            functions.push(FunctionMetrics {
                name: name.clone(),
                qualified_name,
                start_line: node.start_position().row as u32 + 1,
                end_line: node.end_position().row as u32 + 1,
                complexity: 1,
            });
            frames.push((
                depth,
                Frame {
                    function: Some(functions.len() - 1),
                    name,
                },
            ));
        }
        Role::Container(name) => frames.push((
            depth,
            Frame {
                function: None,
                name,
            },
        )),
        Role::Decision(points) => {
            let innermost = frames.iter().rev().find_map(|(_, frame)| frame.function);
            if let Some(index) = innermost {
                functions[index].complexity += points;
            }
        }
        Role::Other => {}
    }
}

#[cfg(test)]
mod tests;
