/**
 * Several PyAgents starting at once in a repository that has no `.pyagent/` yet (issue 14,
 * defect 6): every one must open the state database, none may see a half-made schema or
 * give up on a lock. Processes, not connections in one process: that is how users hit it.
 */
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'

import {tempDir} from '../support/temp-repo.js'

const OPENERS = 6
const ROUNDS = 8

const OPEN_AT = `
const {openState} = await import(new URL('dist/state/db.js', 'file://' + process.cwd() + '/').href)
const [root, at] = process.argv.slice(1)
while (Date.now() < Number(at)) {}
const db = openState(root)
db.prepare("INSERT INTO tasks (id, title, priority, role, status, created_at, updated_at) VALUES (lower(hex(randomblob(8))), 't', 'normal', 'coder', 'done', '', '')").run()
db.close()
`

describe('first use by several processes at once', () => {
  it(`opens and migrates the database for all ${OPENERS} of them, ${ROUNDS} times over`, {timeout: 120_000}, async () => {
    const failures: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const root = tempDir('pyagent-race-')
      // Started together, released together: each spins until the same instant, after Node's start-up.
      const at = Date.now() + 1500
      const results = await Promise.all(
        Array.from({length: OPENERS}, () =>
          execa(process.execPath, ['--input-type=module', '-e', OPEN_AT, root, String(at)], {reject: false, cwd: process.cwd()}),
        ),
      )
      for (const result of results) if (result.exitCode !== 0) failures.push(result.stderr.split('\n').find((line) => line.includes('Error')) ?? result.stderr)
    }
    expect(failures).toEqual([])
  })
})
