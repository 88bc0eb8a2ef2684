/**
 * Our time to first mask in one process, for `npx tsx bench/constrain.ts --callgrind`, which
 * counts its instructions with `load` (the vocabulary only) and `first-mask` (then one schema
 * compiled and its start state's mask) and takes the difference:
 *
 *   node --predictable --single-threaded bench/constrain_first_mask.mjs <encoding> <schema.json> load|first-mask
 *
 * Plain JavaScript over dist/ (npm run build): a TypeScript loader varies the count by tens of
 * millions of instructions from run to run; this varies it by well under one.
 */
import {readFileSync} from 'node:fs'
import {JsonConstraint, TokenIndex, Vocabulary} from '../dist/llm/structured/index.js'

const [encoding, schemaPath, stage] = process.argv.slice(2)
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'))
const vocabulary = Vocabulary.tiktoken(encoding)
if (stage === 'first-mask') {
  const constraint = JsonConstraint.fromJsonSchema(schema)
  new TokenIndex(constraint, vocabulary).mask(constraint.startState)
}
