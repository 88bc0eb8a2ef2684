//! What each tree-sitter node means for the metrics, per language: a function, a container
//! that names the functions inside it, a decision point, or nothing.

use tree_sitter::Node;

use crate::language::Language;

pub enum Role {
    Function(String),
    Container(String),
    Decision(u32),
    Other,
}

const ANONYMOUS: &str = "(anonymous)";

impl Language {
    /// Whether the metrics have rules for the language's functions and decisions.
    pub fn has_metrics(self) -> bool {
        matches!(self, Language::TypeScript | Language::Tsx | Language::JavaScript | Language::Python | Language::Rust | Language::Go)
    }

    pub(crate) fn separator(self) -> &'static str {
        if self == Language::Rust {
            "::"
        } else {
            "."
        }
    }
}

pub fn role(node: Node, source: &[u8], language: Language) -> Role {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => ecmascript(node, source),
        Language::Python => python(node, source),
        Language::Rust => rust(node, source),
        Language::Go => go(node, source),
        // Not `has_metrics`: the JS entry points refuse them before a parse.
        Language::Java | Language::C | Language::Cpp => Role::Other,
    }
}

fn text<'a>(node: Node, source: &'a [u8]) -> &'a str {
    node.utf8_text(source).unwrap_or(ANONYMOUS)
}

fn field_text(node: Node, field: &str, source: &[u8]) -> Option<String> {
    node.child_by_field_name(field)
        .map(|child| text(child, source).to_owned())
}

fn operator_is(node: Node, operators: &[&str]) -> bool {
    node.child_by_field_name("operator")
        .is_some_and(|operator| operators.contains(&operator.kind()))
}

fn decision(counts: bool) -> Role {
    if counts {
        Role::Decision(1)
    } else {
        Role::Other
    }
}

/// The name an anonymous function gets from where it is stored: `const f = () => …`,
/// `obj.f = function () …`, `{f: () => …}`, `f: () => …` in a class field.
fn ecmascript_binding_name(node: Node, source: &[u8]) -> Option<String> {
    let parent = node.parent()?;
    match parent.kind() {
        "variable_declarator" => field_text(parent, "name", source),
        "assignment_expression" => field_text(parent, "left", source),
        "pair" => field_text(parent, "key", source),
        "public_field_definition" | "field_definition" => {
            field_text(parent, "name", source).or_else(|| field_text(parent, "property", source))
        }
        _ => None,
    }
}

fn ecmascript(node: Node, source: &[u8]) -> Role {
    match node.kind() {
        "function_declaration" | "generator_function_declaration" | "method_definition" => {
            Role::Function(field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()))
        }
        "function_expression" | "generator_function" | "arrow_function" => Role::Function(
            field_text(node, "name", source)
                .or_else(|| ecmascript_binding_name(node, source))
                .unwrap_or_else(|| ANONYMOUS.to_owned()),
        ),
        "class_declaration" | "abstract_class_declaration" | "class" => Role::Container(
            field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()),
        ),
        "if_statement" | "for_statement" | "for_in_statement" | "while_statement"
        | "do_statement" | "catch_clause" | "switch_case" | "ternary_expression" => {
            Role::Decision(1)
        }
        "binary_expression" => decision(operator_is(node, &["&&", "||", "??"])),
        "augmented_assignment_expression" => decision(operator_is(node, &["&&=", "||=", "??="])),
        // A default value is evaluated only when the argument is missing: a hidden branch.
        "assignment_pattern" | "object_assignment_pattern" => Role::Decision(1),
        "required_parameter" | "optional_parameter" => {
            decision(node.child_by_field_name("value").is_some())
        }
        _ => Role::Other,
    }
}

fn python(node: Node, source: &[u8]) -> Role {
    match node.kind() {
        "function_definition" => {
            Role::Function(field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()))
        }
        "class_definition" => Role::Container(
            field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()),
        ),
        "if_statement"
        | "elif_clause"
        | "for_statement"
        | "while_statement"
        | "except_clause"
        | "conditional_expression"
        | "for_in_clause"
        | "if_clause"
        | "case_clause" => Role::Decision(1),
        "boolean_operator" => Role::Decision(1),
        _ => Role::Other,
    }
}

fn rust(node: Node, source: &[u8]) -> Role {
    match node.kind() {
        "function_item" => {
            Role::Function(field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()))
        }
        "impl_item" => {
            let target = field_text(node, "type", source).unwrap_or_else(|| ANONYMOUS.to_owned());
            Role::Container(match field_text(node, "trait", source) {
                Some(trait_name) => format!("<{target} as {trait_name}>"),
                None => target,
            })
        }
        "trait_item" | "mod_item" => Role::Container(
            field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()),
        ),
        "if_expression" | "while_expression" | "for_expression" => Role::Decision(1),
        // Each arm is a path through the match, as each `case` is through a switch.
        "match_arm" => Role::Decision(1),
        "binary_expression" => decision(operator_is(node, &["&&", "||"])),
        _ => Role::Other,
    }
}

fn go(node: Node, source: &[u8]) -> Role {
    match node.kind() {
        "function_declaration" => {
            Role::Function(field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned()))
        }
        "method_declaration" => {
            let name = field_text(node, "name", source).unwrap_or_else(|| ANONYMOUS.to_owned());
            Role::Function(match go_receiver_type(node, source) {
                Some(receiver) => format!("{receiver}.{name}"),
                None => name,
            })
        }
        "func_literal" => Role::Function(ANONYMOUS.to_owned()),
        "if_statement" | "for_statement" | "expression_case" | "type_case"
        | "communication_case" => Role::Decision(1),
        "binary_expression" => decision(operator_is(node, &["&&", "||"])),
        _ => Role::Other,
    }
}

/// `func (s *Server) Run()` → `Server`.
fn go_receiver_type(node: Node, source: &[u8]) -> Option<String> {
    let receiver = node.child_by_field_name("receiver")?;
    let mut cursor = receiver.walk();
    let parameter = receiver.named_children(&mut cursor).next()?;
    let receiver_type = parameter.child_by_field_name("type")?;
    Some(
        text(receiver_type, source)
            .trim_start_matches('*')
            .to_owned(),
    )
}
