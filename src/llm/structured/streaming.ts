/**
 * The client's default streaming validator: the native DFA compiled from the response schema,
 * so an answer that leaves the schema is stopped at the first wrong byte instead of read to the end.
 */
import type {z} from 'zod'

import {UnsupportedSchemaError} from './constraint.js'
import type {StreamingValidatorFactory} from './request.js'
import {compileSchema} from './schema.js'

export const nativeStreamingValidator: StreamingValidatorFactory = (schema: z.ZodType) => {
  let compiled
  try {
    compiled = compileSchema(schema)
  } catch (error) {
    // vLLM still constrains the answer and the final zod check still runs; only the early stop is lost.
    if (error instanceof UnsupportedSchemaError) return undefined
    throw error
  }
  const validator = compiled.validator()
  return {
    push: (delta) => (validator.feed(delta) === 'dead' ? validator.failure()?.message : undefined),
    end: () => {
      if (validator.status === 'complete') return undefined
      return validator.failure()?.message ?? 'The output ended before the JSON value was complete.'
    },
  }
}
