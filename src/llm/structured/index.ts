export {
  COMPACT_WHITESPACE,
  type ConstrainStatus,
  type ConstraintOptions,
  DEAD_STATE,
  FLEXIBLE_WHITESPACE,
  JsonConstraint,
  type SchemaDeviation,
  StreamValidator,
  UnsupportedSchemaError,
} from './constraint.js'
export {compileSchema, type StructuredSchema, StructuredOutputError, StructuredStreamValidator} from './schema.js'
export {type TiktokenEncodingName, TokenIndex, type TokenIndexOptions, Vocabulary} from './vocabulary.js'
export {nativeStreamingValidator} from './streaming.js'
