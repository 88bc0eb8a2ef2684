import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ERROR_CODES} from '../../src/errors.js'

const ROOT = join(import.meta.dirname, '..', '..')

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sources(path) : /\.tsx?$/.test(entry.name) ? [path] : []
  })
}

/** Errors that never reach a person: each is caught inside the agent and told to the model as an observation. */
const INTERNAL = new Set(['ScratchError', 'Interrupted', 'ToolError', 'ToolRefused', 'PyAgentError'])

describe('error codes', () => {
  it('every error class in src/ extends PyAgentError, but those the agent keeps to itself', () => {
    const direct = sources(join(ROOT, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends Error\b/g)].map((match) => match[1]!),
    )
    expect(direct.filter((name) => !INTERNAL.has(name))).toEqual([])
  })

  it('the README lists exactly the codes src/errors.ts defines', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('### Error codes'), readme.indexOf('## Configuration'))
    const listed = [...section.matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((match) => match[1])
    expect(listed).toEqual(Object.keys(ERROR_CODES))
  })
})
