/**
 * Checks the native complexity figures against lizard (PyPI), the usual reference, on real
 * public code: Python stdlib modules, the `diff` package's JavaScript and zod's TypeScript
 * sources from node_modules. Functions are matched by file and start line; the table gives
 * the share whose cyclomatic complexity agrees exactly, and every disagreement is listed.
 *
 * Needs lizard in bench/.venv:
 *   python3 -m venv bench/.venv && bench/.venv/bin/pip install lizard==1.24.3
 * Run: `npx tsx bench/metrics-vs-lizard.ts [--verbose]`
 */
import {execFileSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import {analyzeMetrics, metricsLanguageForPath} from '../src/native.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const lizard = join(root, 'bench/.venv/bin/lizard')
const verbose = process.argv.includes('--verbose')

function walk(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'tests' ? [] : walk(path, keep)
    return keep(path) ? [path] : []
  })
}

const stdlib = dirname(execFileSync('python3', ['-c', 'import argparse; print(argparse.__file__)'], {encoding: 'utf8'}).trim())
const corpora: Record<string, string[]> = {
  'python (stdlib)': ['argparse.py', 'difflib.py', 'textwrap.py', 'configparser.py', 'json/decoder.py', 'json/encoder.py', 'shlex.py'].map((file) =>
    join(stdlib, file),
  ),
  'javascript (diff)': walk(join(root, 'node_modules/diff/libesm'), (path) => path.endsWith('.js')),
  'typescript (zod)': walk(join(root, 'node_modules/zod/src/v4/core'), (path) => path.endsWith('.ts')),
}

interface LizardFunction {
  file: string
  name: string
  start: number
  end: number
  ccn: number
}

function runLizard(files: string[]): LizardFunction[] {
  const csv = execFileSync(lizard, ['--csv', ...files], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  return csv
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      // nloc,ccn,token,param,length,"location","file","function","long_name",start,end
      const fields = [...line.matchAll(/"((?:[^"]|"")*)"|([^,]+)/g)].map((match) => match[1] ?? match[2] ?? '')
      return {ccn: Number(fields[1]), file: fields[6] ?? '', name: fields[7] ?? '', start: Number(fields[9]), end: Number(fields[10])}
    })
}

console.log('corpus                 lizard fns  matched  agree   share')
let totalMatched = 0
let totalAgree = 0
for (const [corpus, files] of Object.entries(corpora)) {
  const reference = runLizard(files)
  let matched = 0
  let agree = 0
  const disagreements: string[] = []
  for (const file of files) {
    const language = metricsLanguageForPath(file)
    if (!language) continue
    const ours = analyzeMetrics(readFileSync(file), language).functions
    const theirsByLine = new Map<number, LizardFunction[]>()
    for (const fn of reference.filter((entry) => entry.file === file)) theirsByLine.set(fn.start, [...(theirsByLine.get(fn.start) ?? []), fn])
    for (const [line, theirs] of theirsByLine) {
      // Functions sharing a start line (nested one-line arrows) cannot be told apart by
      // location, so such a group is compared as a multiset of complexities.
      const mine = ours.filter((fn) => fn.startLine === line).map((fn) => fn.complexity).sort((a, b) => a - b)
      const expected = theirs.map((fn) => fn.ccn).sort((a, b) => a - b)
      if (mine.length !== expected.length) continue
      matched += mine.length
      mine.forEach((complexity, index) => {
        if (complexity === expected[index]) agree++
      })
      if (mine.join() !== expected.join()) {
        disagreements.push(`${relative(root, file).replace(/^(\.\.\/)+/, '')}:${line} ${theirs.map((fn) => fn.name).join(', ')}: ours ${mine.join('/')}, lizard ${expected.join('/')}`)
      }
    }
  }
  totalMatched += matched
  totalAgree += agree
  console.log(
    `${corpus.padEnd(22)} ${String(reference.length).padStart(10)} ${String(matched).padStart(8)} ${String(agree).padStart(6)} ${((100 * agree) / matched).toFixed(1).padStart(6)}%`,
  )
  if (verbose) for (const line of disagreements) console.log(`    ${line}`)
}
console.log(`${'all'.padEnd(22)} ${''.padStart(10)} ${String(totalMatched).padStart(8)} ${String(totalAgree).padStart(6)} ${((100 * totalAgree) / totalMatched).toFixed(1).padStart(6)}%`)
