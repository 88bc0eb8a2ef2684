/** A JWT or a bare AWS key id in the task text reaches neither the model, nor --json, nor state.db (issue 15). */
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {randomFrom} from '../support/tokens.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer()
})
afterAll(() => server.close())

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('secrets in the task text', {timeout: 60_000}, () => {
  it('are masked before the request, the event stream and the state database', async () => {
    const jwt = [segment({alg: 'RS256', typ: 'JWT'}), segment({sub: 'admin', exp: 1_900_000_000}), randomBytes(48).toString('base64url')].join('.')
    const keyId = `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`
    const repo = tempRepo(FIXTURE)
    repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools', testCommand: 'node test.js'}))
    const before = server.chatRequests().length
    server.enqueue({type: 'completion', toolCalls: [{name: 'finish', arguments: JSON.stringify({summary: 'nothing'})}]})
    const result = await runCli(['run', '--json', '--max-steps', '1', '--cwd', repo.root, '--task', `Log in with ${jwt} using key ${keyId} and fix add`], {
      env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'},
    })
    const bodies = server.chatRequests().slice(before).map((request) => JSON.stringify(request.body))
    expect(bodies.length).toBeGreaterThan(0)
    const state = ['state.db', 'state.db-wal']
      .map((name) => join(repo.root, '.pyagent', name))
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('')
    for (const secret of [jwt, jwt.split('.')[2]!.slice(0, 24), keyId]) {
      for (const body of bodies) expect(body).not.toContain(secret)
      expect(result.stdout).not.toContain(secret)
      expect(state).not.toContain(secret)
    }
    expect(bodies[0]).toContain('[REDACTED:jwt]')
  })
})
