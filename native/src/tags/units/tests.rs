use super::*;

fn units(source: &str, language: Language) -> Vec<CodeUnit> {
    code_units(source.as_bytes(), language).unwrap()
}

fn outline(units: &[CodeUnit]) -> Vec<(&str, &str, u32, u32)> {
    units.iter().map(|unit| (unit.name.as_str(), unit.kind, unit.start_line, unit.end_line)).collect()
}

#[test]
fn typescript_units_start_at_their_doc_comment_and_wrapper() {
    let source = r#"import {Store} from './store'

export interface Options {
  root: string
}

/** Reads the header of a frame. */
export function parseHeader(bytes: Uint8Array): Header {
  return decode(bytes)
}

export class Indexer {
  // Runs once per file.
  run(path: string): void {
    const local = () => 1
  }
}

export const helper = (store: Store) => store

const LIMIT = 10
"#;
    let found = units(source, Language::TypeScript);
    assert_eq!(
        outline(&found),
        vec![
            ("Options", "interface", 3, 5),
            ("parseHeader", "function", 7, 10),
            ("Indexer", "class", 12, 17),
            ("run", "method", 13, 16),
            ("helper", "function", 19, 19),
        ]
    );
    assert!(found[1].text.starts_with("/** Reads the header of a frame. */\nexport function parseHeader("), "{}", found[1].text);
    assert!(found[1].text.ends_with("return decode(bytes)\n}"), "{}", found[1].text);
    assert_eq!(found[3].text, "  // Runs once per file.\n  run(path: string): void {\n    const local = () => 1\n  }");
}

#[test]
fn a_comment_separated_by_a_blank_line_is_not_the_units() {
    let found = units("// License header.\n\nfunction f() {}\n", Language::JavaScript);
    assert_eq!(outline(&found), vec![("f", "function", 3, 3)]);
}

#[test]
fn python_units_include_decorators_and_docstrings() {
    let source = "@cached\nclass Store(Base):\n    \"\"\"Keeps values.\"\"\"\n\n    def get(self, key):\n        \"\"\"Looks a key up.\"\"\"\n        def inner():\n            pass\n        return fetch(key)\n";
    let found = units(source, Language::Python);
    assert_eq!(outline(&found), vec![("Store", "class", 1, 9), ("get", "function", 5, 9)]);
    assert!(found[0].text.starts_with("@cached\nclass Store(Base):"));
    assert!(found[1].text.contains("Looks a key up."));
}

#[test]
fn rust_methods_are_methods_once() {
    let source = "/// The index.\npub struct Index { map: Map }\n\nimpl Index {\n    /// Makes one.\n    pub fn new() -> Self {\n        Self { map: Map::new() }\n    }\n}\n\nconst N: u32 = 1;\n";
    let found = units(source, Language::Rust);
    assert_eq!(outline(&found), vec![("Index", "class", 1, 2), ("new", "method", 5, 8)]);
}

#[test]
fn c_functions_span_their_return_type_and_body() {
    let source = "static char *\nname_of(node_t *n)\n{\n  return lookup(n->v);\n}\n";
    let found = units(source, Language::C);
    assert_eq!(outline(&found), vec![("name_of", "function", 1, 5)]);
    assert!(found[0].text.starts_with("static char *\nname_of"));
}

#[test]
fn go_and_java_units() {
    let go = units("package s\n\n// Get reads.\nfunc (s *Store) Get(key string) Value {\n\treturn nil\n}\n", Language::Go);
    assert_eq!(outline(&go), vec![("Get", "method", 3, 6)]);
    let java = units("class Cache {\n  Value get(Key key) {\n    return null;\n  }\n}\n", Language::Java);
    assert_eq!(outline(&java), vec![("Cache", "class", 1, 5), ("get", "method", 2, 4)]);
}

#[test]
fn long_units_are_cut_at_a_character_boundary() {
    let body = "  const s = 'é';\n".repeat(2000);
    let found = units(&format!("function big() {{\n{body}}}\n"), Language::JavaScript);
    assert_eq!(found[0].end_line, 2002);
    assert!(found[0].text.len() <= MAX_UNIT_TEXT_BYTES && found[0].text.len() > MAX_UNIT_TEXT_BYTES - 4);
}

#[test]
fn files_the_tags_skip_have_no_units_for_the_same_reason() {
    assert_eq!(code_units(b"def f():\n  pass\n\0", Language::Python), Err(Skip::Binary));
    let minified = format!("function a(){{{}}}\n", "b();".repeat(2000));
    assert_eq!(code_units(minified.as_bytes(), Language::JavaScript), Err(Skip::Minified));
    let garbage = ")]}{ ]] ))) ::: ;;; }{ ]) ((( ]] }}}\n".repeat(40);
    assert_eq!(code_units(garbage.as_bytes(), Language::Python), Err(Skip::Unparsable));
}
