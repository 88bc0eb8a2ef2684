/**
 * Crash stress: the test suite's SIGKILL trial, many more times (default 1000; pass a count).
 * Prints how the kills landed and fails loudly on the first mixed or torn state.
 *   npx tsx bench/txfs-crash.ts 1000
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {crashTrial, seedFiles} from '../test/workspace/crash-harness.js'

const trials = Number(process.argv[2] ?? 1000)
const root = mkdtempSync(join(tmpdir(), 'pyagent-crash-stress-'))
seedFiles(root)
const started = performance.now()
let rolledForward = 0
let lastGeneration = 0
try {
  for (let trial = 1; trial <= trials; trial++) {
    const outcome = await crashTrial(root, Math.random() * 150)
    if (outcome.recovered === 'rolled-forward') rolledForward++
    lastGeneration = outcome.generation
    if (trial % 100 === 0) process.stdout.write(`${trial}/${trials} trials, all consistent\n`)
  }
} finally {
  rmSync(root, {recursive: true, force: true})
}
console.table({
  trials,
  'killed mid-commit (rolled forward)': rolledForward,
  'generations committed': lastGeneration,
  seconds: Math.round((performance.now() - started) / 1000),
})
