; Added to tree-sitter-javascript's and tree-sitter-typescript's tags queries: declarations
; those leave out, and every use of a type, since in TypeScript most dependencies between
; files are through types rather than calls.

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(enum_declaration
  name: (identifier) @name) @definition.enum

(type_identifier) @name @reference.type

(extends_clause
  value: (identifier) @name) @reference.class
