//! The languages PyAgent reads with tree-sitter: which files are which, and each one's grammar.
//! The tags (`tags::languages`) cover all of them; the metrics a subset (`metrics::rules`).

use tree_sitter::Language as Grammar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
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

pub const ALL: [Language; 9] = [
    Language::TypeScript,
    Language::Tsx,
    Language::JavaScript,
    Language::Python,
    Language::Rust,
    Language::Go,
    Language::Java,
    Language::C,
    Language::Cpp,
];

impl Language {
    /// The language of a file from its extension; None for files in no language here.
    /// A `.h` header is read as C++: the C++ grammar parses C headers too, the C grammar
    /// stumbles over every class in a C++ one.
    pub fn from_path(path: &str) -> Option<Language> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let extension = name.rsplit_once('.')?.1;
        Some(match extension {
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "py" | "pyi" => Language::Python,
            "rs" => Language::Rust,
            "go" => Language::Go,
            "java" => Language::Java,
            "c" => Language::C,
            "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" => Language::Cpp,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::JavaScript => "javascript",
            Language::Python => "python",
            Language::Rust => "rust",
            Language::Go => "go",
            Language::Java => "java",
            Language::C => "c",
            Language::Cpp => "cpp",
        }
    }

    pub fn from_name(name: &str) -> Option<Language> {
        ALL.into_iter().find(|language| language.name() == name)
    }

    pub fn grammar(self) -> Grammar {
        match self {
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_path_and_name() {
        assert_eq!(Language::from_path("src/a.test.ts"), Some(Language::TypeScript));
        assert_eq!(Language::from_path("ui/App.tsx"), Some(Language::Tsx));
        assert_eq!(Language::from_path("bin/run.mjs"), Some(Language::JavaScript));
        assert_eq!(Language::from_path("pkg/x.py"), Some(Language::Python));
        assert_eq!(Language::from_path("include/x.h"), Some(Language::Cpp));
        assert_eq!(Language::from_path("lib/Main.java"), Some(Language::Java));
        assert_eq!(Language::from_path("Makefile"), None);
        assert_eq!(Language::from_path("README.md"), None);
        assert_eq!(Language::from_path("dir.rs/README"), None);
        for language in ALL {
            assert_eq!(Language::from_name(language.name()), Some(language));
        }
        assert_eq!(Language::from_name("cobol"), None);
    }
}
