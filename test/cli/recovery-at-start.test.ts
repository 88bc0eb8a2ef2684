import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {hasInterruptedTransactions} from '../../src/workspace/recovery.js'
import {runCli} from '../support/cli.js'
import {tempRepo} from '../support/temp-repo.js'
import {interruptMidCommit} from '../workspace/crash-harness.js'

describe('recovery when a command starts', () => {
  it.each([
    ['the pre-commit hook', ['review', '--staged']],
    ['config list', ['config', 'list']],
  ])('%s first finishes a commit a crash interrupted, and says so', async (_name, args) => {
    const repo = tempRepo({'a.txt': 'a\n', 'b.txt': 'b\n'})
    const txId = await interruptMidCommit(repo.root)
    expect(await hasInterruptedTransactions(repo.root)).toBe(true)

    const result = await runCli(args, {cwd: repo.root})
    expect(result.exitCode).toBe(0)
    // oclif wraps warnings to the terminal's width and prefixes each line with " › ".
    const warning = String(result.stderr).replaceAll('›', ' ').replace(/\s+/g, ' ')
    expect(warning).toContain(`Transaction ${txId} was interrupted mid-commit by a crash; it is now finished`)
    expect(readFileSync(join(repo.root, 'a.txt'), 'utf8')).toBe('a2\n')
    expect(existsSync(join(repo.root, 'b.txt'))).toBe(false)
    expect(await hasInterruptedTransactions(repo.root)).toBe(false)
    expect((await runCli(args, {cwd: repo.root})).stderr).not.toContain('interrupted')
  })
})
