use super::automaton::{Automaton, Status, Validator, DEAD};
use super::index::{advance, TokenIndex};
use super::schema_regex::{integer_range, schema_to_regex, Options};
use super::vocabulary::Vocabulary;
use serde_json::{json, Value};
use std::collections::HashMap;

const LIMIT: usize = 256 << 20;

fn automaton_for(schema: Value) -> Automaton {
    let compiled = schema_to_regex(&schema, &Options::default()).unwrap();
    Automaton::from_regex(&compiled.regex, &compiled.substrings, LIMIT).unwrap()
}

fn accepts(automaton: &Automaton, text: &str) -> bool {
    automaton.is_accepting(automaton.walk(automaton.start(), text.as_bytes()))
}

#[test]
fn integer_ranges_match_exactly_the_numbers_in_bounds() {
    let cases = [(Some(-13), Some(207)), (Some(5), None), (None, Some(-3)), (Some(0), Some(0)), (Some(99), Some(1000)), (None, None)];
    for (lo, hi) in cases {
        let regex = regex_automata::meta::Regex::new(&format!("^(?:{})$", integer_range(lo, hi))).unwrap();
        for n in -1500i64..1500 {
            let expected = lo.is_none_or(|l| n >= l) && hi.is_none_or(|h| n <= h);
            assert_eq!(regex.is_match(&n.to_string()), expected, "{n} in {lo:?}..{hi:?}");
        }
    }
}

#[test]
fn objects_keep_declared_order_with_optional_properties() {
    let automaton = automaton_for(json!({
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
        "required": ["b"],
        "additionalProperties": false
    }));
    for ok in [r#"{"b":"x"}"#, r#"{"a":1,"b":"x"}"#, r#"{"a":1,"b":"x","c":true}"#, r#"{ "b" : "x" , "c" : false }"#] {
        assert!(accepts(&automaton, ok), "{ok}");
    }
    for bad in [r#"{}"#, r#"{"a":1}"#, r#"{"b":"x","a":1}"#, r#"{"b":"x",}"#, r#"{"b":"x","d":1}"#, r#"{,"b":"x"}"#] {
        assert!(!accepts(&automaton, bad), "{bad}");
    }
}

#[test]
fn arrays_honour_item_counts_and_tuples() {
    let automaton = automaton_for(json!({"type": "array", "items": {"enum": ["x", 2]}, "minItems": 1, "maxItems": 2}));
    assert!(accepts(&automaton, r#"["x"]"#));
    assert!(accepts(&automaton, r#"[2, "x"]"#));
    assert!(!accepts(&automaton, "[]"));
    assert!(!accepts(&automaton, r#"["x",2,2]"#));
    let tuple = automaton_for(json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}], "items": false, "minItems": 2, "maxItems": 2}));
    assert!(accepts(&tuple, r#"["a",1.5e3]"#));
    assert!(!accepts(&tuple, r#"["a"]"#));
    assert!(!accepts(&tuple, r#"[1,"a"]"#));
}

#[test]
fn strings_count_characters_and_escapes_as_one() {
    let automaton = automaton_for(json!({"type": "string", "minLength": 2, "maxLength": 3}));
    assert!(accepts(&automaton, r#""ab""#));
    assert!(accepts(&automaton, r#""é\n""#));
    assert!(accepts(&automaton, r#""\u00e9bc""#));
    assert!(!accepts(&automaton, r#""a""#));
    assert!(!accepts(&automaton, r#""abcd""#));
    assert!(!accepts(&automaton, "\"a\nb\""));
}

#[test]
fn patterns_apply_to_the_decoded_string() {
    let anchored = automaton_for(json!({"type": "string", "pattern": "^a\"[0-9]+$"}));
    assert!(accepts(&anchored, r#""a\"12""#));
    assert!(accepts(&anchored, r#""a\u002212""#));
    assert!(!accepts(&anchored, r#""xa\"12""#));
    let unanchored = automaton_for(json!({"type": "string", "pattern": "b+"}));
    assert!(accepts(&unanchored, r#""xxbyy""#));
    assert!(!accepts(&unanchored, r#""xxyy""#));
}

/// The pattern's verdict on each decoded string, through its JSON encoding.
fn pattern_verdicts(pattern: &str, strings: &[&str]) -> Vec<bool> {
    let automaton = automaton_for(json!({"type": "string", "pattern": pattern}));
    strings.iter().map(|s| accepts(&automaton, &serde_json::to_string(s).unwrap())).collect()
}

#[test]
fn pattern_classes_and_dot_mean_what_ecma_262_says() {
    // \d and \w are ASCII-only; Arabic-Indic three, fullwidth zero, é and Kelvin sign are not in them.
    assert_eq!(pattern_verdicts(r"^\d+$", &["0129", "\u{663}", "\u{ff10}"]), [true, false, false]);
    assert_eq!(pattern_verdicts(r"^\w+$", &["a_Z9", "\u{e9}", "\u{212a}"]), [true, false, false]);
    assert_eq!(pattern_verdicts(r"^\W$", &["\u{e9}", "_"]), [true, false]);
    // \s is ECMA's WhiteSpace and LineTerminator: ZWNBSP is in it, NEL and the Mongolian vowel separator are not.
    assert_eq!(pattern_verdicts(r"^\s+$", &["\t\n\u{b}\u{a0}\u{2028}\u{3000}", "\u{feff}", "\u{85}", "\u{180e}"]), [true, true, false, false]);
    assert_eq!(pattern_verdicts(r"^\S$", &["\u{85}", "\u{feff}"]), [true, false]);
    // . stops at every line terminator, and takes a whole astral character.
    assert_eq!(pattern_verdicts("^.$", &["\u{e9}", "\u{1f600}", "\n", "\r", "\u{2028}", "\u{2029}", "\u{85}"]), [true, true, false, false, false, false, true]);
    assert_eq!(pattern_verdicts(r"^[^\d\s]$", &["x", "\u{663}", "5", "\u{a0}"]), [true, true, false, false]);
    assert_eq!(pattern_verdicts(r"^[a-c-\d]+$", &["a-1", "d"]), [true, false]);
}

#[test]
fn each_top_level_alternative_keeps_its_own_anchors() {
    assert_eq!(pattern_verdicts("^ab$|cd", &["ab", "xab", "xcdx", "cd"]), [true, false, true, true]);
    assert_eq!(pattern_verdicts("^(?<y>[0-9]{4})$", &["2024", "20245"]), [true, false]);
}

#[test]
fn patterns_ecma_reads_otherwise_are_refused_with_keyword_and_pointer() {
    let refused = [
        r"\bword\b", r"^\p{L}+$", "[a&&b]", "(?i)a", "a{ 2 }", "a{2}{3}", r"\x{41}", r"\-", "]", "a^b", "(?P<n>a)", "[[:alpha:]]", r"[--\d]", "[^]", r"\cJ",
    ];
    for pattern in refused {
        let schema = json!({"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}});
        let error = schema_to_regex(&schema, &Options::default()).expect_err(pattern);
        assert_eq!((error.keyword.as_str(), error.pointer.as_str()), ("pattern", "/properties/x/pattern"), "{pattern}");
    }
}

#[test]
fn formats_and_zero_bounds() {
    let automaton = automaton_for(json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "at": {"type": "string", "format": "date-time"},
        "p": {"type": "number", "exclusiveMinimum": 0}
    }, "required": ["id", "at", "p"], "additionalProperties": false}));
    assert!(accepts(&automaton, r#"{"id":"123e4567-e89b-12d3-a456-426614174000","at":"2024-02-03T04:05:06.7Z","p":0.5}"#));
    assert!(!accepts(&automaton, r#"{"id":"123e4567","at":"2024-02-03T04:05:06Z","p":1}"#));
    assert!(!accepts(&automaton, r#"{"id":"123e4567-e89b-12d3-a456-426614174000","at":"2024-02-03T04:05:06Z","p":0}"#));
}

#[test]
fn refs_resolve_and_recursion_is_unrolled_a_bounded_number_of_times() {
    let automaton = automaton_for(json!({"$defs": {"n": {"type": "null"}}, "anyOf": [{"$ref": "#/$defs/n"}, {"type": "boolean"}]}));
    assert!(accepts(&automaton, "null"));
    assert!(accepts(&automaton, "true"));
    let recursive = json!({"$defs": {"t": {"type": "object", "properties": {"c": {"$ref": "#/$defs/t"}}, "additionalProperties": false}}, "$ref": "#/$defs/t"});
    let compiled = schema_to_regex(&recursive, &Options { max_any_depth: 2, ..Options::default() }).unwrap();
    assert!(compiled.deviations.iter().any(|d| d.keyword == "$ref" && d.pointer == "/$defs/t/properties/c/$ref"));
    let automaton = Automaton::from_regex(&compiled.regex, &compiled.substrings, LIMIT).unwrap();
    // Two levels of the recursive schema in all, the second without its recursive property.
    assert!(accepts(&automaton, r#"{"c":{}}"#));
    assert!(!accepts(&automaton, r#"{"c":{"c":{}}}"#));
}

#[test]
fn unsupported_keywords_are_errors_naming_keyword_and_pointer() {
    let schema = json!({"type": "object", "properties": {"n": {"type": "integer", "multipleOf": 3}}});
    let step = schema_to_regex(&json!({"type": "number", "multipleOf": 0.01}), &Options::default()).unwrap();
    let automaton = Automaton::from_regex(&step.regex, &step.substrings, LIMIT).unwrap();
    assert!(accepts(&automaton, "1.25") && accepts(&automaton, "3") && accepts(&automaton, "0.100"));
    assert!(!accepts(&automaton, "1.255"));
    let error = schema_to_regex(&schema, &Options::default()).unwrap_err();
    assert_eq!((error.keyword.as_str(), error.pointer.as_str()), ("multipleOf", "/properties/n/multipleOf"));
    let lookahead = json!({"type": "string", "pattern": "^(?!a)b$"});
    assert_eq!(schema_to_regex(&lookahead, &Options::default()).unwrap_err().keyword, "pattern");
}

#[test]
fn deviations_are_reported() {
    let compiled = schema_to_regex(&json!({"type": "object", "properties": {"a": {}, "b": {}}}), &Options::default()).unwrap();
    let keywords: Vec<&str> = compiled.deviations.iter().map(|d| d.keyword.as_str()).collect();
    assert!(keywords.contains(&"additionalProperties"));
    assert!(keywords.contains(&"properties"));
}

#[test]
fn validator_streams_and_reports_where_text_died() {
    let automaton = automaton_for(json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"], "additionalProperties": false}));
    let mut validator = Validator::new(&automaton);
    assert_eq!(validator.feed(&automaton, b"{\"n\""), Status::Ok);
    assert_eq!(validator.feed(&automaton, b":12}"), Status::Complete);
    assert_eq!(validator.feed(&automaton, b" x"), Status::Dead);
    assert_eq!(validator.dead_at(), Some(8));
    assert_eq!(validator.feed(&automaton, b"more"), Status::Dead);
}

/// Walks every text up to `depth` bytes over `alphabet` in both automata: the same texts must
/// be accepted, and the same prefixes dead (a minimal DFA has one dead state, so its "dead" is exact).
fn assert_same_language(regex: &str, alphabet: &[u8], depth: usize) {
    use regex_automata::dfa::{dense, Automaton as _, StartKind};
    use regex_automata::util::{primitives::StateID, start};
    let ours = Automaton::from_regex(regex, &[], LIMIT).unwrap();
    let reference = dense::Builder::new()
        .configure(dense::Config::new().minimize(true).start_kind(StartKind::Anchored))
        .build(&format!("^(?:{regex})$"))
        .unwrap();
    let start = reference.start_state(&start::Config::new().anchored(regex_automata::Anchored::Yes)).unwrap();
    let mut pending: Vec<(Vec<u8>, u32, StateID)> = vec![(Vec::new(), ours.start(), start)];
    let mut texts = 0;
    while let Some((text, state, expected)) = pending.pop() {
        texts += 1;
        assert_eq!(state == DEAD, reference.is_dead_state(expected), "{regex}: dead after {text:?}");
        let accepted = reference.is_match_state(reference.next_eoi_state(expected));
        assert_eq!(ours.is_accepting(state), accepted, "{regex}: accepts {text:?}");
        if state == DEAD || text.len() == depth {
            continue;
        }
        for &byte in alphabet {
            let mut longer = text.clone();
            longer.push(byte);
            pending.push((longer, ours.walk(state, &[byte]), reference.next_state(expected, byte)));
        }
    }
    assert!(texts > 20, "{regex}: only {texts} texts walked");
}

#[test]
fn counted_repetitions_accept_exactly_what_their_expansion_accepts() {
    let alphabet = [b'a', b'b', b'c', b',', 0xC3, 0xA9];
    for regex in [
        "(?:ab|c){2,5}",
        "(?:a{1,3}b){0,4}c?",
        "(?:(?:a|b){0,3},){1,3}",
        "(?:a?){2,4}b",
        "a{3,}b?",
        "(?:é|a){0,3}c",
        "(?:(?:ab){0,2}|c{2}){1,3}",
        "(?:[ab]{0,2}c?){0,3},{0,2}",
        "(?:a|b)*a(?:a|b){3}",
        "b{0}c|(?:a{2}){2,3}",
        "(?:[^,]{0,2},){2}",
        "(?:a(?:b{1,2}|c){2}){1,2}",
        // Branches no text can finish: their prefixes must be dead at once.
        "a(?:b[a&&b]){0,3}|(?:ab){1,2}c[a&&b]|b,",
    ] {
        assert_same_language(regex, &alphabet, 7);
    }
}

#[test]
fn hopeless_prefixes_are_dead_not_ok() {
    // "ab" can never become an accepted text, so it must be dead at once.
    let automaton = Automaton::from_regex("abc|ab[a&&b]", &[], LIMIT).unwrap();
    assert_ne!(automaton.walk(automaton.start(), b"ab"), DEAD);
    let automaton = Automaton::from_regex("x|ab[a&&b]", &[], LIMIT).unwrap();
    assert_eq!(automaton.walk(automaton.start(), b"a"), DEAD);
}

#[test]
fn jump_forward_returns_the_forced_text() {
    let automaton = automaton_for(json!({"type": "object", "properties": {"name": {"enum": ["alpha", "alps"]}}, "required": ["name"], "additionalProperties": false}));
    let compact = Options { whitespace: String::new(), ..Options::default() };
    let compiled = schema_to_regex(&json!({"type": "object", "properties": {"name": {"enum": ["alpha", "alps"]}}, "required": ["name"], "additionalProperties": false}), &compact).unwrap();
    let compact_automaton = Automaton::from_regex(&compiled.regex, &compiled.substrings, LIMIT).unwrap();
    let (forced, state) = compact_automaton.forced(compact_automaton.start());
    assert_eq!(forced, b"{\"name\":\"alp");
    let (rest, end) = compact_automaton.forced(compact_automaton.walk(state, b"h"));
    assert_eq!(rest, b"a\"}");
    assert!(compact_automaton.is_accepting(end));
    // With flexible whitespace only the opening brace is forced.
    assert_eq!(automaton.forced(automaton.start()).0, b"{");
}

fn small_vocabulary() -> Vocabulary {
    // "ab" twice: two ids with the same bytes (tokenizer.json added tokens can repeat a piece).
    let pieces = ["{", "}", "\"", ":", ",", " ", "a", "b", "1", "12", "{\"", "\":", "\"a", "ab", "true", "tr", "ue", ", \"", "é", "\u{e9}a", "\"}", "null", "2}", "x", "ab"];
    let mut tokens: Vec<Option<Vec<u8>>> = pieces.iter().map(|p| Some(p.as_bytes().to_vec())).collect();
    tokens.push(Some(vec![0xC3])); // half of é: only a prefix, still allowed inside strings
    tokens.push(None); // special
    let mut specials = HashMap::new();
    specials.insert("<eos>".to_string(), tokens.len() as u32 - 1);
    Vocabulary::new(tokens, specials)
}

#[test]
fn masks_equal_a_brute_force_check_on_a_small_vocabulary() {
    let automaton = automaton_for(json!({"type": "object", "properties": {
        "a": {"type": "string", "maxLength": 3}, "b": {"type": ["integer", "null"]}, "c": {"type": "boolean"}
    }, "required": ["a"], "additionalProperties": false}));
    let vocabulary = small_vocabulary();
    let eos = vocabulary.special("<eos>").unwrap();
    let mut index = TokenIndex::build(&automaton, &vocabulary, Some(eos));
    let mut lazy = TokenIndex::new(&automaton, &vocabulary, Some(eos));
    // A whole-index build switches to this trie only once it has walked far; check it on every state.
    let class_trie = vocabulary.trie().over_classes(&automaton);
    assert!(class_trie.node_count() < vocabulary.trie().node_count());
    assert!(automaton.state_count() > 10);
    for state in 1..automaton.state_count() as u32 {
        assert_eq!(lazy.mask(&automaton, &vocabulary, state), index.mask(&automaton, &vocabulary, state));
        let mask = index.mask(&automaton, &vocabulary, state);
        let mut by_classes = Vec::new();
        class_trie.for_each_allowed(&automaton, state, |token| by_classes.push(token));
        by_classes.sort_unstable();
        let mut allowed = Vec::new();
        for token in 0..vocabulary.len() as u32 {
            let bit = mask[token as usize / 32] >> (token % 32) & 1 == 1;
            let expected = if token == eos { automaton.is_accepting(state) } else { advance(&automaton, &vocabulary, state, token) != DEAD };
            assert_eq!(bit, expected, "state {state} token {token}");
            if expected && token != eos {
                allowed.push(token);
            }
        }
        assert_eq!(by_classes, allowed, "state {state}: the class trie's tokens");
    }
    assert!(index.distinct_masks() < automaton.state_count());
}


#[test]
fn number_bounds_match_exactly_the_decimals_in_bounds() {
    let bounds = [-2.5, -1.0, -0.05, 0.0, 0.3, 1.0, 1.25];
    let mut texts: Vec<(String, f64)> = Vec::new();
    for hundredths in -300i64..=300 {
        let value = hundredths as f64 / 100.0;
        let sign = if hundredths < 0 { "-" } else { "" };
        let magnitude = hundredths.unsigned_abs();
        let (int, frac) = (magnitude / 100, magnitude % 100);
        texts.push((format!("{sign}{int}.{frac:02}"), value));
        texts.push((format!("{sign}{int}.{frac:02}0"), value));
        if frac % 10 == 0 {
            texts.push((format!("{sign}{int}.{}", frac / 10), value));
        }
        if frac == 0 && hundredths != 0 {
            texts.push((format!("{sign}{int}"), value));
        }
    }
    texts.push(("0".to_string(), 0.0));
    let keywords = ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"];
    for (i, lo) in bounds.iter().enumerate() {
        for hi in &bounds[i..] {
            for lo_keyword in [None, Some(0), Some(1)] {
                for hi_keyword in [None, Some(2), Some(3)] {
                    let mut schema = json!({"type": "number"});
                    if let Some(k) = lo_keyword {
                        schema[keywords[k]] = json!(lo);
                    }
                    if let Some(k) = hi_keyword {
                        schema[keywords[k]] = json!(hi);
                    }
                    let compiled = schema_to_regex(&schema, &Options::default()).unwrap();
                    let regex = regex_automata::meta::Regex::new(&format!("^(?:{})$", compiled.regex)).unwrap();
                    for (text, value) in &texts {
                        let above = match lo_keyword {
                            Some(0) => *value >= *lo,
                            Some(_) => *value > *lo,
                            None => true,
                        };
                        let below = match hi_keyword {
                            Some(2) => *value <= *hi,
                            Some(_) => *value < *hi,
                            None => true,
                        };
                        assert_eq!(regex.is_match(text), above && below, "{text} against {schema}");
                    }
                }
            }
        }
    }
}

#[test]
fn states_are_built_as_reached_and_outgrowing_the_size_limit_is_an_error() {
    // The classic DFA blow-up: 2^13 states, from an NFA of a few dozen.
    let automaton = Automaton::from_regex("(?:a|b)*a(?:a|b){12}", &[], 40_000).unwrap();
    assert_eq!(automaton.state_count(), 2);
    assert!(automaton.is_accepting(automaton.walk(automaton.start(), b"abbbbbbbbbbbb")));
    assert!(automaton.state_count() < 40);
    // Every 13-letter window of a and b, so every state is reached.
    let text: Vec<u8> = (0..1u32 << 13).flat_map(|n| (0..13).map(move |bit| if n >> bit & 1 == 1 { b'a' } else { b'b' })).collect();
    let outgrown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| automaton.walk(automaton.start(), &text)));
    let message = outgrown.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("outgrew its size limit of 40000 bytes"), "{message}");
}

/// How often `needle` occurs in `text`, overlapping occurrences included.
fn occurrences(text: &str, needle: &str) -> usize {
    (0..text.len()).filter(|at| text.is_char_boundary(*at) && text[*at..].starts_with(needle)).count()
}

#[test]
fn substring_of_accepts_exactly_the_json_strings_of_substrings_that_occur_once() {
    let text = "let a = b;\n\tif (a == \"x\\y\") {\n  return a; // é ✓\n}\nlet a = c;\n";
    let automaton = automaton_for(json!({"type": "string", "minLength": 1, "x-pyagent-substring-of": text}));
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut checked = 0;
    for (i, (start, _)) in chars.iter().enumerate() {
        for (end, _) in chars[i + 1..].iter().copied().chain([(text.len(), ' ')]) {
            let needle = &text[*start..end];
            let json = serde_json::to_string(needle).unwrap();
            assert_eq!(accepts(&automaton, &json), occurrences(text, needle) == 1, "{json}");
            checked += 1;
        }
    }
    assert!(checked > 1000);
    for outside in ["\"\"", "\"let a = d\"", "\"return b\"", "\"é ✗\"", r#""\u0065""#, "\"\\n\\n\""] {
        assert!(!accepts(&automaton, outside), "{outside}");
    }
    // A prefix that occurs twice stays open: the model must read on until it is unique.
    let shared = automaton.walk(automaton.start(), b"\"let a = ");
    assert_eq!(automaton.status(shared), Status::Ok);
    assert_eq!(automaton.walk(shared, b"\""), DEAD);
    assert!(automaton.is_accepting(automaton.walk(shared, b"b\"")));
}

#[test]
fn substring_of_inside_an_array_of_edits_constrains_every_item() {
    let text = "alpha beta gamma";
    let automaton = automaton_for(json!({
        "type": "array", "minItems": 1,
        "items": {"type": "object", "properties": {"search": {"type": "string", "x-pyagent-substring-of": text}, "replace": {"type": "string"}}, "required": ["search", "replace"], "additionalProperties": false}
    }));
    assert!(accepts(&automaton, r#"[{"search":"beta","replace":"BETA"}]"#));
    assert!(accepts(&automaton, r#"[{"search":"alpha","replace":"A"},{"search":"gamma","replace":"G"}]"#));
    assert!(!accepts(&automaton, r#"[{"search":"alpha","replace":"A"},{"search":"delta","replace":"D"}]"#));
    assert!(!accepts(&automaton, r#"[{"search":"a","replace":"A"}]"#), "`a` occurs five times");
}

#[test]
fn substring_of_refuses_keywords_it_cannot_combine_with() {
    let error = schema_to_regex(&json!({"type": "string", "pattern": "a+", "x-pyagent-substring-of": "aaa"}), &Options::default()).unwrap_err();
    assert_eq!(error.keyword, "pattern");
    let error = schema_to_regex(&json!({"type": "string", "x-pyagent-substring-of": 3}), &Options::default()).unwrap_err();
    assert_eq!(error.keyword, "x-pyagent-substring-of");
}
