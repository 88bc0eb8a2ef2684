/**
 * PyAgent's detector over a directory, run by plain node in its own process so that its time
 * includes loading the module, as the peers' times include starting theirs (tsx would add its
 * own start-up). Prints [{file, startLine, endLine, rule}] as JSON on stdout.
 * Usage: node bench/secrets/ours-scan.mjs <dir>
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative, sep} from 'node:path'

/** The one place that knows which detector is ours: (text, path) → [{rule, start, end}] in UTF-16 offsets. */
async function loadDetector() {
  const {findSecrets} = await import(new URL('../../dist/secrets/detect.js', import.meta.url).href)
  return (text, path) => findSecrets(text, {path})
}

function* walk(directory) {
  for (const entry of readdirSync(directory, {withFileTypes: true})) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile()) yield path
  }
}

function lineStarts(text) {
  const starts = [0]
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1)
  return starts
}

/** 1-based line of a UTF-16 offset, by binary search over the line starts. */
function lineOf(starts, offset) {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (starts[middle] <= offset) low = middle
    else high = middle - 1
  }
  return low + 1
}

const root = process.argv[2]
if (!root) {
  process.stderr.write('usage: node bench/secrets/ours-scan.mjs <dir>\n')
  process.exit(2)
}
const findSecrets = await loadDetector().catch((error) => {
  process.stderr.write(`could not load our detector from dist/ (${error.message}): run npm run build:ts\n`)
  process.exit(2)
})
const findings = []
for (const path of walk(root)) {
  const text = readFileSync(path, 'utf8')
  const starts = lineStarts(text)
  const file = relative(root, path).split(sep).join('/')
  for (const finding of await findSecrets(text, file)) {
    findings.push({file, startLine: lineOf(starts, finding.start), endLine: lineOf(starts, Math.max(finding.start, finding.end - 1)), rule: finding.rule})
  }
}
process.stdout.write(JSON.stringify(findings))
