/**
 * The structured-output service the LLM client plugs in: a zod schema becomes the JSON Schema
 * sent to vLLM as the structured-output constraint, plus a client-side validator factory that
 * checks the stream as it arrives (abort at the first dead byte) and parses the final text
 * with the zod schema.
 */
import {PyAgentError} from '../../errors.js'
import {jsonSchemaOf} from './request.js'
import {z} from 'zod'
import {
  type ConstrainStatus,
  type ConstraintOptions,
  JsonConstraint,
  type SchemaDeviation,
  type StreamValidator,
} from './constraint.js'

export class StructuredOutputError extends PyAgentError {
  override readonly name = 'StructuredOutputError'
  constructor(
    message: string,
    /** The text received so far. */
    readonly text: string,
    /** Byte offset where the text stopped matching the schema, when it did. */
    readonly deadAt: number | null,
  ) {
    super('E_LLM_STRUCTURED_OUTPUT', message)
  }

  /** A message for the model asking it to repair its output. */
  repairPrompt(): string {
    return `${this.message} Reply again with only one JSON value that matches the schema.`
  }
}

export interface StructuredSchema<T> {
  /** JSON Schema (draft 2020-12) to send as the structured-output constraint. */
  readonly jsonSchema: Record<string, unknown>
  readonly constraint: JsonConstraint
  /** Where the client-side check is narrower or wider than the schema. */
  readonly deviations: readonly SchemaDeviation[]
  /** A fresh validator for one streamed response. */
  validator(): StructuredStreamValidator<T>
}

const compiled = new Map<string, JsonConstraint>()
const COMPILED_KEPT = 64

/**
 * Compiles a zod schema once per distinct JSON Schema and options (later calls hit a cache).
 * Throws UnsupportedSchemaError naming the keyword and JSON pointer it cannot honour.
 */
export function compileSchema<T>(schema: z.ZodType<T>, options: ConstraintOptions = {}): StructuredSchema<T> {
  // The same document the client sends to the server, so both sides enforce one schema.
  const jsonSchema = jsonSchemaOf(schema)
  const key = JSON.stringify([jsonSchema, options])
  let constraint = compiled.get(key)
  if (!constraint) {
    constraint = JsonConstraint.fromJsonSchema(jsonSchema, options)
    compiled.set(key, constraint)
    // Edit schemas carry the files' text (x-pyagent-substring-of), new at every edit: the oldest go.
    if (compiled.size > COMPILED_KEPT) compiled.delete(compiled.keys().next().value!)
  }
  const dfa = constraint
  return {
    jsonSchema,
    constraint: dfa,
    deviations: dfa.deviations,
    validator: () => new StructuredStreamValidator(schema, dfa),
  }
}

const WHITESPACE_ONLY = /^[ \t\n\r]*$/

/**
 * Validates one streamed response. Whitespace before the value and after a complete value is
 * tolerated (servers and models add newlines); anything else must keep the text alive.
 */
export class StructuredStreamValidator<T> {
  private readonly inner: StreamValidator
  private readonly chunks: string[] = []
  private started = false
  private heldWhitespace = ''
  private state: ConstrainStatus = 'ok'

  constructor(
    private readonly schema: z.ZodType<T>,
    constraint: JsonConstraint,
  ) {
    this.inner = constraint.validator()
  }

  feed(chunk: string): ConstrainStatus {
    this.chunks.push(chunk)
    if (this.state === 'dead') return this.state
    let text = chunk
    if (!this.started) {
      text = text.replace(/^[ \t\n\r]+/, '')
      if (text === '') return this.state
      this.started = true
    }
    if (this.state === 'complete' && WHITESPACE_ONLY.test(text)) {
      this.heldWhitespace += text
      return this.state
    }
    const fed = this.state === 'complete' ? this.heldWhitespace + text : text
    this.heldWhitespace = ''
    this.state = this.inner.feed(fed)
    return this.state
  }

  get status(): ConstrainStatus {
    return this.state
  }

  get text(): string {
    return this.chunks.join('')
  }

  /** Why the text is dead (for the repair message), or null while it is not. */
  failure(): StructuredOutputError | null {
    if (this.state !== 'dead') return null
    const text = this.text
    const leading = text.length - text.replace(/^[ \t\n\r]+/, '').length
    const deadAt = (this.inner.deadAt ?? 0) + leading
    const bytes = Buffer.from(text)
    const before = bytes.subarray(Math.max(0, deadAt - 40), deadAt).toString()
    const at = bytes.subarray(deadAt, deadAt + 10).toString()
    return new StructuredOutputError(
      `The output stopped matching the JSON schema at byte ${deadAt}: after ${JSON.stringify(before)} came ${JSON.stringify(at)}.`,
      text,
      deadAt,
    )
  }

  /** The parsed value once the stream has ended; throws StructuredOutputError otherwise. */
  finish(): T {
    const failure = this.failure()
    if (failure) throw failure
    const text = this.text
    if (this.state !== 'complete') {
      throw new StructuredOutputError('The output ended before the JSON value was complete.', text, null)
    }
    const parsed = this.schema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      throw new StructuredOutputError(`The output does not satisfy the schema: ${z.prettifyError(parsed.error)}`, text, null)
    }
    return parsed.data
  }
}
