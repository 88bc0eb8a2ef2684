//! What the tags need of each language: where a function's body holds local code, and the tags
//! query of each (the grammar crate's own, plus what `queries/` adds), compiled once per process.

use std::sync::OnceLock;

use tree_sitter::Query;

use crate::language::Language;

impl Language {
    /// Node kinds whose bodies hold code that runs, not declarations: a definition inside one
    /// is a local helper that no other file can use, so the map leaves it out.
    pub fn is_function(self, kind: &str) -> bool {
        match self {
            Language::TypeScript | Language::Tsx | Language::JavaScript => matches!(
                kind,
                "function_declaration"
                    | "function_expression"
                    | "arrow_function"
                    | "method_definition"
                    | "generator_function"
                    | "generator_function_declaration"
            ),
            Language::Python => matches!(kind, "function_definition" | "lambda"),
            Language::Rust => matches!(kind, "function_item" | "closure_expression"),
            Language::Go => matches!(kind, "function_declaration" | "method_declaration" | "func_literal"),
            Language::Java => matches!(kind, "method_declaration" | "constructor_declaration" | "lambda_expression"),
            Language::C | Language::Cpp => matches!(kind, "function_definition" | "lambda_expression"),
        }
    }

    /// The query's parts as written: the grammar's own tags query, then what `queries/` adds.
    /// TypeScript's tags query covers only what TypeScript adds to JavaScript, so the JavaScript
    /// one comes first (as tree-sitter's own tags config does).
    pub(super) fn query_parts(self) -> &'static [&'static str] {
        match self {
            Language::TypeScript | Language::Tsx => &[
                tree_sitter_javascript::TAGS_QUERY,
                tree_sitter_typescript::TAGS_QUERY,
                include_str!("queries/typescript.scm"),
            ],
            Language::JavaScript => &[tree_sitter_javascript::TAGS_QUERY, include_str!("queries/javascript.scm")],
            Language::Python => &[tree_sitter_python::TAGS_QUERY, include_str!("queries/python.scm")],
            Language::Rust => &[tree_sitter_rust::TAGS_QUERY, include_str!("queries/rust.scm")],
            Language::Go => &[tree_sitter_go::TAGS_QUERY],
            Language::Java => &[tree_sitter_java::TAGS_QUERY, include_str!("queries/java.scm")],
            Language::C => &[tree_sitter_c::TAGS_QUERY, include_str!("queries/c_family.scm")],
            Language::Cpp => &[
                tree_sitter_cpp::TAGS_QUERY,
                include_str!("queries/c_family.scm"),
                include_str!("queries/cpp.scm"),
            ],
        }
    }

    fn query_source(self) -> String {
        without_doc_comments(&self.query_parts().join("\n"))
    }

    /// The compiled tags query. A query that does not compile against its grammar is a bug in
    /// this crate (the tests compile every one), so it panics, which reaches JS as an Error.
    pub fn query(self) -> &'static Query {
        static QUERIES: [OnceLock<Query>; 9] = [const { OnceLock::new() }; 9];
        QUERIES[self as usize].get_or_init(|| {
            Query::new(&self.grammar(), &self.query_source())
                .unwrap_or_else(|error| panic!("the {} tags query does not compile: {error}", self.name()))
        })
    }
}

/// The JavaScript and Go grammars' tags queries capture the comments above each definition
/// (`(comment)* @doc .`, trimmed by `#strip!` and `#select-adjacent!`, which only tree-sitter's
/// tags crate reads). The tags never use them, and the quantified comments before a pattern
/// cost the query cursor time on every definition, so they are taken out; the definitions
/// matched stay the same (tests.rs checks that on real files).
fn without_doc_comments(query: &str) -> String {
    query.replace("(comment)* @doc\n  .\n", "").lines().filter(|line| !line.contains("@doc")).collect::<Vec<_>>().join("\n")
}
