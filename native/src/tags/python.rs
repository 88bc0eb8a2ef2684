//! Python's tags found by one walk over the syntax tree instead of the query cursor: the same
//! tags as Python's tags query (`languages::query_parts`, tree-sitter-python's and
//! `queries/python.scm`) for the same tree, checked on the standard library by tests.rs, at a
//! fraction of the cost. Python is the language whose parse is slowest, so a cold map of a Python
//! repository is where the query's share of the time showed most.

use tree_sitter::{Node, Tree};

use super::Tag;

fn identifier_field<'tree>(node: Node<'tree>, field: &str) -> Option<Node<'tree>> {
    node.child_by_field_name(field).filter(|child| child.kind() == "identifier")
}

/// The named children of `node` that are identifiers.
fn identifier_children<'tree>(node: Node<'tree>) -> impl Iterator<Item = Node<'tree>> {
    (0..node.named_child_count()).filter_map(move |index| node.named_child(index)).filter(|child| child.kind() == "identifier")
}

/// The tags one node starts, pattern by pattern as the query has them; `in_module` when its
/// parent is the module (asking a node for its parent walks down from the root each time).
fn tags_at<'tree>(node: Node<'tree>, in_module: bool, found: &mut Vec<Tag<'tree>>) {
    let mut push = |role: &'static str, name: Node<'tree>, node: Node<'tree>| found.push(Tag { role, name, node });
    match node.kind() {
        // (module (expression_statement (assignment left: (identifier) @name) @definition.constant))
        "expression_statement" if in_module => {
            for index in 0..node.named_child_count() {
                let Some(assignment) = node.named_child(index).filter(|child| child.kind() == "assignment") else {
                    continue;
                };
                if let Some(name) = identifier_field(assignment, "left") {
                    push("definition.constant", name, assignment);
                }
            }
        }
        "class_definition" => {
            if let Some(name) = identifier_field(node, "name") {
                push("definition.class", name, node);
            }
            // (class_definition superclasses: (argument_list (identifier) @name)) and the same with (attribute attribute: (identifier) @name)
            if let Some(bases) = node.child_by_field_name("superclasses").filter(|bases| bases.kind() == "argument_list") {
                for index in 0..bases.named_child_count() {
                    let Some(base) = bases.named_child(index) else {
                        continue;
                    };
                    match base.kind() {
                        "identifier" => push("reference.class", base, node),
                        "attribute" => {
                            if let Some(name) = identifier_field(base, "attribute") {
                                push("reference.class", name, node);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        "function_definition" => {
            if let Some(name) = identifier_field(node, "name") {
                push("definition.function", name, node);
            }
        }
        // (call function: [(identifier) @name (attribute attribute: (identifier) @name)])
        "call" => {
            let name = node.child_by_field_name("function").and_then(|function| match function.kind() {
                "identifier" => Some(function),
                "attribute" => identifier_field(function, "attribute"),
                _ => None,
            });
            if let Some(name) = name {
                push("reference.call", name, node);
            }
        }
        // (type (identifier) @name)
        "type" => identifier_children(node).for_each(|name| push("reference.type", name, node)),
        // (decorator (identifier) @name)
        "decorator" => identifier_children(node).for_each(|name| push("reference.call", name, node)),
        _ => {}
    }
}

/// Every tag of a Python tree, in the order of the nodes that start them.
pub(super) fn tags<'tree>(tree: &'tree Tree) -> Vec<Tag<'tree>> {
    let mut found = Vec::new();
    let module = tree.root_node().kind() == "module";
    let mut cursor = tree.walk();
    loop {
        tags_at(cursor.node(), module && cursor.depth() == 1, &mut found);
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return found;
            }
        }
    }
}
