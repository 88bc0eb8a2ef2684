; tree-sitter-c's tags query names definitions only; these are the references: calls, direct or
; through a field, every use of a type; and the function-like macros it leaves out.

(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name)) @reference.call

(type_identifier) @name @reference.type

(preproc_function_def
  name: (identifier) @name) @definition.macro
