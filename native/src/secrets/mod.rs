//! Secret detection, gitleaks's way: a keyword prefilter (Aho-Corasick) picks the rules worth
//! running, each rule's regex finds candidates, and entropy, allowlists, checksums and the
//! code-shape filter decide which are reported. One detector serves redaction and review.

mod checks;
mod rules;

use rules::{Allowlist, Rule, RuleSet, Target};

/// One secret: which rule found it and where its value lies (byte offsets into the scanned text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Past this length a line is data or minified code (a tokenizer's vocabulary, a bundle), where
/// `name=value` shapes occur by chance; provider formats are still found there.
const LONGEST_GENERIC_LINE: usize = 2000;

/// Lines holding one of these are the author's word that what they hold is no secret.
const ALLOW_MARKERS: [&[u8]; 2] = [b"pyagent:allow-secret", b"gitleaks:allow"];

/// Secrets in `text`. `path`, when known, lets path-scoped rules and allowlists apply (lockfiles,
/// images, `.tf` files); without one, rules scoped to some files do not run.
pub fn scan(text: &[u8], path: Option<&str>) -> Vec<Hit> {
    let set = rules::bundled();
    if let (Some(path), Some(global)) = (path, &set.global) {
        if global.paths.as_ref().is_some_and(|paths| paths.is_match(path.as_bytes())) {
            return Vec::new();
        }
    }
    let normalized = normalize(text);
    let text: &[u8] = &normalized;
    let present = keywords_present(set, text);
    let mut hits: Vec<(Hit, bool)> = Vec::new();
    for rule in &set.rules {
        if !rule.keywords.is_empty() && !rule.keywords.iter().any(|&keyword| present[keyword]) {
            continue;
        }
        scan_rule(set, rule, text, path, &mut hits);
    }
    drop_yielding_overlaps(hits)
}

/// Binary content (a staged image, an archive, a compiled file): its printable runs are scanned,
/// every other byte read as a line break so offsets still point into the original.
pub fn scan_binary(bytes: &[u8], path: Option<&str>) -> Vec<Hit> {
    let printable: Vec<u8> = bytes.iter().map(|&byte| if byte == b'\t' || (0x20..0x7f).contains(&byte) { byte } else { b'\n' }).collect();
    scan(&printable, path)
}

/// Two shapes gitleaks's keyed rules do not expect, rewritten in place so offsets stay put: a
/// value inside a JSON or shell string ends at `\"` (every notebook cell is a JSON string), and a
/// subscript assignment closes its key with `]` (`os.environ["API_TOKEN"] = "…"`). The backslash
/// and the bracket read as spaces.
fn normalize(text: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let escaped_quote = |index: usize, copy: &[u8]| copy[index] == b'\\' && matches!(copy.get(index + 1), Some(b'"' | b'\''));
    let subscript_close = |index: usize, copy: &[u8]| {
        copy[index] == b']'
            && index > 0
            && matches!(copy[index - 1], b'"' | b'\'' | b' ')
            && copy[index + 1..].iter().find(|byte| **byte != b' ' && **byte != b'\t') == Some(&b'=')
            && copy.get(index + 1..).and_then(|rest| rest.iter().position(|byte| *byte == b'=')).is_some_and(|at| copy.get(index + 2 + at) != Some(&b'='))
    };
    if !(0..text.len()).any(|index| escaped_quote(index, text) || subscript_close(index, text)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut copy = text.to_vec();
    for index in 0..copy.len() {
        if escaped_quote(index, &copy) || subscript_close(index, &copy) {
            copy[index] = b' ';
        }
    }
    std::borrow::Cow::Owned(copy)
}

fn keywords_present(set: &RuleSet, text: &[u8]) -> Vec<bool> {
    let mut present = vec![false; set.keywords.len()];
    for found in set.prefilter.find_overlapping_iter(text) {
        present[found.pattern().as_usize()] = true;
    }
    present
}

fn scan_rule(set: &RuleSet, rule: &'static Rule, text: &[u8], path: Option<&str>, hits: &mut Vec<(Hit, bool)>) {
    if let Some(path) = path {
        if rule.allowlists.iter().any(|list| !list.all && list.paths.as_ref().is_some_and(|paths| paths.is_match(path.as_bytes()))) {
            return;
        }
    }
    // A rule scoped to some files (`.tf`, `nuget.config`) runs only where the path says it applies.
    if let Some(scope) = &rule.path {
        if !path.is_some_and(|path| scope.is_match(path.as_bytes())) {
            return;
        }
        if rule.regex.is_none() {
            hits.push((Hit { rule: &rule.id, start: 0, end: 0 }, rule.yields));
            return;
        }
    }
    let Some(regex) = &rule.regex else { return };
    for captures in regex.regex().captures_iter(text) {
        let whole = captures.get(0).expect("group 0 always matches");
        let (match_start, match_end) = trim_newlines(text, whole.start(), whole.end());
        let (start, end) = secret_span(rule, &captures).unwrap_or((match_start, match_end));
        let secret = &text[start..end];
        let line = line_around(text, match_start, match_end);
        if ALLOW_MARKERS.iter().any(|marker| contains(line, marker)) {
            continue;
        }
        if rule.entropy > 0.0 && shannon_entropy(secret) <= rule.entropy {
            continue;
        }
        if rule.check.is_some_and(|check| !check.passes(secret)) {
            continue;
        }
        if rule.generic && (line.len() > LONGEST_GENERIC_LINE || checks::looks_like_code(secret, is_quoted(text, start), before_value(text, line, start))) {
            continue;
        }
        let candidate = Candidate { secret, matched: &text[match_start..match_end], line, path };
        let targeted = set.targeted.iter().filter(|(rules, _)| rules.iter().any(|id| *id == rule.id)).map(|(_, list)| list);
        if set.global.iter().chain(&rule.allowlists).chain(targeted).any(|list| candidate.allowed_by(list)) {
            continue;
        }
        hits.push((Hit { rule: &rule.id, start, end }, rule.yields));
    }
}

/// The secret's span: `secretGroup` when the rule names one, else its first non-empty group.
fn secret_span(rule: &Rule, captures: &regex::bytes::Captures) -> Option<(usize, usize)> {
    let group = if rule.secret_group > 0 {
        captures.get(rule.secret_group)
    } else {
        captures.iter().skip(1).flatten().find(|group| !group.is_empty())
    }?;
    Some((group.start(), group.end()))
}

/// gitleaks trims line breaks a pattern swallowed at either end of its match.
fn trim_newlines(text: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && text[start] == b'\n' {
        start += 1;
    }
    while end > start && text[end - 1] == b'\n' {
        end -= 1;
    }
    (start, end)
}

fn line_around(text: &[u8], start: usize, end: usize) -> &[u8] {
    let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |index| index + 1);
    let line_end = memchr::memchr(b'\n', &text[end..]).map_or(text.len(), |index| end + index);
    &text[line_start..line_end]
}

/// The line up to the secret's value: the name, the operator and anything before them.
fn before_value<'a>(text: &'a [u8], line: &'a [u8], start: usize) -> &'a [u8] {
    let line_start = line.as_ptr() as usize - text.as_ptr() as usize;
    &text[line_start..start.max(line_start)]
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &byte in data {
        counts[byte as usize] += 1;
    }
    let length = data.len() as f64;
    counts.iter().filter(|&&count| count > 0).map(|&count| {
        let share = count as f64 / length;
        -share * share.log2()
    }).sum()
}

struct Candidate<'a> {
    secret: &'a [u8],
    matched: &'a [u8],
    line: &'a [u8],
    path: Option<&'a str>,
}

impl Candidate<'_> {
    fn allowed_by(&self, list: &Allowlist) -> bool {
        let target = match list.target {
            Target::Secret => self.secret,
            Target::Match => self.matched,
            Target::Line => self.line,
        };
        let regex = list.regexes.as_ref().map(|regex| !target.is_empty() && regex.is_match(target));
        let lowered = self.secret.to_ascii_lowercase();
        let stopword = list.stopwords.as_ref().map(|words| words.is_match(&lowered));
        if !list.all {
            return regex == Some(true) || stopword == Some(true);
        }
        let path = list.paths.as_ref().map(|paths| self.path.is_some_and(|path| paths.is_match(path.as_bytes())));
        let checks: Vec<bool> = [regex, stopword, path].into_iter().flatten().collect();
        !checks.is_empty() && checks.into_iter().all(|passed| passed)
    }
}

/// A provider rule and a name-and-value rule often find the same value (`token = ghp_…`); the
/// provider's name is the more useful one.
fn drop_yielding_overlaps(hits: Vec<(Hit, bool)>) -> Vec<Hit> {
    let specific: Vec<(usize, usize)> = hits.iter().filter(|(_, yields)| !yields).map(|(hit, _)| (hit.start, hit.end)).collect();
    let mut kept: Vec<Hit> = hits
        .into_iter()
        .filter(|(hit, yields)| !yields || !specific.iter().any(|&(start, end)| hit.start < end && start < hit.end))
        .map(|(hit, _)| hit)
        .collect();
    kept.sort_by_key(|hit| (hit.start, hit.end));
    kept.dedup();
    kept
}

/// A value right after a quote is a string literal, not an expression.
fn is_quoted(text: &[u8], start: usize) -> bool {
    start > 0 && matches!(text[start - 1], b'"' | b'\'' | b'`')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(text: &str) -> Vec<&'static str> {
        scan(text.as_bytes(), None).into_iter().map(|hit| hit.rule).collect()
    }

    #[test]
    fn a_provider_token_is_found_with_the_span_of_its_value() {
        let key = "AKIAZ7Q2XK4MP6WBT3LR";
        let text = format!("const region = 'eu'\nconst id = \"{key}\"\n");
        let hits = scan(text.as_bytes(), None);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].rule, "aws-access-token");
        assert_eq!(&text[hits[0].start..hits[0].end], key);
    }

    #[test]
    fn allow_markers_silence_their_line_only() {
        let key = "AKIAZ7Q2XK4MP6WBT3LR";
        assert!(rules_of(&format!("id = \"{key}\" # pyagent:allow-secret")).is_empty());
        assert!(rules_of(&format!("id = \"{key}\" // gitleaks:allow")).is_empty());
        assert_eq!(rules_of(&format!("# gitleaks:allow\nid = \"{key}\"")), vec!["aws-access-token"]);
    }

    #[test]
    fn code_assigned_to_a_secret_like_name_is_not_reported() {
        for line in ["this.tokenize = tokenize;", "const oldTokens = this.removeEmpty(tokens)", "password = getPassword()", "db.password = config.dbPassword", "api_key = process.env.API_KEY"] {
            assert!(rules_of(line).is_empty(), "{line}: {:?}", rules_of(line));
        }
    }

    #[test]
    fn a_lockfile_path_is_skipped_and_binary_runs_are_read() {
        let key = "AKIAZ7Q2XK4MP6WBT3LR";
        assert!(scan(format!("\"{key}\"").as_bytes(), Some("web/package-lock.json")).is_empty());
        let mut binary = vec![0u8, 159, 146, 150];
        binary.extend_from_slice(key.as_bytes());
        binary.extend_from_slice(&[0, 1, 2]);
        let hits = scan_binary(&binary, Some("assets/blob.bin.x"));
        assert_eq!(hits.iter().map(|hit| (hit.rule, hit.start)).collect::<Vec<_>>(), vec![("aws-access-token", 4)]);
    }

    #[test]
    fn a_dotenv_entry_is_a_secret_whatever_its_entropy_but_a_code_constant_is_not() {
        assert_eq!(rules_of("PASSWORD=correcthorsebattery\r\n"), vec!["env-secret"]);
        assert_eq!(rules_of("export DB_TOKEN='correcthorse'"), vec!["env-secret"]);
        assert_eq!(rules_of("AWS_KEY=AKIAZ7Q2XK4MP6WBT3LR"), vec!["aws-access-token"], "the provider's name wins");
        assert!(rules_of("TOKEN_ENDS = TSPECIALS | WSP").is_empty());
        assert!(rules_of("    SECRET_KEY = 'aws_secret_access_key'").is_empty());
        assert!(rules_of("TOKEN=$(cat ~/.token)").is_empty());
    }

    #[test]
    fn a_rule_scoped_to_some_files_runs_only_on_them() {
        let text = b"password = \"Tr0ub4dor-3xQ9v\"";
        let rules = |path| scan(text, path).into_iter().map(|hit| hit.rule).collect::<Vec<_>>();
        assert_eq!(rules(Some("main.tf")), vec!["hashicorp-tf-password"]);
        assert_eq!(rules(None), vec!["generic-api-key"]);
        assert_eq!(scan(b"", Some("keys/client.p12")).into_iter().map(|hit| hit.rule).collect::<Vec<_>>(), vec!["pkcs12-file"]);
    }

    #[test]
    fn a_value_in_a_notebook_cell_ends_at_its_escaped_quote() {
        let token = format!("sk-ant-admin01-{}J9kAA", "Ab3dE5fG7h".repeat(9));
        let cell = format!("{{\"source\": [\"client = Anthropic(api_key=\\\"{token}\\\")\\n\"]}}");
        let hits = scan(cell.as_bytes(), Some("analysis.ipynb"));
        assert_eq!(hits.iter().map(|hit| &cell[hit.start..hit.end]).collect::<Vec<_>>(), vec![token.as_str()], "{cell}");
    }

    #[test]
    fn a_keyed_value_assigned_through_a_subscript_is_found() {
        let token = "X-RyzpLfyjJ9zMZfCTFAQajswTgLVim2MubIm-tV";
        let cell = format!("\"os.environ[\\\"CLOUDFLARE_API_TOKEN\\\"] = \\\"{token}\\\"\\n\",");
        let hits = scan(cell.as_bytes(), Some("report.ipynb"));
        assert_eq!(hits.iter().map(|hit| &cell[hit.start..hit.end]).collect::<Vec<_>>(), vec![token], "{cell}");
        assert!(rules_of("if settings[\"token\"] == previous: pass").is_empty());
    }

    #[test]
    fn the_sample_token_of_jwt_io_is_documentation_not_a_secret() {
        let sample = ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"].join(".");
        assert!(rules_of(&format!("expect(parse(\"{sample}\"))")).is_empty());
        let signed = sample.replace("SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "Q2xK7wRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5d");
        assert_eq!(rules_of(&format!("expect(parse(\"{signed}\"))")), vec!["jwt"]);
    }

    #[test]
    fn entropy_is_shannons_in_bits_per_byte() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }
}
