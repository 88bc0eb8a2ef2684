#!/usr/bin/env node
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)

// Importing @oclif/core costs more than node's own start-up, and `--version` is what scripts and
// hooks call most to probe for the tool, so answer it before loading oclif. The line is the one
// oclif prints (its config.userAgent); test/cli/doctor.test.ts checks they stay identical.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
