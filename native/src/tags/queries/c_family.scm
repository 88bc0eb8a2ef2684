; tree-sitter-c's and tree-sitter-cpp's tags queries name definitions only; these are the
; references both grammars share: calls, direct or through a field, and every use of a type;
; and the function-like macros their queries leave out.

(call_expression
  function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name)) @reference.call

(type_identifier) @name @reference.type

(preproc_function_def
  name: (identifier) @name) @definition.macro
