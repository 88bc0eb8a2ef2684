//! JSON Schema (draft 2020-12, as zod 4's `z.toJSONSchema` writes it) → one regular expression
//! over the JSON text of the instances it accepts.
//!
//! Every keyword is either honoured, or a known annotation, or an error naming the keyword and
//! its JSON pointer. Where the regex is deliberately narrower than the schema (a fixed property
//! order, closed objects, a nesting bound on unconstrained values) or wider (oneOf's exclusivity)
//! the result says so in `deviations`, so callers can decide instead of discovering it.

use super::ecma_pattern;
use super::nfa::SUBSTRING_GROUP;
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition};
use serde_json::{Map, Value};
use std::fmt;

/// How JSON text may be spaced, and how deep an unconstrained value (`{}`) may nest.
#[derive(Clone, Debug)]
pub struct Options {
    /// Regex for the whitespace allowed between JSON tokens.
    pub whitespace: String,
    /// Nesting depth of arrays/objects allowed where the schema leaves a value unconstrained,
    /// and how many times a recursive $ref is unrolled.
    pub max_any_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { whitespace: r"[ \t\n\r]*".to_string(), max_any_depth: 2 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub keyword: String,
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "the root".to_string() } else { self.pointer.clone() };
        write!(f, "keyword `{}` at {}: {}", self.keyword, at, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// A place where the regex does not accept exactly the schema's instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deviation {
    pub keyword: String,
    pub pointer: String,
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct CompiledSchema {
    pub regex: String,
    pub deviations: Vec<Deviation>,
    /// The texts of `x-pyagent-substring-of`, named in the regex by their index (see nfa.rs).
    pub substrings: Vec<String>,
}

/// Keywords that never constrain an instance: ignoring them is exact.
const ANNOTATIONS: &[&str] = &[
    "$schema", "$id", "$anchor", "$comment", "$defs", "definitions", "title", "description",
    "default", "examples", "deprecated", "readOnly", "writeOnly", "contentEncoding",
    "contentMediaType", "id",
];

/// Keywords this compiler honours (possibly with a recorded deviation).
const HONOURED: &[&str] = &[
    "type", "properties", "required", "additionalProperties", "propertyNames", "enum", "const",
    "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "items", "prefixItems", "minItems", "maxItems", "anyOf", "oneOf",
    "allOf", "$ref", SUBSTRING_OF,
];

/// PyAgent's keyword for an edit's `search`: a string that occurs exactly once in the text given,
/// so that a small model cannot write one that fails to apply. Only the embedded engine sends it.
const SUBSTRING_OF: &str = "x-pyagent-substring-of";

const TYPES: [&str; 7] = ["null", "boolean", "object", "array", "string", "number", "integer"];

/// One JSON string character: anything but `"`, `\` and controls, or an escape.
const STRING_CHAR: &str = r#"(?:[^"\\\x00-\x1F]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})"#;
const INTEGER: &str = r"-?(?:0|[1-9][0-9]*)";
const FRACTION: &str = r"(?:\.[0-9]+)?";
const EXPONENT: &str = r"(?:[eE][+-]?[0-9]+)?";
/// Matches nothing: the regex of an unsatisfiable schema.
const NOTHING: &str = r"[a&&b]";

pub fn schema_to_regex(schema: &Value, options: &Options) -> Result<CompiledSchema, SchemaError> {
    let mut compiler = Compiler { root: schema, options, ref_stack: Vec::new(), deviations: Vec::new(), substrings: Vec::new() };
    let regex = compiler.value(schema, "", options.max_any_depth)?;
    let regex = if compiler.substrings.is_empty() { regex } else { number_substring_groups(&regex) };
    Ok(CompiledSchema { regex, deviations: compiler.deviations, substrings: compiler.substrings })
}

/// Array and object bodies repeat an item's regex, and a name may occur once in a regex: each
/// substring group gets a copy number after its index (`pyagent_substring_0_1`).
fn number_substring_groups(regex: &str) -> String {
    let opening = format!("(?P<{SUBSTRING_GROUP}");
    let mut copies = 0;
    let mut parts = regex.split(&opening);
    let mut numbered = parts.next().unwrap_or_default().to_string();
    for part in parts {
        let (index, rest) = part.split_once('>').expect("a substring group's name ends at >");
        numbered.push_str(&format!("{opening}{index}_{copies}>{rest}"));
        copies += 1;
    }
    numbered
}

fn err(keyword: &str, pointer: &str, message: impl Into<String>) -> SchemaError {
    SchemaError { keyword: keyword.to_string(), pointer: pointer.to_string(), message: message.into() }
}

fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn group(alternatives: &[String]) -> String {
    match alternatives.len() {
        0 => NOTHING.to_string(),
        1 => format!("(?:{})", alternatives[0]),
        _ => format!("(?:{})", alternatives.join("|")),
    }
}

fn repeat(bounds: (usize, Option<usize>)) -> String {
    match bounds {
        (0, None) => "*".to_string(),
        (1, None) => "+".to_string(),
        (lo, None) => format!("{{{lo},}}"),
        (lo, Some(hi)) if lo == hi => format!("{{{lo}}}"),
        (lo, Some(hi)) => format!("{{{lo},{hi}}}"),
    }
}

struct Compiler<'a> {
    root: &'a Value,
    options: &'a Options,
    ref_stack: Vec<String>,
    deviations: Vec<Deviation>,
    substrings: Vec<String>,
}

impl<'a> Compiler<'a> {
    fn deviate(&mut self, keyword: &str, pointer: &str, note: &str) {
        let deviation = Deviation { keyword: keyword.into(), pointer: pointer.into(), note: note.into() };
        if !self.deviations.contains(&deviation) {
            self.deviations.push(deviation);
        }
    }

    fn ws(&self) -> String {
        format!("(?:{})", self.options.whitespace)
    }

    fn value(&mut self, schema: &Value, ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let object = match schema {
            Value::Bool(true) => return Ok(self.any(ptr, depth)),
            Value::Bool(false) => return Ok(NOTHING.to_string()),
            Value::Object(object) => object,
            _ => return Err(err("$schema", ptr, "a schema must be an object or a boolean")),
        };
        for key in object.keys() {
            if !ANNOTATIONS.contains(&key.as_str()) && !HONOURED.contains(&key.as_str()) {
                return Err(err(key, &format!("{ptr}/{}", escape_pointer_token(key)), "this keyword is not supported"));
            }
        }
        let constraints: Vec<&str> =
            object.keys().map(String::as_str).filter(|k| HONOURED.contains(k)).collect();

        if let Some(reference) = object.get("$ref") {
            return self.reference(reference, &constraints, ptr, depth);
        }
        if let Some(all_of) = object.get("allOf") {
            return self.all_of(object, all_of, ptr, depth);
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(branches) = object.get(keyword) {
                return self.any_of(object, keyword, branches, &constraints, ptr, depth);
            }
        }
        let types = self.types(object, ptr)?;
        if object.contains_key("const") || object.contains_key("enum") {
            return self.literals(object, &types, &constraints, ptr);
        }
        let mut alternatives = Vec::new();
        for ty in &types {
            let regex = match *ty {
                "null" => "null".to_string(),
                "boolean" => "(?:true|false)".to_string(),
                "string" => self.string(object, ptr)?,
                "integer" => integer_regex(object, ptr)?,
                "number" => {
                    let (regex, bounded) = number_regex(object, ptr)?;
                    if bounded {
                        self.deviate("minimum", ptr, "a bounded number (or one with multipleOf) must be written without an exponent");
                    }
                    regex
                }
                "array" => self.array(object, ptr, depth)?,
                "object" => self.object(object, ptr, depth)?,
                _ => unreachable!("types() only yields known types"),
            };
            alternatives.push(regex);
        }
        Ok(group(&alternatives))
    }

    fn types(&self, object: &Map<String, Value>, ptr: &str) -> Result<Vec<&'static str>, SchemaError> {
        let named: Vec<&Value> = match object.get("type") {
            None => return Ok(TYPES.iter().copied().filter(|t| *t != "integer").collect()),
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single) => vec![single],
        };
        let mut types = Vec::new();
        for name in named {
            let known = name.as_str().and_then(|n| TYPES.iter().copied().find(|t| *t == n));
            match known {
                Some(ty) if !types.contains(&ty) => types.push(ty),
                Some(_) => {}
                None => return Err(err("type", &format!("{ptr}/type"), format!("unknown type {name}"))),
            }
        }
        // "number" already covers every integer.
        if types.contains(&"number") {
            types.retain(|t| *t != "integer");
        }
        Ok(types)
    }

    fn reference(&mut self, reference: &Value, constraints: &[&str], ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let at = format!("{ptr}/$ref");
        if constraints.len() > 1 {
            let other = constraints.iter().find(|k| **k != "$ref").copied().unwrap_or("$ref");
            return Err(err(other, ptr, "keywords beside $ref are not supported"));
        }
        let target = reference.as_str().ok_or_else(|| err("$ref", &at, "must be a string"))?;
        let fragment = target
            .strip_prefix('#')
            .ok_or_else(|| err("$ref", &at, format!("only local references (#...) are supported, got {target}")))?;
        if self.ref_stack.iter().filter(|seen| *seen == target).count() >= self.options.max_any_depth {
            // A regex cannot recurse: unroll a recursive reference a bounded number of times.
            self.deviate("$ref", &at, "recursion is unrolled max_any_depth times; deeper instances are rejected");
            return Ok(NOTHING.to_string());
        }
        let decoded = percent_decode(fragment);
        let resolved: &'a Value = self
            .root
            .pointer(&decoded)
            .ok_or_else(|| err("$ref", &at, format!("{target} does not resolve inside this schema")))?;
        self.ref_stack.push(target.to_string());
        let regex = self.value(resolved, &decoded, depth);
        self.ref_stack.pop();
        regex
    }

    /// allOf is compiled by merging its branches into one schema, which is exact when they
    /// constrain different keywords (or the same one identically); anything else is an error.
    fn all_of(&mut self, object: &Map<String, Value>, all_of: &Value, ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let at = format!("{ptr}/allOf");
        let branches = all_of.as_array().ok_or_else(|| err("allOf", &at, "must be an array"))?;
        let base: Map<String, Value> = object.iter().filter(|(k, _)| *k != "allOf").map(|(k, v)| (k.clone(), v.clone())).collect();
        let merged = self.merge(base, branches, &at)?;
        self.value(&Value::Object(merged), ptr, depth)
    }

    /// The keywords of `base` and every branch in one map (see all_of).
    fn merge(&mut self, base: Map<String, Value>, branches: &[Value], at: &str) -> Result<Map<String, Value>, SchemaError> {
        let mut merged = base;
        let mut property_sets = usize::from(merged.contains_key("properties"));
        for (i, branch) in branches.iter().enumerate() {
            let branch_at = format!("{at}/{i}");
            let branch = self.resolve_branch(branch, &branch_at)?;
            property_sets += usize::from(branch.contains_key("properties"));
            for (key, value) in branch {
                if ANNOTATIONS.contains(&key.as_str()) {
                    continue;
                }
                let key_at = format!("{branch_at}/{}", escape_pointer_token(&key));
                match (key.as_str(), merged.get_mut(&key)) {
                    (_, None) => {
                        merged.insert(key, value);
                    }
                    ("properties", Some(Value::Object(existing))) => {
                        for (name, schema) in value.as_object().into_iter().flatten() {
                            if existing.contains_key(name) {
                                return Err(err("allOf", &key_at, format!("property {name:?} is constrained by several branches")));
                            }
                            existing.insert(name.clone(), schema.clone());
                        }
                    }
                    ("required", Some(Value::Array(existing))) => {
                        for name in value.as_array().into_iter().flatten() {
                            if !existing.contains(name) {
                                existing.push(name.clone());
                            }
                        }
                    }
                    (_, Some(existing)) if *existing == value => {}
                    _ => return Err(err("allOf", &key_at, format!("`{key}` is constrained by several branches differently; such an intersection cannot be expressed as one regex"))),
                }
            }
        }
        if property_sets > 1 && merged.contains_key("additionalProperties") {
            return Err(err("allOf", at, "additionalProperties inside an allOf over several property sets cannot be merged"));
        }
        Ok(merged)
    }

    /// A branch of allOf as a keyword map, following a plain $ref.
    fn resolve_branch(&mut self, branch: &Value, at: &str) -> Result<Map<String, Value>, SchemaError> {
        match branch {
            Value::Bool(true) => Ok(Map::new()),
            Value::Object(map) if map.len() == 1 && map.contains_key("$ref") => {
                let target = map["$ref"].as_str().unwrap_or_default();
                let resolved = target
                    .strip_prefix('#')
                    .and_then(|fragment| self.root.pointer(&percent_decode(fragment)))
                    .ok_or_else(|| err("$ref", &format!("{at}/$ref"), format!("{target} does not resolve inside this schema")))?;
                if self.ref_stack.iter().any(|seen| seen == target) {
                    return Err(err("$ref", &format!("{at}/$ref"), format!("recursive reference {target} cannot be expressed as a regex")));
                }
                self.resolve_branch(resolved, at)
            }
            Value::Object(map) if map.contains_key("allOf") || map.contains_key("$ref") => {
                Err(err("allOf", at, "nested allOf/$ref with other keywords inside allOf is not supported"))
            }
            Value::Object(map) => Ok(map.clone()),
            _ => Err(err("allOf", at, "branch must be an object or true")),
        }
    }

    fn any_of(&mut self, object: &Map<String, Value>, keyword: &str, branches: &Value, constraints: &[&str], ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let at = format!("{ptr}/{keyword}");
        let branches = branches.as_array().ok_or_else(|| err(keyword, &at, "must be an array"))?;
        if constraints.iter().any(|k| *k != keyword) {
            // siblings ∧ (A ∨ B) = (siblings ∧ A) ∨ (siblings ∧ B)
            let siblings: Map<String, Value> = object.iter().filter(|(k, _)| *k != keyword).map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut distributed = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                distributed.push(Value::Object(self.merge(siblings.clone(), std::slice::from_ref(branch), &format!("{at}/{i}"))?));
            }
            let mut rewritten = Map::new();
            rewritten.insert(keyword.to_string(), Value::Array(distributed));
            return self.any_of(&rewritten, keyword, &rewritten[keyword], &[keyword], ptr, depth);
        }
        if keyword == "oneOf" && branches.len() > 1 {
            self.deviate("oneOf", &at, "exclusivity is not enforced: an instance matching several branches is accepted");
        }
        let mut alternatives = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            alternatives.push(self.value(branch, &format!("{at}/{i}"), depth)?);
        }
        Ok(group(&alternatives))
    }

    fn literals(&mut self, object: &Map<String, Value>, types: &[&str], constraints: &[&str], ptr: &str) -> Result<String, SchemaError> {
        if let Some(other) = constraints.iter().find(|k| !["enum", "const", "type"].contains(k)) {
            return Err(err(other, ptr, "keywords beside enum/const (other than type) are not supported"));
        }
        let mut values: Vec<&Value> = Vec::new();
        if let Some(constant) = object.get("const") {
            values.push(constant);
        }
        if let Some(list) = object.get("enum") {
            let list = list.as_array().ok_or_else(|| err("enum", &format!("{ptr}/enum"), "must be an array"))?;
            if object.contains_key("const") {
                values.retain(|c| list.iter().any(|v| json_equal(v, c)));
            } else {
                values.extend(list.iter());
            }
        }
        let ws = self.ws();
        let alternatives: Vec<String> = values
            .into_iter()
            .filter(|v| types.iter().any(|t| value_has_type(v, t)))
            .map(|v| literal_regex(v, &ws))
            .collect();
        Ok(group(&alternatives))
    }

    fn string(&mut self, object: &Map<String, Value>, ptr: &str) -> Result<String, SchemaError> {
        let min = usize_keyword(object, "minLength", ptr)?;
        let max = usize_keyword(object, "maxLength", ptr)?;
        if let Some(text) = object.get(SUBSTRING_OF) {
            let at = format!("{ptr}/{SUBSTRING_OF}");
            let text = text.as_str().ok_or_else(|| err(SUBSTRING_OF, &at, "must be a string"))?;
            if let Some(other) = ["maxLength", "pattern", "format"].into_iter().find(|k| object.contains_key(*k)) {
                return Err(err(other, &format!("{ptr}/{other}"), format!("{other} together with {SUBSTRING_OF} is not supported")));
            }
            if min.unwrap_or(0) > 1 {
                return Err(err("minLength", &format!("{ptr}/minLength"), format!("{SUBSTRING_OF} allows any substring of one character or more")));
            }
            self.substrings.push(text.to_string());
            return Ok(format!("(?P<{SUBSTRING_GROUP}{}>\"\")", self.substrings.len() - 1));
        }
        if let Some(pattern) = object.get("pattern") {
            if min.is_some() || max.is_some() {
                let keyword = if min.is_some() { "minLength" } else { "maxLength" };
                return Err(err(keyword, &format!("{ptr}/{keyword}"), "a length bound together with a pattern cannot be expressed as one regex"));
            }
            // zod writes a pattern that implements the format it names; the pattern is the stricter of the two.
            let at = format!("{ptr}/pattern");
            let pattern = pattern.as_str().ok_or_else(|| err("pattern", &at, "must be a string"))?;
            return Ok(format!("\"{}\"", pattern_regex(pattern, &at)?));
        }
        if let Some(format) = object.get("format") {
            let at = format!("{ptr}/format");
            if min.is_some() || max.is_some() {
                let keyword = if min.is_some() { "minLength" } else { "maxLength" };
                return Err(err(keyword, &format!("{ptr}/{keyword}"), "a length bound together with a format cannot be expressed as one regex"));
            }
            let name = format.as_str().ok_or_else(|| err("format", &at, "must be a string"))?;
            let body = format_regex(name).ok_or_else(|| err("format", &at, format!("format {name:?} is not supported (supported: date-time, date, time, email, uuid, uri, hostname, ipv4)")))?;
            return Ok(format!("\"{body}\""));
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Ok(NOTHING.to_string());
            }
        }
        Ok(format!("\"{STRING_CHAR}{}\"", repeat((min.unwrap_or(0), max))))
    }

    fn array(&mut self, object: &Map<String, Value>, ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let min = usize_keyword(object, "minItems", ptr)?.unwrap_or(0);
        let mut max = usize_keyword(object, "maxItems", ptr)?;
        let mut prefix = Vec::new();
        if let Some(items) = object.get("prefixItems") {
            let at = format!("{ptr}/prefixItems");
            let items = items.as_array().ok_or_else(|| err("prefixItems", &at, "must be an array"))?;
            for (i, item) in items.iter().enumerate() {
                prefix.push(self.value(item, &format!("{at}/{i}"), depth)?);
            }
        }
        let rest = match object.get("items") {
            Some(Value::Bool(false)) => None,
            Some(items) => Some(self.value(items, &format!("{ptr}/items"), depth)?),
            None => Some(self.any(&format!("{ptr}/items"), depth)),
        };
        if rest.is_none() {
            max = Some(max.map_or(prefix.len(), |m| m.min(prefix.len())));
        }
        if max.is_some_and(|m| m < min) {
            return Ok(NOTHING.to_string());
        }
        let ws = self.ws();
        let separator = format!("{ws},{ws}");
        let body = array_body(&prefix, rest.as_deref(), min, max, &separator, 0);
        Ok(format!(r"\[{ws}{body}{ws}\]"))
    }

    fn object(&mut self, object: &Map<String, Value>, ptr: &str, depth: usize) -> Result<String, SchemaError> {
        let ws = self.ws();
        if let Some(names) = object.get("propertyNames") {
            let plain = names == &Value::Bool(true)
                || names.as_object().is_some_and(|o| o.is_empty() || (o.len() == 1 && o.get("type") == Some(&Value::String("string".into()))));
            if !plain {
                return Err(err("propertyNames", &format!("{ptr}/propertyNames"), "only {\"type\": \"string\"} is supported"));
            }
        }
        let properties = match object.get("properties") {
            None => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => return Err(err("properties", &format!("{ptr}/properties"), "must be an object")),
        };
        let required: Vec<&str> = match object.get("required") {
            None => Vec::new(),
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err(err("required", &format!("{ptr}/required"), "must be an array of strings")),
        };
        let additional = object.get("additionalProperties");
        let declared: Vec<(&String, &Value)> = properties.map(|p| p.iter().collect()).unwrap_or_default();
        if declared.is_empty() {
            let value = match additional {
                Some(Value::Bool(false)) => None,
                Some(schema @ Value::Object(_)) => Some(self.value(schema, &format!("{ptr}/additionalProperties"), depth)?),
                _ => Some(self.any(&format!("{ptr}/additionalProperties"), depth)),
            };
            if let Some(name) = required.first() {
                return Err(err("required", &format!("{ptr}/required"), format!("property {name:?} is required but not declared in properties")));
            }
            let Some(value) = value else { return Ok(format!(r"\{{{ws}\}}")) };
            let entry = format!("\"{STRING_CHAR}*\"{ws}:{ws}{value}");
            return Ok(format!(r"\{{{ws}(?:{entry}(?:{ws},{ws}{entry})*)?{ws}\}}"));
        }
        match additional {
            Some(Value::Bool(false)) => {}
            None | Some(Value::Bool(true)) => self.deviate(
                "additionalProperties",
                ptr,
                "objects with declared properties are closed: undeclared properties are rejected",
            ),
            Some(_) => {
                return Err(err("additionalProperties", &format!("{ptr}/additionalProperties"), "a schema for undeclared properties beside declared ones is not supported; use false"));
            }
        }
        if let Some(name) = required.iter().find(|name| !declared.iter().any(|(k, _)| k == *name)) {
            return Err(err("required", &format!("{ptr}/required"), format!("property {name:?} is required but not declared in properties")));
        }
        if declared.len() > 1 {
            self.deviate("properties", ptr, "properties must appear in the order the schema declares them");
        }
        let mut entries = Vec::new();
        for (name, schema) in &declared {
            let at = format!("{ptr}/properties/{}", escape_pointer_token(name));
            let key = regex_syntax::escape(&serde_json::to_string(name).expect("a string serialises"));
            let value = self.value(schema, &at, depth)?;
            entries.push((format!("{key}{ws}:{ws}{value}"), required.contains(&name.as_str())));
        }
        let body = object_body(&entries, &format!("{ws},{ws}"));
        Ok(format!(r"\{{{ws}{body}{ws}\}}"))
    }

    /// Any JSON value, with arrays and objects nested at most `depth` deep.
    fn any(&mut self, ptr: &str, depth: usize) -> String {
        let scalars = format!(r#"null|true|false|{INTEGER}{FRACTION}{EXPONENT}|"{STRING_CHAR}*""#);
        if depth == 0 {
            self.deviate("maxAnyDepth", ptr, "an unconstrained value here may not contain arrays or objects (nesting bound reached)");
            return format!("(?:{scalars})");
        }
        let inner = self.any(ptr, depth - 1);
        let ws = self.ws();
        let array = format!(r"\[{ws}(?:{inner}(?:{ws},{ws}{inner})*)?{ws}\]");
        let entry = format!("\"{STRING_CHAR}*\"{ws}:{ws}{inner}");
        let object = format!(r"\{{{ws}(?:{entry}(?:{ws},{ws}{entry})*)?{ws}\}}");
        format!("(?:{scalars}|{array}|{object})")
    }
}

/// Array contents from element `index` on, given that elements before it are present.
fn array_body(prefix: &[String], rest: Option<&str>, min: usize, max: Option<usize>, separator: &str, index: usize) -> String {
    if max == Some(index) {
        return String::new();
    }
    let lead = if index == 0 { "" } else { separator };
    if index >= prefix.len() {
        let Some(item) = rest else { return String::new() };
        let lo = min.saturating_sub(index);
        let hi = max.map(|m| m - index);
        if index > 0 {
            return format!("(?:{separator}{item}){}", repeat((lo, hi)));
        }
        let more = format!("(?:{separator}{item}){}", repeat((lo.saturating_sub(1), hi.map(|h| h - 1))));
        return if lo == 0 { format!("(?:{item}{more})?") } else { format!("{item}{more}") };
    }
    let element = format!("{lead}{}{}", prefix[index], array_body(prefix, rest, min, max, separator, index + 1));
    if index < min { element } else { format!("(?:{element})?") }
}

/// Object contents for declared properties in order; each entry says whether it is required.
fn object_body(entries: &[(String, bool)], separator: &str) -> String {
    // After the first present property, every later one carries a leading separator.
    let tail = |from: usize| -> String {
        entries[from..]
            .iter()
            .map(|(entry, required)| if *required { format!("{separator}{entry}") } else { format!("(?:{separator}{entry})?") })
            .collect()
    };
    let first_required = entries.iter().position(|(_, required)| *required);
    let last_first = first_required.unwrap_or(entries.len() - 1);
    let alternatives: Vec<String> = (0..=last_first).map(|first| format!("{}{}", entries[first].0, tail(first + 1))).collect();
    let body = group(&alternatives);
    if first_required.is_some() { body } else { format!("{body}?") }
}

fn usize_keyword(object: &Map<String, Value>, keyword: &str, ptr: &str) -> Result<Option<usize>, SchemaError> {
    match object.get(keyword) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|v| *v >= 0.0 && v.fract() == 0.0)
            .map(|v| Some(v as usize))
            .ok_or_else(|| err(keyword, &format!("{ptr}/{keyword}"), "must be a non-negative integer")),
    }
}

fn number_keyword(object: &Map<String, Value>, keyword: &str, ptr: &str) -> Result<Option<f64>, SchemaError> {
    match object.get(keyword) {
        None => Ok(None),
        Some(value) => value.as_f64().map(Some).ok_or_else(|| err(keyword, &format!("{ptr}/{keyword}"), "must be a number")),
    }
}

/// The integer bounds [lo, hi] implied by minimum/maximum/exclusive*; None means unbounded.
fn integer_bounds(object: &Map<String, Value>, ptr: &str) -> Result<(Option<i64>, Option<i64>), SchemaError> {
    const LIMIT: f64 = 9.0e18;
    let mut lo: Option<f64> = None;
    let mut hi: Option<f64> = None;
    if let Some(v) = number_keyword(object, "minimum", ptr)? {
        lo = Some(v.ceil());
    }
    if let Some(v) = number_keyword(object, "exclusiveMinimum", ptr)? {
        let bound = v.floor() + 1.0;
        lo = Some(lo.map_or(bound, |l| l.max(bound)));
    }
    if let Some(v) = number_keyword(object, "maximum", ptr)? {
        hi = Some(v.floor());
    }
    if let Some(v) = number_keyword(object, "exclusiveMaximum", ptr)? {
        let bound = v.ceil() - 1.0;
        hi = Some(hi.map_or(bound, |h| h.min(bound)));
    }
    for bound in [lo, hi].into_iter().flatten() {
        if bound.abs() > LIMIT {
            return Err(err("minimum", ptr, "integer bounds beyond ±9e18 are not supported"));
        }
    }
    Ok((lo.map(|v| v as i64), hi.map(|v| v as i64)))
}

/// multipleOf as a power of ten 10^-k (k ≥ 0): the number of fraction digits it allows.
/// Any other step cannot be expressed as a regex.
fn multiple_of_digits(object: &Map<String, Value>, ptr: &str) -> Result<Option<usize>, SchemaError> {
    let Some(step) = object.get("multipleOf") else { return Ok(None) };
    let at = format!("{ptr}/multipleOf");
    let unsupported = || err("multipleOf", &at, "only 1 and powers of ten below it (0.1, 0.01, ...) can be expressed as a regex");
    let text = step.as_number().ok_or_else(unsupported)?.to_string();
    let digits = match text.split_once('.') {
        None if text == "1" => 0,
        Some(("0", fraction)) if fraction.trim_end_matches('0').ends_with('1') && fraction.trim_end_matches('0').chars().rev().skip(1).all(|c| c == '0') => fraction.trim_end_matches('0').len(),
        Some(("1", fraction)) if fraction.chars().all(|c| c == '0') => 0,
        _ => return Err(unsupported()),
    };
    Ok(Some(digits))
}

fn integer_regex(object: &Map<String, Value>, ptr: &str) -> Result<String, SchemaError> {
    multiple_of_digits(object, ptr)?;
    let (lo, hi) = integer_bounds(object, ptr)?;
    // JSON Schema counts 1.0 as an integer.
    Ok(format!(r"(?:{}(?:\.0+)?)", integer_range(lo, hi)))
}

fn number_regex(object: &Map<String, Value>, ptr: &str) -> Result<(String, bool), SchemaError> {
    let mut lower: Option<Bound> = None;
    let mut upper: Option<Bound> = None;
    for (keyword, exclusive, is_lower) in [("minimum", false, true), ("exclusiveMinimum", true, true), ("maximum", false, false), ("exclusiveMaximum", true, false)] {
        let Some(value) = object.get(keyword) else { continue };
        let at = format!("{ptr}/{keyword}");
        let decimal = Decimal::parse(value).ok_or_else(|| err(keyword, &at, "must be a number written without an exponent"))?;
        let bound = Bound { value: decimal, exclusive };
        let slot = if is_lower { &mut lower } else { &mut upper };
        // Of two bounds on one side, keep the tighter.
        let tighter = match slot.as_ref() {
            None => true,
            Some(current) => {
                let order = bound.value.cmp(&current.value);
                let order = if is_lower { order } else { order.reverse() };
                order == std::cmp::Ordering::Greater || (order == std::cmp::Ordering::Equal && exclusive)
            }
        };
        if tighter {
            *slot = Some(bound);
        }
    }
    if let Some(digits) = multiple_of_digits(object, ptr)? {
        if lower.is_some() || upper.is_some() {
            return Err(err("multipleOf", &format!("{ptr}/multipleOf"), "multipleOf together with bounds on a number is not supported"));
        }
        let fraction = if digits == 0 { r"(?:\.0+)?".to_string() } else { format!(r"(?:\.[0-9]{{1,{digits}}}0*)?") };
        return Ok((format!("(?:{INTEGER}{fraction})"), true));
    }
    if lower.is_none() && upper.is_none() {
        return Ok((format!("(?:{INTEGER}{FRACTION}{EXPONENT})"), false));
    }
    Ok((decimal_range(lower.as_ref(), upper.as_ref()), true))
}

/// A JSON number bound as sign, integer digits and fraction digits (no trailing zeros).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    int: u128,
    frac: String,
}

impl Decimal {
    fn parse(value: &Value) -> Option<Decimal> {
        let text = value.as_number()?.to_string();
        if text.contains(['e', 'E']) {
            return None;
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let frac = frac.trim_end_matches('0').to_string();
        let int: u128 = int.parse().ok()?;
        Some(Decimal { negative: negative && (int != 0 || !frac.is_empty()), int, frac })
    }

    fn magnitude_cmp(&self, other: &Decimal) -> std::cmp::Ordering {
        self.int.cmp(&other.int).then_with(|| self.frac.cmp(&other.frac))
    }

    fn cmp(&self, other: &Decimal) -> std::cmp::Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
            (false, true) => std::cmp::Ordering::Greater,
            (true, false) => std::cmp::Ordering::Less,
        }
    }

    fn is_zero(&self) -> bool {
        self.int == 0 && self.frac.is_empty()
    }
}

#[derive(Clone, Debug)]
struct Bound {
    value: Decimal,
    exclusive: bool,
}

/// Regex for decimals (no exponent) in the interval; either side may be open-ended.
fn decimal_range(lower: Option<&Bound>, upper: Option<&Bound>) -> String {
    let zero = Bound { value: Decimal { negative: false, int: 0, frac: String::new() }, exclusive: false };
    let mut alternatives = Vec::new();
    // Non-negative part: magnitudes in [max(lower, 0), upper].
    let upper_nonneg = upper.is_none_or(|u| !(u.value.negative || u.value.is_zero() && u.exclusive));
    if upper_nonneg {
        let low = match lower {
            Some(l) if !l.value.negative => l.clone(),
            _ => zero.clone(),
        };
        if let Some(body) = magnitude_range(&low, upper) {
            alternatives.push(body);
        }
    }
    // Negative part: -m with m in [max(-upper, 0) exclusive of 0, -lower].
    let lower_negative = lower.is_none_or(|l| l.value.negative);
    if lower_negative {
        let low = match upper {
            Some(u) if u.value.negative => Bound { value: Decimal { negative: false, ..u.value.clone() }, exclusive: u.exclusive },
            _ => Bound { exclusive: true, ..zero.clone() },
        };
        let high = lower.map(|l| Bound { value: Decimal { negative: false, ..l.value.clone() }, exclusive: l.exclusive });
        if let Some(body) = magnitude_range(&low, high.as_ref()) {
            alternatives.push(format!("-{body}"));
        }
    }
    group(&alternatives)
}

/// Non-negative decimals m with low ≤ m ≤ high (each bound possibly exclusive).
fn magnitude_range(low: &Bound, high: Option<&Bound>) -> Option<String> {
    if let Some(high) = high {
        let order = low.value.magnitude_cmp(&high.value);
        if order == std::cmp::Ordering::Greater || (order == std::cmp::Ordering::Equal && (low.exclusive || high.exclusive)) {
            return None;
        }
    }
    let a = low.value.int;
    let low_fraction = Some((low.value.frac.as_bytes(), low.exclusive));
    let mut alternatives = Vec::new();
    let mut push = |int: String, fraction: Option<String>| {
        if let Some(fraction) = fraction {
            alternatives.push(format!("{int}{fraction}"));
        }
    };
    match high {
        Some(high) if high.value.int == a => {
            push(natural_range(a, Some(a)), fraction_part(low_fraction, Some((high.value.frac.as_bytes(), high.exclusive))));
        }
        _ => {
            push(natural_range(a, Some(a)), fraction_part(low_fraction, None));
            let middle_end = high.map(|h| h.value.int - 1);
            if middle_end.is_none_or(|end| end > a) {
                push(natural_range(a + 1, middle_end), Some(FRACTION.to_string()));
            }
            if let Some(h) = high {
                let int = h.value.int;
                push(natural_range(int, Some(int)), fraction_part(None, Some((h.value.frac.as_bytes(), h.exclusive))));
            }
        }
    }
    (!alternatives.is_empty()).then(|| group(&alternatives))
}

/// A fraction bound: the digits after the dot (no trailing zeros) and whether it is exclusive.
type FractionBound<'b> = Option<(&'b [u8], bool)>;

/// The optional `.digits` of a number whose fraction 0.d lies within the bounds; None if none does.
fn fraction_part(low: FractionBound, high: FractionBound) -> Option<String> {
    match fraction_digits(low, high) {
        (Some(digits), true) => Some(format!(r"(?:\.{digits})?")),
        (Some(digits), false) => Some(format!(r"\.{digits}")),
        (None, true) => Some(String::new()),
        (None, false) => None,
    }
}

/// Digit strings d with low ≤ 0.d ≤ high (strict where exclusive): a regex for the non-empty
/// ones, and whether the empty one (value 0) qualifies.
fn fraction_digits(low: FractionBound, high: FractionBound) -> (Option<String>, bool) {
    let low = low.filter(|(digits, exclusive)| !digits.is_empty() || *exclusive);
    let empty_ok = low.is_none() && high.is_none_or(|(digits, exclusive)| !digits.is_empty() || !exclusive);
    match (low, high) {
        (None, None) => return (Some("[0-9]+".to_string()), true),
        (Some((b"", true)), None) => return (Some("0*[1-9][0-9]*".to_string()), false),
        (None, Some((b"", false))) => return (Some("0+".to_string()), true),
        (Some(_), Some((b"", _))) | (_, Some((b"", true))) => return (None, empty_ok),
        _ => {}
    }
    let mut alternatives = Vec::new();
    for digit in b'0'..=b'9' {
        let next_low = match low {
            None => None,
            Some((digits, exclusive)) => {
                let first = digits.first().copied().unwrap_or(b'0');
                if digit < first {
                    continue;
                }
                if digit > first { None } else { Some((digits.get(1..).unwrap_or_default(), exclusive)) }
            }
        };
        let next_high = match high {
            None => None,
            Some((digits, exclusive)) => {
                let first = digits.first().copied().unwrap_or(b'0');
                if digit > first {
                    continue;
                }
                if digit < first { None } else { Some((digits.get(1..).unwrap_or_default(), exclusive)) }
            }
        };
        let (rest, rest_empty_ok) = fraction_digits(next_low, next_high);
        let branch = match (rest, rest_empty_ok) {
            (Some(rest), true) => format!("{}(?:{rest})?", digit as char),
            (Some(rest), false) => format!("{}{rest}", digit as char),
            (None, true) => (digit as char).to_string(),
            (None, false) => continue,
        };
        alternatives.push(branch);
    }
    ((!alternatives.is_empty()).then(|| group(&alternatives)), empty_ok)
}

/// Regex for the decimal integers in [lo, hi] (either side may be unbounded).
pub fn integer_range(lo: Option<i64>, hi: Option<i64>) -> String {
    if let (Some(l), Some(h)) = (lo, hi) {
        if l > h {
            return NOTHING.to_string();
        }
    }
    let mut alternatives = Vec::new();
    // Negative part: -m for m in [max(1, -hi), -lo].
    if lo.is_none_or(|l| l < 0) {
        let m_lo = hi.map_or(1, |h| (-(h as i128)).max(1)) as u128;
        let m_hi = lo.map(|l| (-(l as i128)) as u128);
        if m_hi.is_none_or(|m| m >= m_lo) {
            alternatives.push(format!("-{}", natural_range(m_lo, m_hi)));
        }
    }
    if hi.is_none_or(|h| h >= 0) {
        let n_lo = lo.map_or(0, |l| l.max(0)) as u128;
        alternatives.push(natural_range(n_lo, hi.map(|h| h as u128)));
    }
    group(&alternatives)
}

/// Regex for the naturals in [lo, hi] written without leading zeros.
fn natural_range(lo: u128, hi: Option<u128>) -> String {
    let digits = |n: u128| n.to_string().len();
    let mut alternatives = Vec::new();
    let top_len = hi.map_or(digits(lo), digits);
    for len in digits(lo)..=top_len {
        let smallest = if len == 1 { 0 } else { 10u128.pow(len as u32 - 1) };
        let largest = 10u128.pow(len as u32) - 1;
        let a = lo.max(smallest);
        let b = hi.map_or(largest, |h| h.min(largest));
        if a <= b {
            alternatives.push(same_length_range(a.to_string().as_bytes(), b.to_string().as_bytes()));
        }
    }
    if hi.is_none() {
        alternatives.push(format!("[1-9][0-9]{{{},}}", digits(lo)));
    }
    group(&alternatives)
}

fn same_length_range(x: &[u8], y: &[u8]) -> String {
    if x.is_empty() {
        return String::new();
    }
    let rest_len = x.len() - 1;
    let all = |s: &[u8], d: u8| s.iter().all(|c| *c == d);
    if x[0] == y[0] {
        return format!("{}{}", x[0] as char, same_length_range(&x[1..], &y[1..]));
    }
    let span = |a: u8, b: u8| if a == b { (a as char).to_string() } else { format!("[{}-{}]", a as char, b as char) };
    let tail = if rest_len == 0 { String::new() } else { format!("[0-9]{{{rest_len}}}") };
    if all(&x[1..], b'0') && all(&y[1..], b'9') {
        return format!("{}{tail}", span(x[0], y[0]));
    }
    let nines = vec![b'9'; rest_len];
    let zeros = vec![b'0'; rest_len];
    let mut alternatives = vec![format!("{}{}", x[0] as char, same_length_range(&x[1..], &nines))];
    if x[0] + 1 < y[0] {
        alternatives.push(format!("{}{tail}", span(x[0] + 1, y[0] - 1)));
    }
    alternatives.push(format!("{}{}", y[0] as char, same_length_range(&zeros, &y[1..])));
    group(&alternatives)
}

fn format_regex(name: &str) -> Option<String> {
    let date = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])";
    let time = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
    Some(match name {
        "date" => date.to_string(),
        "time" => time.to_string(),
        "date-time" => format!("{date}[Tt]{time}"),
        "uuid" => r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}".to_string(),
        "uri" => r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*".to_string(),
        "hostname" => r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*".to_string(),
        "ipv4" => r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])".to_string(),
        "email" => r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*".to_string(),
        _ => return None,
    })
}

/// A schema `pattern` (matched anywhere in the decoded string unless anchored, read as ECMA-262
/// reads it) → a regex over the JSON-encoded string contents.
fn pattern_regex(pattern: &str, at: &str) -> Result<String, SchemaError> {
    let branches = ecma_pattern::parse(pattern)
        .map_err(|why| err("pattern", at, format!("{pattern:?} cannot be matched as JSON Schema (ECMA-262) reads it: {why}")))?;
    let free = format!("{STRING_CHAR}*");
    let alternatives: Vec<String> = branches
        .iter()
        .map(|branch| {
            format!(
                "{}(?:{}){}",
                if branch.anchored_start { "" } else { &free },
                json_encode_hir(&branch.hir),
                if branch.anchored_end { "" } else { &free }
            )
        })
        .collect();
    Ok(group(&alternatives))
}

/// `hir` over decoded characters → the same over their JSON encodings.
fn json_encode_hir(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).expect("ecma_pattern writes literals from chars");
            Hir::concat(text.chars().map(|c| encoded_class(&ClassUnicode::new([ClassUnicodeRange::new(c, c)]))).collect())
        }
        HirKind::Class(Class::Unicode(class)) => encoded_class(class),
        HirKind::Class(Class::Bytes(_)) | HirKind::Look(_) | HirKind::Capture(_) => {
            unreachable!("ecma_pattern writes no byte classes, look-arounds or captures")
        }
        HirKind::Repetition(rep) => Hir::repetition(Repetition { min: rep.min, max: rep.max, greedy: rep.greedy, sub: Box::new(json_encode_hir(&rep.sub)) }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(json_encode_hir).collect()),
        HirKind::Alternation(parts) => Hir::alternation(parts.iter().map(json_encode_hir).collect()),
    }
}

/// The JSON encodings of the characters in `class`: raw where JSON allows, escaped otherwise.
fn encoded_class(class: &ClassUnicode) -> Hir {
    let mut must_escape = ClassUnicode::new([ClassUnicodeRange::new('\0', '\x1F'), ClassUnicodeRange::new('"', '"'), ClassUnicodeRange::new('\\', '\\')]);
    let mut raw = class.clone();
    raw.difference(&must_escape);
    must_escape.intersect(class);
    let mut alternatives = Vec::new();
    if !raw.ranges().is_empty() {
        alternatives.push(Hir::class(Class::Unicode(raw)));
    }
    for range in must_escape.ranges() {
        for c in range.start()..=range.end() {
            let short = match c {
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\n' => Some("\\n"),
                '\r' => Some("\\r"),
                '\t' => Some("\\t"),
                '\x08' => Some("\\b"),
                '\x0C' => Some("\\f"),
                _ => None,
            };
            if let Some(short) = short {
                alternatives.push(Hir::literal(short.as_bytes()));
            }
            let hex = format!("{:04x}", c as u32);
            let mut escaped = vec![Hir::literal(*b"\\u")];
            for digit in hex.chars() {
                let mut digit_class = ClassUnicode::new([ClassUnicodeRange::new(digit, digit)]);
                digit_class.union(&ClassUnicode::new([ClassUnicodeRange::new(digit.to_ascii_uppercase(), digit.to_ascii_uppercase())]));
                escaped.push(Hir::class(Class::Unicode(digit_class)));
            }
            alternatives.push(Hir::concat(escaped));
        }
    }
    if alternatives.is_empty() {
        return Hir::fail();
    }
    Hir::alternation(alternatives)
}

/// A JSON value written exactly, with `ws` allowed between tokens of arrays and objects.
fn literal_regex(value: &Value, ws: &str) -> String {
    match value {
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|v| literal_regex(v, ws)).collect();
            format!(r"\[{ws}{}{ws}\]", inner.join(&format!("{ws},{ws}")))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}{ws}:{ws}{}", regex_syntax::escape(&serde_json::to_string(k).expect("string")), literal_regex(v, ws)))
                .collect();
            format!(r"\{{{ws}{}{ws}\}}", inner.join(&format!("{ws},{ws}")))
        }
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) => {
            // 1 and 1.0 are the same JSON Schema number.
            format!(r"(?:{}(?:\.0+)?)", n.as_f64().map(|f| f as i64).unwrap_or_default())
        }
        other => regex_syntax::escape(&serde_json::to_string(other).expect("a JSON value serialises")),
    }
}

fn value_has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&fragment[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
