/**
 * Instructions per call, counted by valgrind's callgrind, of our diffLines (both algorithms) and
 * of jsdiff's createTwoFilesPatch on scenario (a) of bench/diff.ts: a repeatable measure beside
 * the timings, which a shared machine makes noisy. Each contender runs in a node process of its
 * own under callgrind, once with a few calls and once with many; the difference divided by the
 * difference in calls leaves out start-up, input generation and JIT warm-up, and counts each
 * contender's own garbage collection. Node runs with V8's `--predictable` (one thread, no
 * randomness) and the heap is collected before the calls; what still varies between runs (tsx,
 * about 7 M instructions) is spread over enough calls to stay under 1% of a call.
 *
 *   npx tsx bench/diff-instructions.ts        (needs valgrind; about five minutes)
 */
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {createTwoFilesPatch} from 'diff'
import {diffLines} from '../src/native.js'
import {diffScenarios} from './diff-scenarios.js'

const contenders: Record<string, (a: string, b: string) => unknown> = {
  'ours myers': (a, b) => diffLines(a, b, {algorithm: 'myers', aPath: 'a', bPath: 'b'}).unified,
  'ours hist': (a, b) => diffLines(a, b, {algorithm: 'histogram', aPath: 'a', bPath: 'b'}).unified,
  jsdiff: (a, b) => createTwoFilesPatch('a', 'b', a, b),
}

const SCENARIO = '(a) 10k lines, 1% changed'
/** Calls in the two runs of each contender: jsdiff's are 30 times costlier. */
const CALLS: Record<string, [number, number]> = {'ours myers': [10, 210], 'ours hist': [10, 210], jsdiff: [10, 40]}

const node = [process.execPath, '--predictable', ...process.execArgv, fileURLToPath(import.meta.url)]

function countInstructions(contender: string, calls: number): number {
  const args = ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...node]
  const run = spawnSync('valgrind', [...args, '--calls', contender, String(calls)], {encoding: 'utf8'})
  const refs = /I\s+refs:\s+([\d,]+)/.exec(run.stderr)
  if (run.status !== 0 || !refs) throw new Error(`valgrind failed for ${contender}: ${run.stderr.slice(-500)}`)
  return Number(refs[1]!.replaceAll(',', ''))
}

if (process.argv[2] === '--calls') {
  const [contender, calls] = process.argv.slice(3) as [string, string]
  const {a, b} = diffScenarios().find((scenario) => scenario.name === SCENARIO)!
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  for (let i = 0; i < Number(calls); i++) contenders[contender]!(a, b)
} else {
  // A first run without valgrind, so that every measured one finds tsx's transform cache filled.
  spawnSync(node[0]!, [...node.slice(1), '--calls', 'jsdiff', '0'])
  const perCall = Object.fromEntries(
    Object.entries(CALLS).map(([contender, [few, many]]) => {
      const difference = countInstructions(contender, many) - countInstructions(contender, few)
      return [contender, difference / (many - few)]
    }),
  )
  console.log(`${SCENARIO}: instructions per call (node --predictable under callgrind)`)
  for (const [contender, instructions] of Object.entries(perCall)) {
    const ratio = contender === 'jsdiff' ? '' : `, jsdiff / ${contender} ${(perCall.jsdiff! / instructions).toFixed(1)}x`
    console.log(`${contender}: ${(instructions / 1e6).toFixed(2)} M${ratio}`)
  }
}
