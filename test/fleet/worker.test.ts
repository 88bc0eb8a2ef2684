import {fork} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {openFleetStore} from '../../src/fleet/store.js'
import {tempDir} from '../support/temp-repo.js'
import {waitFor} from './support.js'

const WORKER = fileURLToPath(new URL('../../dist/server/worker.js', import.meta.url))

describe('a fleet worker process', {timeout: 60_000}, () => {
  it('whose server is gone before it has even loaded (killed right after forking it) ends, rather than work on with no server', async () => {
    const home = tempDir('pyagent-fleet-worker-')
    const database = join(home, 'fleet.db')
    openFleetStore(database).close()
    const settings = {database, workDir: join(home, 'worktrees'), mirrorDir: join(home, 'mirrors'), workerId: 'worker-orphan', heartbeatMs: 300, pollMs: 100}
    const child = fork(WORKER, [JSON.stringify(settings)], {stdio: ['ignore', 'ignore', 'inherit', 'ipc']})
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    // What a SIGKILLed server does to its children: the IPC channel closes, here before the worker's modules have loaded.
    child.disconnect()
    let code: number | null | undefined
    void exited.then((value) => {
      code = value
    })
    try {
      await waitFor('the orphaned worker to end', async () => (code !== undefined ? true : undefined), 30_000)
    } finally {
      child.kill('SIGKILL')
    }
    expect(code).toBe(0)
  })
})
