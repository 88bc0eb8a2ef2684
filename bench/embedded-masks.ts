/**
 * Structured requests to the embedded default model with the native token masks on and off:
 * the share of answers valid under the schema, and the time per completion token.
 * Run: npx tsx bench/embedded-masks.ts [requests]   (needs `pyagent model pull` first)
 */
import {EmbeddedEngine} from '../src/engine/engine.js'
import {findModel} from '../src/engine/models.js'
import {constrainCompileSchema, constrainValidatorFeed, constrainValidatorNew} from '../src/native.js'

const requests = Number(process.argv[2] ?? 20)
const schema = {
  type: 'object',
  properties: {
    action: {enum: ['read_file', 'write_file', 'run_command', 'finish']},
    path: {type: 'string', maxLength: 40},
    reason: {type: 'string', maxLength: 60},
  },
  required: ['action', 'path', 'reason'],
  additionalProperties: false,
}
const tasks = ['fix the failing test in src/math.ts', 'add a README section about install', 'rename the function parse to parseConfig', 'find why npm test fails', 'update the version in package.json']
const dfa = constrainCompileSchema(JSON.stringify(schema))
const valid = (text: string) => {
  const validator = constrainValidatorNew(dfa.handle)
  return constrainValidatorFeed(validator, text.trim()) === 'complete'
}

const entry = await findModel()
if (!entry) {
  console.log('No model in the cache: run `node bin/run.js model pull` first.')
  process.exit(1)
}
const engine = await EmbeddedEngine.load(entry)
const rows = []
for (const masks of [true, false]) {
  let ok = 0
  let tokens = 0
  let generationMs = 0
  let maskMs = 0
  for (let i = 0; i < requests; i++) {
    const result = await engine.complete({
      messages: [
        {role: 'system', content: 'You are a coding agent. Answer with one JSON action: {"action": ..., "path": ..., "reason": ...}.'},
        {role: 'user', content: `Task: ${tasks[i % tasks.length]}. Step ${i + 1}. What is your next action?`},
      ],
      jsonSchema: schema,
      masks,
      maxTokens: 80,
      temperature: 0.7,
      seed: i,
    })
    if (valid(result.text)) ok++
    tokens += result.completionTokens
    generationMs += result.generationMs
    maskMs += result.maskMs
  }
  rows.push({masks: masks ? 'on' : 'off', requests, schemaValid: `${((100 * ok) / requests).toFixed(0)}%`, msPerToken: (generationMs / tokens).toFixed(1), maskMsPerToken: (maskMs / tokens).toFixed(2)})
}
await engine.close()
console.table(rows)
const [on, off] = rows
console.log(`masking overhead per token: own mask work ${((100 * Number(on!.maskMsPerToken)) / Number(off!.msPerToken)).toFixed(1)}% of the unmasked per-token time; whole masked vs unmasked per-token time ratio ${(Number(on!.msPerToken) / Number(off!.msPerToken)).toFixed(2)}`)
