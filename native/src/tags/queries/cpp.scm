; tree-sitter-cpp's tags query names definitions only; these are the references: calls (plain,
; through a field, qualified, templated) and every use of a type.

(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name)) @reference.call

(call_expression
  function: (qualified_identifier name: (identifier) @name)) @reference.call

(call_expression
  function: (template_function name: (identifier) @name)) @reference.call

(type_identifier) @name @reference.type

(namespace_definition
  name: (namespace_identifier) @name) @definition.module

(preproc_function_def
  name: (identifier) @name) @definition.macro
