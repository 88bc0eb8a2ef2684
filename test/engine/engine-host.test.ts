import type {ResultPromise} from 'execa'
import {existsSync, readFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {describe, expect, it, onTestFinished} from 'vitest'

import {findModel} from '../../src/engine/models.js'
import {childrenOf} from '../fleet/processes.js'
import {waitFor} from '../fleet/support.js'
import {runCli} from '../support/cli.js'
import {startCliProcess} from '../support/cli-process.js'

const entry = await findModel()
if (!entry) console.log('engine host tests skipped: no model in the cache (run `node bin/run.js model pull`)')

/** `pyagent serve-model --json` started, its URL read, and the engine process it started found. */
async function serveModel(): Promise<{child: ResultPromise; url: string; engine: number; output: () => string}> {
  const {process: child, line, output} = await startCliProcess(['serve-model', '--json'], {env: {XDG_CONFIG_HOME: '/nonexistent-pyagent-test'}})
  const [engine] = childrenOf(child.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine/host.js'))
  expect(engine, 'serve-model runs the engine in a child process').toBeDefined()
  return {child, url: (JSON.parse(line) as {url: string}).url, engine: engine!, output}
}

const gone = (pid: number) => async () => (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') ? undefined : true)

describe.skipIf(!entry)('the embedded engine in a process of its own', {timeout: 60_000}, () => {
  it('runs with one libuv pool thread, so llama.cpp is always called from the same thread, and answers', async () => {
    const {url, engine} = await serveModel()
    const environment = readFileSync(`/proc/${engine}/environ`, 'utf8').split('\0')
    expect(environment).toContain('UV_THREADPOOL_SIZE=1')
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({messages: [{role: 'user', content: 'Say hi'}], max_tokens: 4}),
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as {usage: {completion_tokens: number}}).usage.completion_tokens).toBeGreaterThan(0)
  })

  it('ends when its parent is killed, leaving no engine behind', async () => {
    const {child, engine} = await serveModel()
    child.kill('SIGKILL')
    await waitFor('the engine process to end', gone(engine), 15_000)
  })

  it('ending while serving is an error of serve-model, not a quiet exit', async () => {
    const {child, engine, output} = await serveModel()
    process.kill(engine, 'SIGKILL')
    expect((await child).exitCode).toBe(1)
    const printed = output()
    const error = JSON.parse(printed.slice(printed.indexOf('\n') + 1)) as {error: {code: string; message: string}}
    expect(error.error.code).toBe('E_MODEL')
    expect(error.error.message).toContain("The embedded engine's process killed by SIGKILL while serving")
  })

  it('a port already taken is refused with what to do', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => void taken.close())
    const port = (taken.address() as {port: number}).port
    const result = await runCli(['serve-model', '--port', String(port)])
    expect(result.exitCode).toBe(1)
    const said = String(result.stderr).replace(/\s*›\s*/g, ' ')
    expect(said).toContain(`Could not serve the model on 127.0.0.1:${port}`)
    expect(said).toContain('EADDRINUSE')
    expect(said).toContain('Choose another port')
  })
})
