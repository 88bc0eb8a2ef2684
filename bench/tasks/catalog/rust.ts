/** Rust tasks: a library crate `task`; tests are integration tests under tests/. */
import type {BenchTask} from '../task.js'

const CARGO_TOML = '[package]\nname = "task"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'

/** An integration test: each case is `[expression, expected]` checked with assert_eq!. */
function testFile(name: string, uses: string, cases: [string, string][]): string {
  return [`use task::{${uses}};`, '', '#[test]', `fn ${name}() {`, ...cases.map(([expression, expected]) => `    assert_eq!(${expression}, ${expected});`), '}', ''].join('\n')
}

export const rustTasks: BenchTask[] = [
  {
    id: 'rs-sum-to-off-by-one',
    language: 'rust',
    kind: 'off-by-one',
    task: 'sum_to(n) in src/lib.rs must include n: sum_to(3) is 6',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': '/// 1 + 2 + ... + n.\npub fn sum_to(n: u64) -> u64 {\n    (1..n).sum()\n}\n',
      'tests/visible.rs': testFile('sums', 'sum_to', [['sum_to(3)', '6']]),
    },
    fix: [{path: 'src/lib.rs', search: '(1..n).sum()', replace: '(1..=n).sum()'}],
    hidden: {'tests/hidden.rs': testFile('hidden_sums', 'sum_to', [['sum_to(1)', '1'], ['sum_to(0)', '0'], ['sum_to(10)', '55']])},
  },
  {
    id: 'rs-is-even-wrong-operator',
    language: 'rust',
    kind: 'wrong-operator',
    task: 'is_even in src/lib.rs says 4 is odd',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn is_even(n: i64) -> bool {\n    n % 2 != 0\n}\n',
      'tests/visible.rs': testFile('evens', 'is_even', [['is_even(4)', 'true']]),
    },
    fix: [{path: 'src/lib.rs', search: 'n % 2 != 0', replace: 'n % 2 == 0'}],
    hidden: {'tests/hidden.rs': testFile('hidden_evens', 'is_even', [['is_even(-3)', 'false'], ['is_even(0)', 'true'], ['is_even(7)', 'false']])},
  },
  {
    id: 'rs-classify-missing-case',
    language: 'rust',
    kind: 'missing-case',
    task: 'classify(0) in src/lib.rs says "positive"; zero is "zero"',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn classify(n: i32) -> &\'static str {\n    if n < 0 {\n        "negative"\n    } else {\n        "positive"\n    }\n}\n',
      'tests/visible.rs': testFile('classes', 'classify', [['classify(0)', '"zero"'], ['classify(-2)', '"negative"']]),
    },
    fix: [{path: 'src/lib.rs', search: '    } else {\n        "positive"', replace: '    } else if n == 0 {\n        "zero"\n    } else {\n        "positive"'}],
    hidden: {'tests/hidden.rs': testFile('hidden_classes', 'classify', [['classify(5)', '"positive"'], ['classify(0)', '"zero"']])},
  },
  {
    id: 'rs-word-count-wrong-api',
    language: 'rust',
    kind: 'wrong-api',
    task: 'word_count in src/lib.rs counts empty strings between repeated spaces as words',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn word_count(text: &str) -> usize {\n    text.split(\' \').count()\n}\n',
      'tests/visible.rs': testFile('counts', 'word_count', [['word_count("a  b")', '2']]),
    },
    fix: [{path: 'src/lib.rs', search: "text.split(' ').count()", replace: 'text.split_whitespace().count()'}],
    hidden: {'tests/hidden.rs': testFile('hidden_counts', 'word_count', [['word_count("")', '0'], ['word_count(" one\\ttwo three ")', '3']])},
  },
  {
    id: 'rs-rename-across-modules',
    language: 'rust',
    kind: 'rename',
    task: 'Rename the function area_of to area in src/shapes.rs and update every use',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub mod report;\npub mod shapes;\n',
      'src/shapes.rs': 'pub struct Rect {\n    pub width: u32,\n    pub height: u32,\n}\n\npub fn area_of(rect: &Rect) -> u32 {\n    rect.width * rect.height\n}\n',
      'src/report.rs': 'use crate::shapes::{area_of, Rect};\n\npub fn describe(rect: &Rect) -> String {\n    format!("area {}", area_of(rect))\n}\n',
      'tests/visible.rs': testFile('areas', 'report::describe, shapes::{area, Rect}', [['area(&Rect { width: 2, height: 3 })', '6'], ['describe(&Rect { width: 1, height: 1 })', '"area 1"']]),
    },
    fix: [
      {path: 'src/shapes.rs', search: 'pub fn area_of(', replace: 'pub fn area('},
      {path: 'src/report.rs', search: 'use crate::shapes::{area_of, Rect};', replace: 'use crate::shapes::{area, Rect};'},
      {path: 'src/report.rs', search: 'area_of(rect)', replace: 'area(rect)'},
    ],
    hidden: {'tests/hidden.rs': testFile('hidden_areas', 'report::describe, shapes::{area, Rect}', [['area(&Rect { width: 0, height: 9 })', '0'], ['describe(&Rect { width: 4, height: 5 })', '"area 20"']])},
  },
  {
    id: 'rs-gcd-new-function',
    language: 'rust',
    kind: 'new-function',
    task: 'Implement gcd in src/lib.rs as its doc comment says',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': '/// The greatest common divisor of a and b; gcd(0, 0) is 0 and gcd(n, 0) is n.\npub fn gcd(a: u64, b: u64) -> u64 {\n    todo!()\n}\n',
      'tests/visible.rs': testFile('gcds', 'gcd', [['gcd(12, 18)', '6']]),
    },
    fix: [{path: 'src/lib.rs', search: 'pub fn gcd(a: u64, b: u64) -> u64 {\n    todo!()\n}', replace: 'pub fn gcd(a: u64, b: u64) -> u64 {\n    if b == 0 {\n        a\n    } else {\n        gcd(b, a % b)\n    }\n}'}],
    hidden: {'tests/hidden.rs': testFile('hidden_gcds', 'gcd', [['gcd(0, 0)', '0'], ['gcd(7, 0)', '7'], ['gcd(17, 5)', '1']])},
  },
  {
    id: 'rs-average-missing-case',
    language: 'rust',
    kind: 'missing-case',
    task: 'average(&[]) in src/lib.rs returns NaN; an empty slice has no average, so it must return None (and Some(mean) otherwise)',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn average(values: &[f64]) -> Option<f64> {\n    Some(values.iter().sum::<f64>() / values.len() as f64)\n}\n',
      'tests/visible.rs': testFile('averages', 'average', [['average(&[])', 'None']]),
    },
    fix: [{path: 'src/lib.rs', search: '    Some(values.iter()', replace: '    if values.is_empty() {\n        return None;\n    }\n    Some(values.iter()'}],
    hidden: {'tests/hidden.rs': testFile('hidden_averages', 'average', [['average(&[2.0, 4.0])', 'Some(3.0)'], ['average(&[])', 'None']])},
  },
  {
    id: 'rs-last-index-off-by-one',
    language: 'rust',
    kind: 'off-by-one',
    task: 'last_index_of in src/lib.rs never finds a match at index 0',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn last_index_of(items: &[i32], target: i32) -> Option<usize> {\n    let mut i = items.len();\n    while i > 1 {\n        i -= 1;\n        if items[i] == target {\n            return Some(i);\n        }\n    }\n    None\n}\n',
      'tests/visible.rs': testFile('last_indexes', 'last_index_of', [['last_index_of(&[5, 1], 5)', 'Some(0)']]),
    },
    fix: [{path: 'src/lib.rs', search: 'while i > 1 {', replace: 'while i > 0 {'}],
    hidden: {'tests/hidden.rs': testFile('hidden_last_indexes', 'last_index_of', [['last_index_of(&[3], 3)', 'Some(0)'], ['last_index_of(&[1, 2, 1], 1)', 'Some(2)'], ['last_index_of(&[], 1)', 'None']])},
  },
  {
    id: 'rs-kelvin-wrong-operator',
    language: 'rust',
    kind: 'wrong-operator',
    task: 'to_kelvin in src/lib.rs is wrong: 0 C is 273.15 K',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn to_kelvin(celsius: f64) -> f64 {\n    celsius - 273.15\n}\n',
      'tests/visible.rs': testFile('kelvins', 'to_kelvin', [['to_kelvin(0.0)', '273.15']]),
    },
    fix: [{path: 'src/lib.rs', search: 'celsius - 273.15', replace: 'celsius + 273.15'}],
    hidden: {'tests/hidden.rs': testFile('hidden_kelvins', 'to_kelvin', [['to_kelvin(-273.15)', '0.0'], ['to_kelvin(100.0)', '373.15']])},
  },
  {
    id: 'rs-capitalize-missing-case',
    language: 'rust',
    kind: 'missing-case',
    task: 'capitalize("") in src/lib.rs panics; an empty string stays empty',
    files: {
      'Cargo.toml': CARGO_TOML,
      'src/lib.rs': 'pub fn capitalize(word: &str) -> String {\n    let mut chars = word.chars();\n    let first = chars.next().unwrap();\n    first.to_uppercase().collect::<String>() + chars.as_str()\n}\n',
      'tests/visible.rs': testFile('capitals', 'capitalize', [['capitalize("")', '""'], ['capitalize("rust")', '"Rust"']]),
    },
    fix: [{path: 'src/lib.rs', search: '    let first = chars.next().unwrap();\n', replace: '    let Some(first) = chars.next() else {\n        return String::new();\n    };\n'}],
    hidden: {'tests/hidden.rs': testFile('hidden_capitals', 'capitalize', [['capitalize("")', '""'], ['capitalize("éte")', '"Éte"']])},
  },
]
