use super::*;

fn functions(source: &str, language: Language) -> Vec<(String, u32)> {
    analyze(source, language)
        .unwrap()
        .functions
        .into_iter()
        .map(|function| (function.qualified_name, function.complexity))
        .collect()
}

fn pairs(expected: &[(&str, u32)]) -> Vec<(String, u32)> {
    expected
        .iter()
        .map(|(name, complexity)| (name.to_string(), *complexity))
        .collect()
}

#[test]
fn typescript_counts_branches_loops_cases_catches_ternaries_and_short_circuits() {
    let source = r#"
export function route(kind: string, flag?: boolean): number {
  if (kind === 'a' && flag) {
    return 1
  } else if (kind === 'b' || kind === 'c') {
    return 2
  }
  for (const x of [1, 2]) { while (x > 3) { break } }
  switch (kind) {
    case 'd': return 3
    case 'e': return 4
    default: return flag ? 5 : (kind ?? 6) as number
  }
  try { JSON.parse(kind) } catch { return 7 }
}
"#;
    // 1 + if + && + else-if + || + for + while + 2 cases + ternary + ?? + catch
    assert_eq!(
        functions(source, Language::TypeScript),
        pairs(&[("route", 12)])
    );
}

#[test]
fn parameter_defaults_and_logical_assignments_are_hidden_branches() {
    let source = r#"
function configure(options = {}, {retries = 3, verbose} = {}, [first = 0] = []) {
  options.level ??= 1
  options.name ||= 'x'
  options.ok &&= verbose
  options.count += 1
}
class Service { constructor(private readonly name: string = 'svc', port?: number) {} }
"#;
    // 1 + 5 defaults (two of them destructuring) + 3 logical assignments; `+=` is not a branch
    assert_eq!(
        functions(source, Language::TypeScript),
        pairs(&[("configure", 9), ("Service.constructor", 2)])
    );
}

#[test]
fn a_nested_function_is_measured_alone_and_adds_nothing_to_its_parent() {
    let source = r#"
class Box {
  open(items) {
    const pick = (item) => item.ok ? item : null
    if (items.length) { return items.map(pick) }
    return items.filter(function keep(item) { return item && item.ok })
  }
}
"#;
    assert_eq!(
        functions(source, Language::JavaScript),
        pairs(&[("Box.open", 2), ("Box.open.pick", 2), ("Box.open.keep", 2)])
    );
}

#[test]
fn tsx_parses_jsx_inside_functions() {
    let source = "export const View = ({on}: {on: boolean}) => <div>{on ? <b/> : null}</div>\n";
    assert_eq!(functions(source, Language::Tsx), pairs(&[("View", 2)]));
}

#[test]
fn python_counts_elif_except_boolean_operators_comprehensions_and_cases() {
    let source = r#"
class Parser:
    @staticmethod
    def parse(text, strict=False):
        if not text:
            return None
        elif strict and text.startswith('#') or text == '!':
            raise ValueError(text)
        try:
            words = [w for w in text.split() if w]
        except ValueError:
            words = []
        finally:
            pass
        match words:
            case []:
                return 0
            case _:
                return len(words) if strict else 1

        def helper():
            while True:
                break
        return helper
"#;
    // 1 + if + elif + and + or + for-in + if-clause + except + 2 cases + conditional expression
    assert_eq!(
        functions(source, Language::Python),
        pairs(&[("Parser.parse", 11), ("Parser.parse.helper", 2)])
    );
}

#[test]
fn rust_counts_match_arms_and_names_methods_by_their_impl() {
    let source = r#"
struct Meter;
impl Meter {
    fn read(&self, value: Option<u32>) -> Result<u32, String> {
        let parsed = value.ok_or("none")?;
        match parsed {
            0 => Ok(0),
            n if n > 10 && n < 20 => Ok(n),
            _ => { for _ in 0..n { if let Some(_) = value { } } Ok(1) }
        }
    }
}
mod tools { pub fn plain() {} }
"#;
    // 1 + 3 arms + && + for + if-let; the `?` is not a decision
    assert_eq!(
        functions(source, Language::Rust),
        pairs(&[("Meter::read", 7), ("tools::plain", 1)])
    );
}

#[test]
fn go_counts_cases_but_not_default_and_names_methods_by_receiver() {
    let source = r#"
package main

func (s *Server) Handle(kind string) int {
	switch kind {
	case "a", "b":
		return 1
	case "c":
		return 2
	default:
		if s != nil || kind == "" { return 3 }
	}
	go func() { for { break } }()
	return 0
}
"#;
    assert_eq!(
        functions(source, Language::Go),
        pairs(&[("Server.Handle", 5), ("Server.Handle.(anonymous)", 2)])
    );
}

#[test]
fn reports_one_based_inclusive_line_spans() {
    let metrics = analyze("\n\nfunction f() {\n  return 1\n}\n", Language::JavaScript).unwrap();
    let function = &metrics.functions[0];
    assert_eq!(
        (function.start_line, function.end_line, function.lines()),
        (3, 5, 3)
    );
    assert!(!metrics.has_errors);
}

#[test]
fn flags_syntax_errors_but_still_measures_what_parsed() {
    let metrics = analyze(
        "def ok():\n    return 1\n\ndef broken(:\n",
        Language::Python,
    )
    .unwrap();
    assert!(metrics.has_errors);
    assert_eq!(metrics.functions[0].name, "ok");
}

#[test]
fn deeply_nested_code_does_not_overflow_the_stack() {
    let depth = 3000;
    let source = format!(
        "function deep(x) {{ {} {} }}",
        "if (x) {".repeat(depth),
        "}".repeat(depth)
    );
    let metrics = analyze(&source, Language::JavaScript).unwrap();
    assert_eq!(metrics.functions[0].complexity, depth as u32 + 1);
}

#[test]
fn the_metrics_cover_six_of_the_languages_the_tags_read() {
    let covered: Vec<&str> = crate::language::ALL.into_iter().filter(|language| language.has_metrics()).map(Language::name).collect();
    assert_eq!(covered, ["typescript", "tsx", "javascript", "python", "rust", "go"]);
}
