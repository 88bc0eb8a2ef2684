; Added to tree-sitter-python's tags query: a class named as a base class, in an annotation or
; as a bare decorator is used without being called.

(class_definition
  superclasses: (argument_list (identifier) @name)) @reference.class

(class_definition
  superclasses: (argument_list (attribute attribute: (identifier) @name))) @reference.class

(type (identifier) @name) @reference.type

(decorator (identifier) @name) @reference.call
