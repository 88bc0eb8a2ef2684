#!/usr/bin/env node
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)
const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

async function runOclif() {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}

// Importing @oclif/core costs more than node's own start-up, so the two commands that run most
// often, from scripts and hooks, are answered before loading it:
// - `--version`, how tools probe for PyAgent: the line is the one oclif prints (its config.userAgent);
//   test/cli/doctor.test.ts checks they stay identical;
// - `review --staged`, what the pre-commit hook runs on every commit: the same service as the
//   command, bundled with its dependencies into dist/hook/ (npm run build:hook), because Node 20
//   spends more time finding and compiling zod's and secretlint's hundreds of small modules than
//   running the review; on any error the oclif command runs instead, so messages and exit codes
//   are its own (test/review/hook-fast-path.test.ts compares the two).
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (args.length === 2 && args[0] === 'review' && args[1] === '--staged') {
  let answered = false
  try {
    const {reviewStagedForHook} = await import('../dist/hook/review.js')
    answered = await reviewStagedForHook(version)
  } catch {
    // A damaged install (dist/ incomplete, say): the oclif command below fails with the real message.
  }
  // The hook reads exit 1 as "the review found problems"; PyAgent failing to start at all is 2 (see src/review/hook.ts).
  if (!answered) await runOclif().catch((error) => {
    process.stderr.write(`pyagent: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 2
  })
} else {
  await runOclif()
}
