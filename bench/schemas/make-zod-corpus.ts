/**
 * Writes zod-corpus.json: 240 schemas as zod 4's z.toJSONSchema emits them for the kinds of
 * structured outputs an agent asks for (tool arguments, plans, reviews, extractions). Each is
 * built from a fixed catalogue of realistic fields with a seeded choice, so the file is
 * reproducible:  npx tsx bench/schemas/make-zod-corpus.ts
 */
import {writeFileSync} from 'node:fs'
import {z} from 'zod'

let seed = 20_251_125
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

const fields: Record<string, () => z.ZodType> = {
  path: () => z.string().min(1).max(pick([120, 256, 4096])),
  title: () => z.string().min(1).max(pick([80, 120])),
  summary: () => z.string(),
  email: () => z.email(),
  url: () => z.url(),
  uuid: () => z.uuid(),
  createdAt: () => z.iso.datetime(),
  dueDate: () => z.iso.date(),
  count: () => z.int().min(0),
  line: () => z.int().min(1).max(1_000_000),
  score: () => z.number().min(0).max(1),
  price: () => z.number().positive(),
  ratio: () => z.number().multipleOf(0.01),
  severity: () => z.enum(['info', 'warning', 'error', 'critical']),
  language: () => z.enum(['typescript', 'python', 'rust', 'go', 'java']),
  flag: () => z.boolean(),
  tags: () => z.array(z.string().max(30)).max(pick([5, 10])),
  ids: () => z.array(z.uuid()).min(1),
  labels: () => z.record(z.string(), z.string()),
  nullableNote: () => z.string().nullable(),
  optionalLimit: () => z.int().min(1).max(500).optional(),
  literalKind: () => z.literal(pick(['patch', 'file', 'command'])),
  union: () => z.union([z.string(), z.number()]),
  tuple: () => z.tuple([z.string(), z.int()]),
  unique: () => z.set(z.string()),
  slug: () => z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  semver: () => z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/),
  hexColor: () => z.string().regex(/^#[0-9a-fA-F]{6}$/),
  position: () => z.object({line: z.int().min(1), column: z.int().min(1)}),
  range: () => z.object({start: z.object({line: z.int(), character: z.int()}), end: z.object({line: z.int(), character: z.int()})}),
  author: () => z.object({name: z.string(), email: z.email().optional()}),
  nonEmptyList: () => z.array(z.object({name: z.string(), value: z.string()})).nonempty(),
  intersection: () => z.intersection(z.object({a: z.string()}), z.object({b: z.int()})),
  minProps: () => z.record(z.string(), z.int()).refine(() => true),
  defaulted: () => z.string().default('main'),
  described: () => z.string().describe('A free-text explanation for the reviewer'),
  jsonValue: () => z.json(),
  discriminated: () =>
    z.discriminatedUnion('type', [
      z.object({type: z.literal('text'), text: z.string()}),
      z.object({type: z.literal('image'), url: z.url()}),
    ]),
}
const names = Object.keys(fields)

const schemas: unknown[] = []
for (let i = 0; i < 240; i++) {
  const size = 2 + Math.floor(random() * 6)
  const shape: Record<string, z.ZodType> = {}
  for (let f = 0; f < size; f++) {
    const name = pick(names)
    shape[name] = (fields[name] as () => z.ZodType)()
  }
  let schema: z.ZodType = z.object(shape)
  const wrap = random()
  if (wrap < 0.15) schema = z.array(schema).max(pick([5, 20]))
  else if (wrap < 0.25) schema = z.object({items: z.array(schema), total: z.int().min(0)})
  else if (wrap < 0.3) schema = z.object({result: schema.nullable()})
  schemas.push(z.toJSONSchema(schema, {unrepresentable: 'any'}))
}
writeFileSync(new URL('zod-corpus.json', import.meta.url), `${JSON.stringify(schemas)}\n`)
console.log(`wrote ${schemas.length} schemas`)
