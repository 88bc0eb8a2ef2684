use super::*;

fn tags(source: &str, language: Language) -> FileTags {
    extract(source.as_bytes(), language).unwrap()
}

fn definitions(tags: &FileTags) -> Vec<(&str, u32)> {
    tags.definitions.iter().map(|definition| (definition.name.as_str(), definition.line)).collect()
}

fn referenced(tags: &FileTags) -> Vec<&str> {
    let mut names: Vec<&str> = tags.references.iter().map(|reference| reference.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn signature_of<'a>(tags: &'a FileTags, name: &str) -> &'a str {
    &tags.definitions.iter().find(|definition| definition.name == name).unwrap().signature
}

#[test]
fn every_query_compiles_against_its_grammar() {
    for language in crate::language::ALL {
        assert!(language.query().pattern_count() > 0, "{}", language.name());
    }
}

#[test]
fn typescript_definitions_references_and_signatures() {
    let source = r#"import {Store} from './store'

export interface Options {
  root: string
}

export type Mode = 'a' | 'b'

export enum Level { Low, High }

export class Indexer extends Base implements Runner {
  constructor(private readonly store: Store) {}

  async run(options: Options): Promise<number> {
    return helper(this.store).count()
  }
}

export function build(
  options: Options,
  mode: Mode,
): Indexer {
  return new Indexer(load(options))
}

const helper = (store: Store) => store
"#;
    let found = tags(source, Language::TypeScript);
    assert_eq!(
        definitions(&found),
        vec![("Options", 3), ("Mode", 7), ("Level", 9), ("Indexer", 11), ("run", 14), ("build", 19), ("helper", 26)]
    );
    assert_eq!(referenced(&found), vec!["Base", "Indexer", "Mode", "Options", "Promise", "Runner", "Store", "count", "helper", "load"]);
    assert_eq!(signature_of(&found, "build"), "export function build(\n  options: Options,\n  mode: Mode,\n): Indexer {");
    assert_eq!(signature_of(&found, "run"), "  async run(options: Options): Promise<number> {");
    assert_eq!(signature_of(&found, "helper"), "const helper = (store: Store) => store");
}

#[test]
fn tsx_and_javascript_use_the_javascript_patterns() {
    let tsx = tags("export function App(): JSX.Element { return <div>{render()}</div> }\n", Language::Tsx);
    assert_eq!(definitions(&tsx), vec![("App", 1)]);
    assert_eq!(referenced(&tsx), vec!["Element", "render"]);
    let js = tags("class A extends B { go() { return b.c(d()) } }\nmodule.exports.f = function () {}\n", Language::JavaScript);
    assert_eq!(definitions(&js), vec![("A", 1), ("go", 1), ("f", 2)]);
    assert_eq!(referenced(&js), vec!["B", "c", "d"]);
}

#[test]
fn python_signatures_stop_before_the_body() {
    let source = "LIMIT = 10\n\n@cached\nclass Store(Base):\n    def get(self,\n            key: Key) -> Value:\n        return fetch(key)\n";
    let found = tags(source, Language::Python);
    assert_eq!(definitions(&found), vec![("LIMIT", 1), ("Store", 4), ("get", 5)]);
    assert_eq!(referenced(&found), vec!["Base", "Key", "Value", "cached", "fetch"]);
    assert_eq!(signature_of(&found, "get"), "    def get(self,\n            key: Key) -> Value:");
    assert_eq!(signature_of(&found, "Store"), "class Store(Base):");
}

#[test]
fn rust_methods_are_one_definition_and_paths_are_references() {
    let source = "pub struct Index { map: Map }\n\nimpl Index {\n    pub fn new() -> Self {\n        Self { map: Map::new() }\n    }\n}\n\nfn main() { let i = Index::new(); helper!(i); store::save(&i); }\n";
    let found = tags(source, Language::Rust);
    assert_eq!(definitions(&found), vec![("Index", 1), ("new", 4), ("main", 9)]);
    assert_eq!(referenced(&found), vec!["Index", "Map", "Self", "helper", "new", "save", "store"]);
    assert_eq!(signature_of(&found, "new"), "    pub fn new() -> Self {");
}

#[test]
fn go_functions_methods_and_types() {
    let source = "package store\n\ntype Store struct {\n\tdb *DB\n}\n\nfunc (s *Store) Get(key string) Value {\n\treturn lookup(s.db, key)\n}\n\nfunc Open() *Store { return nil }\n";
    let found = tags(source, Language::Go);
    assert_eq!(definitions(&found), vec![("Store", 3), ("Get", 7), ("Open", 11)]);
    assert_eq!(referenced(&found), vec!["DB", "Store", "Value", "lookup", "string"]);
    assert_eq!(signature_of(&found, "Store"), "type Store struct {");
}

#[test]
fn java_classes_methods_and_type_uses() {
    let source = "public class Cache extends Base implements Store {\n  private Map<Key, Value> map;\n  public Value get(Key key) {\n    return loader.load(key);\n  }\n}\nenum Mode { A }\n";
    let found = tags(source, Language::Java);
    assert_eq!(definitions(&found), vec![("Cache", 1), ("get", 3), ("Mode", 7)]);
    assert_eq!(referenced(&found), vec!["Base", "Key", "Map", "Store", "Value", "load"]);
}

#[test]
fn c_signatures_start_at_the_return_type() {
    let source = "typedef struct node { int v; } node_t;\n\nstatic char *\nname_of(node_t *n)\n{\n  return lookup(n->v);\n}\n\nint count(void);\n#define MAX(a, b) ((a) > (b) ? (a) : (b))\n";
    let found = tags(source, Language::C);
    assert_eq!(definitions(&found), vec![("node", 1), ("node_t", 1), ("name_of", 3), ("count", 9), ("MAX", 10)]);
    assert_eq!(referenced(&found), vec!["lookup", "node_t"]);
    assert_eq!(signature_of(&found, "name_of"), "static char *\nname_of(node_t *n)");
    assert_eq!(signature_of(&found, "count"), "int count(void);");
}

#[test]
fn cpp_classes_namespaces_and_qualified_calls() {
    let source = "namespace store {\nclass Cache : public Base {\n public:\n  Value get(Key k);\n};\nValue Cache::get(Key k) { return detail::load(k); }\n}\n";
    let found = tags(source, Language::Cpp);
    assert_eq!(definitions(&found), vec![("store", 1), ("Cache", 2), ("get", 4), ("get", 6)]);
    assert_eq!(referenced(&found), vec!["Base", "Key", "Value", "load"]);
    assert_eq!(signature_of(&found, "Cache"), "class Cache : public Base {");
}

#[test]
fn definitions_local_to_a_function_are_left_out() {
    let ts = tags("export function outer() {\n  const inner = () => 1\n  function helper() {}\n  return inner() + helper()\n}\nclass K { m() { const f = () => 2 } }\n", Language::TypeScript);
    assert_eq!(definitions(&ts), vec![("outer", 1), ("K", 6), ("m", 6)]);
    assert_eq!(referenced(&ts), vec!["helper", "inner"]);
    let py = tags("def outer():\n    def inner():\n        pass\n    class Local:\n        pass\n", Language::Python);
    assert_eq!(definitions(&py), vec![("outer", 1)]);
    let c = tags("int f(void) { return 0; }\n", Language::C);
    assert_eq!(definitions(&c), vec![("f", 1)]);
    let rust = tags("fn a() { fn b() {} }\nimpl S { fn c(&self) {} }\n", Language::Rust);
    assert_eq!(definitions(&rust), vec![("a", 1), ("c", 2)]);
}

#[test]
fn long_signatures_and_lines_are_cut() {
    let parameters: String = (0..10).map(|index| format!("  p{index}: number,\n")).collect();
    let source = format!("function wide({}) {{}}\nfunction tall(\n{parameters}) {{}}\n", "x".repeat(300));
    let found = tags(&source, Language::TypeScript);
    let wide = signature_of(&found, "wide");
    assert!(wide.ends_with('…') && wide.chars().count() == MAX_SIGNATURE_LINE_CHARS + 1, "{wide}");
    assert_eq!(signature_of(&found, "tall").lines().count(), MAX_SIGNATURE_LINES);
}

#[test]
fn binary_and_non_utf8_files_are_skipped() {
    assert_eq!(extract(b"def f():\n  pass\n\0\x01", Language::Python), Err(Skip::Binary));
    assert_eq!(extract(b"def f():\n  return '\xff'\n", Language::Python), Err(Skip::Binary));
}

#[test]
fn minified_files_are_skipped() {
    let one_line = format!("function a(){{{}}}\n", "b();".repeat(2000));
    assert_eq!(extract(one_line.as_bytes(), Language::JavaScript), Err(Skip::Minified));
    let dense: String = (0..50).map(|index| format!("var v{index}={};\n", "1+".repeat(200) + "1")).collect();
    assert_eq!(extract(dense.as_bytes(), Language::JavaScript), Err(Skip::Minified));
}

#[test]
fn mostly_broken_files_are_unparsable_and_small_breaks_are_not() {
    let garbage = ")]}{ ]] ))) ::: ;;; }{ ]) ((( ]] }}}\n".repeat(40);
    assert_eq!(extract(garbage.as_bytes(), Language::Python), Err(Skip::Unparsable));
    let one_typo = "def good(a):\n    return a\n\ndef broken(:\n    pass\n\ndef also_good(b):\n    return good(b)\n";
    let found = tags(one_typo, Language::Python);
    assert!(definitions(&found).contains(&("also_good", 7)), "{:?}", found.definitions);
    assert_eq!(referenced(&found), vec!["good"]);
}

#[test]
fn empty_and_crlf_files() {
    assert_eq!(tags("", Language::Rust), FileTags::default());
    let found = tags("def f(a):\r\n    return a\r\n", Language::Python);
    assert_eq!(signature_of(&found, "f"), "def f(a):");
}

/// Source files under `dir` (recursively) in `language`, in path order.
fn files_in(dir: &std::path::Path, language: Language, into: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display())).map(|entry| entry.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_in(&path, language, into);
        } else if Language::from_path(&path.to_string_lossy()) == Some(language) {
            into.push(path);
        }
    }
}

#[test]
fn leaving_out_doc_comments_keeps_every_tag_of_real_files() {
    let node_modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules");
    assert!(node_modules.join("zod").is_dir(), "{} has no zod: run `npm ci` first", node_modules.display());
    let go = "package store\n\n// Store keeps values.\n// It is safe to share.\ntype Store struct{}\n\n// Get reads one.\nfunc (s *Store) Get(key string) Value {\n\treturn lookup(key)\n}\n\n/* Open makes one. */\nfunc Open() *Store { return nil }\n\nfunc bare() {}\n".to_owned();
    let mut sources: Vec<(String, Language)> = vec![(go, Language::Go)];
    for (dir, language) in [("zod/src", Language::TypeScript), ("execa/lib", Language::JavaScript), ("dependency-cruiser/src", Language::JavaScript)] {
        let mut paths = Vec::new();
        files_in(&node_modules.join(dir), language, &mut paths);
        sources.extend(paths.into_iter().map(|path| (std::fs::read_to_string(path).unwrap(), language)));
    }
    let mut checked = 0;
    for language in [Language::TypeScript, Language::JavaScript, Language::Go] {
        // Leaked: tags borrow their role from the query for as long as the program runs.
        let written: &'static Query = Box::leak(Box::new(Query::new(&language.grammar(), &language.query_parts().join("\n")).unwrap()));
        assert!(written.capture_names().contains(&"doc"), "{}: the grammar's query has no doc comments to leave out", language.name());
        for (source, _) in sources.iter().filter(|(_, of)| *of == language) {
            let Ok((text, tree)) = parse_checked(source.as_bytes(), language) else {
                continue;
            };
            assert_eq!(extract(source.as_bytes(), language).unwrap(), collect(matches_of(written, &tree, text), text, language));
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} files compared");
}

/// Python's standard library, as the python3 on PATH has it: real Python the tests did not write.
fn python_stdlib() -> Option<std::path::PathBuf> {
    let output = std::process::Command::new("python3").args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]).output().ok()?;
    output.status.success().then(|| std::path::PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}

#[test]
fn the_python_walk_finds_the_tags_python_query_finds_in_the_standard_library() {
    let Some(stdlib) = python_stdlib() else {
        assert!(std::env::var_os("CI").is_none(), "python3 is missing: CI installs it (.ci/run); its standard library is this test's Python");
        eprintln!("skipped: no python3 on PATH, so no standard library to compare on");
        return;
    };
    let mut paths = Vec::new();
    files_in(&stdlib, Language::Python, &mut paths);
    let skip = ["/test/", "/tests/", "/idlelib/", "/site-packages/", "/lib2to3/"];
    paths.retain(|path| !skip.iter().any(|part| path.to_string_lossy().contains(part)));
    let query = Language::Python.query();
    let mut checked = 0;
    for path in &paths {
        let source = std::fs::read(path).unwrap();
        let Ok((text, tree)) = parse_checked(&source, Language::Python) else {
            continue;
        };
        let by_query = collect(matches_of(query, &tree, text), text, Language::Python);
        assert_eq!(extract(&source, Language::Python).unwrap(), by_query, "{}", path.display());
        checked += 1;
    }
    assert!(checked > 500, "only {checked} files compared in {}", stdlib.display());
}
