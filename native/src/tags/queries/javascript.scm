; Added to tree-sitter-javascript's tags query: a class extended is used without a call or `new`.

(class_heritage
  (identifier) @name) @reference.class
