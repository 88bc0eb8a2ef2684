//! The languages the tags cover: which files are which, their grammars, and the tags query of
//! each (the grammar crate's own, plus what `queries/` adds), compiled once per process.

use std::sync::OnceLock;

use tree_sitter::{Language as Grammar, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagLanguage {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Rust,
    Go,
    Java,
    C,
    Cpp,
}

pub(super) const ALL: [TagLanguage; 9] = [
    TagLanguage::TypeScript,
    TagLanguage::Tsx,
    TagLanguage::JavaScript,
    TagLanguage::Python,
    TagLanguage::Rust,
    TagLanguage::Go,
    TagLanguage::Java,
    TagLanguage::C,
    TagLanguage::Cpp,
];

impl TagLanguage {
    /// The language of a file from its extension; None for files the tags do not cover.
    /// A `.h` header is read as C++: the C++ grammar parses C headers too, the C grammar
    /// stumbles over every class in a C++ one.
    pub fn from_path(path: &str) -> Option<TagLanguage> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.')?.1;
        Some(match extension {
            "ts" | "mts" | "cts" => TagLanguage::TypeScript,
            "tsx" => TagLanguage::Tsx,
            "js" | "mjs" | "cjs" | "jsx" => TagLanguage::JavaScript,
            "py" | "pyi" => TagLanguage::Python,
            "rs" => TagLanguage::Rust,
            "go" => TagLanguage::Go,
            "java" => TagLanguage::Java,
            "c" => TagLanguage::C,
            "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" => TagLanguage::Cpp,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TagLanguage::TypeScript => "typescript",
            TagLanguage::Tsx => "tsx",
            TagLanguage::JavaScript => "javascript",
            TagLanguage::Python => "python",
            TagLanguage::Rust => "rust",
            TagLanguage::Go => "go",
            TagLanguage::Java => "java",
            TagLanguage::C => "c",
            TagLanguage::Cpp => "cpp",
        }
    }

    pub fn from_name(name: &str) -> Option<TagLanguage> {
        ALL.into_iter().find(|language| language.name() == name)
    }

    pub fn grammar(self) -> Grammar {
        match self {
            TagLanguage::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            TagLanguage::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            TagLanguage::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            TagLanguage::Python => tree_sitter_python::LANGUAGE.into(),
            TagLanguage::Rust => tree_sitter_rust::LANGUAGE.into(),
            TagLanguage::Go => tree_sitter_go::LANGUAGE.into(),
            TagLanguage::Java => tree_sitter_java::LANGUAGE.into(),
            TagLanguage::C => tree_sitter_c::LANGUAGE.into(),
            TagLanguage::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }

    /// Node kinds whose bodies hold code that runs, not declarations: a definition inside one
    /// is a local helper that no other file can use, so the map leaves it out.
    pub fn is_function(self, kind: &str) -> bool {
        match self {
            TagLanguage::TypeScript | TagLanguage::Tsx | TagLanguage::JavaScript => matches!(
                kind,
                "function_declaration"
                    | "function_expression"
                    | "arrow_function"
                    | "method_definition"
                    | "generator_function"
                    | "generator_function_declaration"
            ),
            TagLanguage::Python => matches!(kind, "function_definition" | "lambda"),
            TagLanguage::Rust => matches!(kind, "function_item" | "closure_expression"),
            TagLanguage::Go => matches!(kind, "function_declaration" | "method_declaration" | "func_literal"),
            TagLanguage::Java => matches!(kind, "method_declaration" | "constructor_declaration" | "lambda_expression"),
            TagLanguage::C | TagLanguage::Cpp => matches!(kind, "function_definition" | "lambda_expression"),
        }
    }

    /// The query's parts as written: the grammar's own tags query, then what `queries/` adds.
    /// TypeScript's tags query covers only what TypeScript adds to JavaScript, so the JavaScript
    /// one comes first (as tree-sitter's own tags config does).
    pub(super) fn query_parts(self) -> &'static [&'static str] {
        match self {
            TagLanguage::TypeScript | TagLanguage::Tsx => &[
                tree_sitter_javascript::TAGS_QUERY,
                tree_sitter_typescript::TAGS_QUERY,
                include_str!("queries/typescript.scm"),
            ],
            TagLanguage::JavaScript => &[tree_sitter_javascript::TAGS_QUERY, include_str!("queries/javascript.scm")],
            TagLanguage::Python => &[tree_sitter_python::TAGS_QUERY, include_str!("queries/python.scm")],
            TagLanguage::Rust => &[tree_sitter_rust::TAGS_QUERY, include_str!("queries/rust.scm")],
            TagLanguage::Go => &[tree_sitter_go::TAGS_QUERY],
            TagLanguage::Java => &[tree_sitter_java::TAGS_QUERY, include_str!("queries/java.scm")],
            TagLanguage::C => &[tree_sitter_c::TAGS_QUERY, include_str!("queries/c_family.scm")],
            TagLanguage::Cpp => &[
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
