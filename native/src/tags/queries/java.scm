; Added to tree-sitter-java's tags query: every use of a type (fields, parameters, generics),
; and the other declarations a Java file exports.

(enum_declaration
  name: (identifier) @name) @definition.enum

(record_declaration
  name: (identifier) @name) @definition.class

(type_identifier) @name @reference.type
