//! Secret rules as data: gitleaks's maintained rule file (vendored, MIT, see
//! `native/secrets/gitleaks.LICENSE`) plus PyAgent's few additions for formats it lacks, both in
//! gitleaks's TOML schema, compiled once per process.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use super::checks::Check;

const GITLEAKS_RULES: &str = include_str!("../../secrets/gitleaks.toml");
const PYAGENT_RULES: &str = include_str!("../../secrets/pyagent.toml");

#[derive(Deserialize)]
struct RuleFile {
    allowlist: Option<AllowlistData>,
    /// gitleaks's `[[allowlists]]` with `targetRules`: an allowlist added to rules of another file.
    #[serde(default)]
    allowlists: Vec<TargetedAllowlistData>,
    #[serde(default)]
    rules: Vec<RuleData>,
}

#[derive(Deserialize)]
struct RuleData {
    id: String,
    regex: Option<String>,
    #[serde(rename = "secretGroup", default)]
    secret_group: usize,
    #[serde(default)]
    entropy: f64,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    #[serde(default)]
    allowlists: Vec<AllowlistData>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct TargetedAllowlistData {
    #[serde(rename = "targetRules")]
    target_rules: Vec<String>,
    #[serde(flatten)]
    list: AllowlistData,
}

#[derive(Deserialize)]
struct AllowlistData {
    condition: Option<String>,
    #[serde(rename = "regexTarget")]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
}

/// What an allowlist's regexes are matched against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    Secret,
    Match,
    Line,
}

pub struct Allowlist {
    /// gitleaks's `condition = "AND"`: every check it has must hold; otherwise any one.
    pub all: bool,
    pub target: Target,
    pub regexes: Option<Pattern>,
    pub stopwords: Option<AhoCorasick>,
    pub paths: Option<Pattern>,
}

pub struct Rule {
    pub id: String,
    pub regex: Option<Pattern>,
    pub secret_group: usize,
    pub entropy: f64,
    /// Indices into `RuleSet::keywords`; empty means the rule always runs.
    pub keywords: Vec<usize>,
    pub path: Option<Pattern>,
    pub allowlists: Vec<Allowlist>,
    /// A name-and-value rule rather than a provider format: its values pass the code-shape filter.
    pub generic: bool,
    /// Gives way to a provider rule that finds the same value (generic rules, and those tagged
    /// `name-and-value`): `NPM_TOKEN=npm_…` is an npm token first.
    pub yields: bool,
    pub check: Option<Check>,
}

pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub global: Option<Allowlist>,
    /// Allowlists that apply to the rules they name only.
    pub targeted: Vec<(Vec<String>, Allowlist)>,
    /// Every rule's keywords, lower-cased, deduplicated; the prefilter's patterns in this order.
    pub keywords: Vec<String>,
    pub prefilter: AhoCorasick,
}

/// RE2 reads a `{` that opens no repetition (`${VAR}`, `{{`) as a literal; the `regex` crate
/// wants it escaped.
fn escape_literal_braces(pattern: &str) -> String {
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 8);
    let (mut index, mut in_class) = (0, false);
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'\\' && index + 1 < bytes.len() {
            let width = pattern[index + 1..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&pattern[index..index + 1 + width]);
            index += 1 + width;
            continue;
        }
        match byte {
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'{' if !in_class && !opens_repetition(&bytes[index + 1..]) => {
                out.push_str("\\{");
                index += 1;
                continue;
            }
            _ => {}
        }
        let width = pattern[index..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&pattern[index..index + width]);
        index += width;
    }
    out
}

/// `n}`, `n,}` or `n,m}`.
fn opens_repetition(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    match rest.get(digits) {
        Some(b'}') => true,
        Some(b',') => {
            let more = rest[digits + 1..].iter().take_while(|byte| byte.is_ascii_digit()).count();
            rest.get(digits + 1 + more) == Some(&b'}')
        }
        _ => false,
    }
}

/// RE2 semantics: `\w`, `\s`, `\b` and `(?i)` are ASCII, matched over bytes, as gitleaks's Go does.
fn compile(pattern: &str, what: &str) -> Result<Regex, String> {
    RegexBuilder::new(&escape_literal_braces(pattern))
        .unicode(false)
        .size_limit(64 << 20)
        .build()
        .map_err(|error| format!("{what}: {error}"))
}

/// A regex of the rule data, compiled on first use: a scan needs only the rules its keywords
/// select, and compiling all of them would cost the pre-commit hook ~40 ms on every commit.
pub struct Pattern {
    source: String,
    what: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    fn new(source: String, what: String) -> Pattern {
        Pattern { source, what, compiled: OnceLock::new() }
    }

    /// The bundled rules are all compiled by a test, so a failure here is a defect of the build.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile(&self.source, &self.what).unwrap_or_else(|error| panic!("a bundled secret rule does not compile: {error}"))
        })
    }

    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.regex().is_match(haystack)
    }

    #[cfg(test)]
    fn check(&self) -> Result<(), String> {
        compile(&self.source, &self.what).map(|_| ())
    }
}

/// Several patterns as one alternation, as gitleaks joins an allowlist's regexes.
fn any_of(patterns: &[String], what: &str) -> Option<Pattern> {
    if patterns.is_empty() {
        return None;
    }
    let joined = patterns.iter().map(|pattern| format!("(?:{pattern})")).collect::<Vec<_>>().join("|");
    Some(Pattern::new(joined, what.to_string()))
}

fn allowlist(data: AllowlistData, what: &str) -> Result<Allowlist, String> {
    let target = match data.regex_target.as_deref() {
        None | Some("secret") => Target::Secret,
        Some("match") => Target::Match,
        Some("line") => Target::Line,
        Some(other) => return Err(format!("{what}: unknown regexTarget {other:?}")),
    };
    let stopwords = if data.stopwords.is_empty() {
        None
    } else {
        let lowered: Vec<String> = data.stopwords.iter().map(|word| word.to_ascii_lowercase()).collect();
        Some(AhoCorasick::new(&lowered).map_err(|error| format!("{what}: stopwords: {error}"))?)
    };
    Ok(Allowlist {
        all: data.condition.as_deref().is_some_and(|condition| condition.eq_ignore_ascii_case("and")),
        target,
        regexes: any_of(&data.regexes, &format!("{what}: regexes")),
        stopwords,
        paths: any_of(&data.paths, &format!("{what}: paths")),
    })
}

fn parse(source: &str, file: &str) -> Result<RuleFile, String> {
    toml::from_str(source).map_err(|error| format!("{file}: {error}"))
}

/// Builds the rule set from rule files; a PyAgent rule with a gitleaks rule's id replaces it.
fn build(files: &[(&str, &str)]) -> Result<RuleSet, String> {
    let mut global: Option<Allowlist> = None;
    let mut targeted = Vec::new();
    let mut data: Vec<RuleData> = Vec::new();
    for (name, source) in files {
        let file = parse(source, name)?;
        if let Some(list) = file.allowlist {
            if global.is_some() {
                return Err(format!("{name}: only one file may hold the global [allowlist]"));
            }
            global = Some(allowlist(list, &format!("{name}: [allowlist]"))?);
        }
        for (index, entry) in file.allowlists.into_iter().enumerate() {
            targeted.push((entry.target_rules, allowlist(entry.list, &format!("{name}: [[allowlists]] {index}"))?));
        }
        for rule in file.rules {
            data.retain(|existing| existing.id != rule.id);
            data.push(rule);
        }
    }
    let mut keywords: Vec<String> = Vec::new();
    let mut rules = Vec::with_capacity(data.len());
    for rule in data {
        let what = format!("rule {}", rule.id);
        let keyword_ids = rule
            .keywords
            .iter()
            .map(|keyword| {
                let keyword = keyword.to_ascii_lowercase();
                keywords.iter().position(|known| *known == keyword).unwrap_or_else(|| {
                    keywords.push(keyword);
                    keywords.len() - 1
                })
            })
            .collect();
        let allowlists = rule
            .allowlists
            .into_iter()
            .enumerate()
            .map(|(index, list)| allowlist(list, &format!("{what}: allowlist {index}")))
            .collect::<Result<_, _>>()?;
        rules.push(Rule {
            regex: rule.regex.map(|pattern| Pattern::new(pattern, what.clone())),
            path: rule.path.map(|pattern| Pattern::new(pattern, format!("{what}: path"))),
            secret_group: rule.secret_group,
            entropy: rule.entropy,
            keywords: keyword_ids,
            allowlists,
            generic: rule.id.starts_with("generic-"),
            yields: rule.id.starts_with("generic-") || rule.tags.iter().any(|tag| tag == "name-and-value"),
            check: Check::for_rule(&rule.id),
            id: rule.id,
        });
    }
    let prefilter = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&keywords)
        .map_err(|error| format!("keyword prefilter: {error}"))?;
    for (targets, _) in &targeted {
        if let Some(unknown) = targets.iter().find(|id| !rules.iter().any(|rule: &Rule| rule.id == **id)) {
            return Err(format!("an [[allowlists]] entry targets {unknown:?}, which no rule has as its id"));
        }
    }
    Ok(RuleSet { rules, global, targeted, keywords, prefilter })
}

/// The bundled rules, compiled on first use. They are tested at build time, so a failure here
/// is a defect of the build, not of the input.
pub fn bundled() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        build(&[("gitleaks.toml", GITLEAKS_RULES), ("pyagent.toml", PYAGENT_RULES)])
            .unwrap_or_else(|error| panic!("the bundled secret rules do not compile: {error}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns_of(list: &Allowlist) -> Vec<&Pattern> {
        list.regexes.iter().chain(&list.paths).collect()
    }

    #[test]
    fn every_bundled_rule_compiles() {
        let set = build(&[("gitleaks.toml", GITLEAKS_RULES), ("pyagent.toml", PYAGENT_RULES)]).unwrap();
        let mut patterns: Vec<&Pattern> = set.global.iter().flat_map(patterns_of).collect();
        patterns.extend(set.targeted.iter().flat_map(|(_, list)| patterns_of(list)));
        for rule in &set.rules {
            patterns.extend(rule.regex.iter().chain(&rule.path));
            patterns.extend(rule.allowlists.iter().flat_map(patterns_of));
        }
        let broken: Vec<String> = patterns.iter().filter_map(|pattern| pattern.check().err()).collect();
        assert!(broken.is_empty(), "{broken:#?}");
        assert!(set.rules.len() >= 222, "only {} rules", set.rules.len());
        assert!(set.global.is_some());
        assert!(set.rules.iter().any(|rule| rule.id == "generic-api-key" && rule.generic));
    }

    #[test]
    fn braces_that_open_no_repetition_are_literals_as_in_re2() {
        assert_eq!(escape_literal_braces(r"^\${(?:[A-Z_]+)}$"), r"^\$\{(?:[A-Z_]+)}$");
        assert_eq!(escape_literal_braces(r"a{2,3}[{]\{x{"), r"a{2,3}[{]\{x\{");
        assert!(compile(r"^\{\d{0,2}}$", "t").unwrap().is_match(b"{12}"));
    }

    #[test]
    fn a_later_file_replaces_a_rule_of_the_same_id() {
        let first = "[[rules]]\nid = \"x\"\nregex = '''a+'''\nkeywords = [\"a\"]\n";
        let second = "[[rules]]\nid = \"x\"\nregex = '''b+'''\nkeywords = [\"B\"]\n";
        let set = build(&[("1", first), ("2", second)]).unwrap();
        assert_eq!(set.rules.len(), 1);
        assert!(set.rules[0].regex.as_ref().unwrap().is_match(b"bb"));
        assert_eq!(set.keywords, vec!["b".to_string()]);
    }

    #[test]
    fn a_broken_rule_names_itself() {
        let broken = "[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n";
        let set = build(&[("x.toml", broken)]).unwrap();
        let error = set.rules[0].regex.as_ref().unwrap().check().err().unwrap();
        assert!(error.starts_with("rule broken:"), "{error}");
    }
}
