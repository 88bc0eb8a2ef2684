/**
 * A tool's arguments are checked against its own JSON Schema before the call, so the model hears
 * what is wrong in the same words as for a built-in tool and the server never sees bad input.
 * A schema that does not compile (a server bug) makes that one tool unavailable, with the reason.
 */
import {Ajv, type ValidateFunction} from 'ajv'
import {Ajv2019} from 'ajv/dist/2019.js'
import {Ajv2020} from 'ajv/dist/2020.js'
import ajvFormats from 'ajv-formats'

// ajv-formats is CommonJS: loaded from ESM, the plugin is its `default`.
const addFormats = ajvFormats.default

export type ArgumentCheck = (args: Record<string, unknown>) => string | undefined

function ajvFor(schema: Record<string, unknown>): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  const options = {strict: false, allErrors: true, logger: false as const}
  const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options)
  addFormats(ajv)
  return ajv
}

/** A check of arguments against `schema`; throws with the reason when the schema is not valid JSON Schema. */
export function compileArgumentCheck(schema: Record<string, unknown>): ArgumentCheck {
  const ajv = ajvFor(schema)
  let validate: ValidateFunction
  try {
    validate = ajv.compile(schema)
  } catch (error) {
    throw new Error(`its input schema is not valid JSON Schema: ${(error as Error).message}`, {cause: error})
  }
  if (schema.type !== undefined && schema.type !== 'object') throw new Error(`its input schema has type ${JSON.stringify(schema.type)}; tool arguments are an object`)
  return (args) => (validate(args) ? undefined : ajv.errorsText(validate.errors, {dataVar: 'arguments'}))
}
