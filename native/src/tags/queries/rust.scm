; Added to tree-sitter-rust's tags query: path calls (`Type::new()`, `module::f()`) and every
; use of a type, the commonest ways one Rust file depends on another.

(call_expression
  function: (scoped_identifier name: (identifier) @name)) @reference.call

(scoped_identifier
  path: (identifier) @name) @reference.module

(type_identifier) @name @reference.type
