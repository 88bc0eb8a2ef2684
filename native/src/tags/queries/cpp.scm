; Added for C++ to the references of c_family.scm: qualified and templated calls, and namespaces.

(call_expression
  function: (qualified_identifier name: (identifier) @name)) @reference.call

(call_expression
  function: (template_function name: (identifier) @name)) @reference.call

(namespace_definition
  name: (namespace_identifier) @name) @definition.module
