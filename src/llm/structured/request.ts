/**
 * Structured outputs: the request fields that make vLLM constrain its decoding to a JSON schema,
 * and the client-side check every structured answer passes through, whatever the server claims
 * (vLLM >= 0.12 silently ignores the legacy guided_* fields and answers unconstrained).
 */
import {z} from 'zod'

/** How a server is asked to constrain an answer to a JSON schema; `auto` decides from the server's identity. */
export type StructuredOutputsField = 'auto' | 'structured_outputs' | 'response_format' | 'json_object'
export type StructuredOutputsForm = Exclude<StructuredOutputsField, 'auto'>

/**
 * The form a server honours, from who serves the model (`owned_by` in /v1/models): vLLM's own
 * `structured_outputs`; llama.cpp's servers (`llamacpp`, and `me` for llama-cpp-python) a
 * `json_object` response_format carrying the schema, as they ignore the others or answer 500;
 * anyone else (Ollama, LM Studio, LiteLLM, hosted APIs) OpenAI's `json_schema` response_format.
 */
/** llama.cpp's servers, by the `owned_by` their /v1/models gives. */
export function isLlamaCppServer(ownedBy: string | undefined): boolean {
  return ownedBy === 'llamacpp' || ownedBy === 'me'
}

export function structuredOutputsForm(field: StructuredOutputsField, ownedBy: string | undefined): StructuredOutputsForm {
  if (field !== 'auto') return field
  if (ownedBy === 'vllm') return 'structured_outputs'
  if (isLlamaCppServer(ownedBy)) return 'json_object'
  return 'response_format'
}

/**
 * A validator fed the answer while it streams, so a wrong answer is stopped early rather than
 * read to the end. The native DFA validator implements this; without one, only the final
 * zod check runs.
 */
export interface StreamingValidator {
  /** Returns why the text so far can no longer become a valid answer, or undefined while it still can. */
  push(delta: string): string | undefined
  /** Returns why the complete text is not a valid answer, or undefined. */
  end(): string | undefined
}

/** A validator for one response to `schema`, or undefined when this factory cannot check that schema while it streams. */
export type StreamingValidatorFactory = (schema: z.ZodType) => StreamingValidator | undefined

export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema) as Record<string, unknown>
}

export function structuredRequestFields(
  jsonSchema: Record<string, unknown>,
  form: StructuredOutputsForm,
  legacyGuidedFields: boolean,
): Record<string, unknown> {
  const fields: Record<string, unknown> =
    form === 'structured_outputs'
      ? {structured_outputs: {json: jsonSchema}}
      : form === 'json_object'
        ? {response_format: {type: 'json_object', schema: jsonSchema}}
        : {response_format: {type: 'json_schema', json_schema: {name: 'answer', schema: jsonSchema, strict: true}}}
  if (legacyGuidedFields) fields.guided_json = jsonSchema
  return fields
}

/** The other constraints vLLM's structured_outputs accepts; OpenAI's response_format cannot express them. */
export type TextConstraint = {regex: string} | {choice: readonly string[]}

export function constraintRequestFields(constraint: TextConstraint, legacyGuidedFields: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {structured_outputs: {...constraint}}
  if (legacyGuidedFields) {
    if ('regex' in constraint) fields.guided_regex = constraint.regex
    else fields.guided_choice = constraint.choice
  }
  return fields
}

export function checkConstraint(text: string, constraint: TextConstraint): StructuredCheck {
  if ('choice' in constraint) {
    return constraint.choice.includes(text)
      ? {ok: true, value: text}
      : {ok: false, error: `the answer ${JSON.stringify(text.slice(0, 200))} is none of ${JSON.stringify(constraint.choice)}`}
  }
  // vLLM matches the whole output, so anchor the pattern.
  return new RegExp(`^(?:${constraint.regex})$`, 'u').test(text)
    ? {ok: true, value: text}
    : {ok: false, error: `the answer ${JSON.stringify(text.slice(0, 200))} does not match /${constraint.regex}/`}
}

export type StructuredCheck = {ok: true; value: unknown} | {ok: false; error: string}

export function checkStructured(text: string, schema: z.ZodType): StructuredCheck {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return {ok: false, error: `the answer is not JSON (${(error as Error).message})`}
  }
  const result = schema.safeParse(parsed)
  if (result.success) return {ok: true, value: result.data}
  return {ok: false, error: `the answer does not match its schema: ${z.prettifyError(result.error)}`}
}
