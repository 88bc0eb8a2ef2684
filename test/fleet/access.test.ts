import Ajv2020 from 'ajv/dist/2020.js'
import {statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {ensureFleetToken, fleetTokenPath} from '../../src/fleet/token.js'
import {checkAccess, ownHostNames} from '../../src/server/auth.js'
import {FIXTURE} from '../agent/harness.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {IN_PROCESS_PORT, inProcessApp, TOKEN} from './in-process.js'
import {editAdd, finish, scriptedByTask, serve, waitFor} from './support.js'

const PORT = IN_PROCESS_PORT

function app(bind: string) {
  return inProcessApp(bind).api
}

describe('who may call the fleet server', () => {
  it('on loopback: no token, but Host must be the server\'s own, and Origin too when sent (DNS rebinding, other web pages)', async () => {
    const api = app('127.0.0.1')
    const get = (headers: Record<string, string>) => api.inject({method: 'GET', url: '/health', headers})
    expect((await get({host: `127.0.0.1:${PORT}`})).statusCode).toBe(200)
    expect((await get({host: `localhost:${PORT}`, origin: `http://localhost:${PORT}`})).statusCode).toBe(200)
    for (const headers of [{host: `evil.example:${PORT}`}, {host: `127.0.0.1:${PORT + 1}`}, {host: `127.0.0.1:${PORT}`, origin: 'http://evil.example'}, {host: `127.0.0.1:${PORT}`, origin: 'null'}]) {
      const answer = await get(headers)
      expect(answer.statusCode).toBe(403)
      expect(answer.json().error.code).toBe('E_FLEET_FORBIDDEN')
    }
  })

  it('beyond loopback: 401 without the bearer token or with another one, 200 with it; a foreign Host is 403 even with the token', async () => {
    const api = app('0.0.0.0')
    const host = `127.0.0.1:${PORT}`
    const get = (headers: Record<string, string>) => api.inject({method: 'GET', url: '/tasks', headers: {host, ...headers}})
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const answer = await get(authorization ? {authorization} : {})
      expect(answer.statusCode).toBe(401)
      expect(answer.json().error.code).toBe('E_FLEET_UNAUTHORIZED')
      expect(answer.body).not.toContain(TOKEN)
    }
    expect((await get({authorization: `Bearer ${TOKEN}`})).statusCode).toBe(200)
    expect((await get({authorization: `Bearer ${TOKEN}`, host: `rebound.example:${PORT}`})).statusCode).toBe(403)
  })

  it('checks a token in constant time whatever its length, and never names it in an error', () => {
    const policy = {port: PORT, names: ownHostNames('10.1.2.3'), token: TOKEN}
    const host = `10.1.2.3:${PORT}`
    expect(() => checkAccess({host, origin: undefined, authorization: 'Bearer x'}, policy)).toThrow(expect.objectContaining({code: 'E_FLEET_UNAUTHORIZED', message: expect.not.stringContaining(TOKEN)}))
    expect(() => checkAccess({host, origin: undefined, authorization: `Bearer ${TOKEN}`}, policy)).not.toThrow()
  })

  it('makes the token once, readable by its user alone', () => {
    const env = {XDG_CONFIG_HOME: tempDir()}
    const path = fleetTokenPath(env)
    const token = ensureFleetToken(path)
    expect(token).toMatch(/^[\w-]{43}$/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(ensureFleetToken(path)).toBe(token)
  })
})

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 generated from the zod schemas: a valid body passes its SubmitTask schema, a bad one does not', async () => {
    const answer = await app('127.0.0.1').inject({method: 'GET', url: '/openapi.json', headers: {host: `127.0.0.1:${PORT}`}})
    const document = answer.json()
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/tasks', '/tasks/{id}', '/tasks/{id}/events', '/tasks/{id}/cancel', '/health', '/metrics']))
    const submit = document.components.schemas.SubmitTask
    expect(submit.required).toEqual(['repository', 'task'])
    const validate = new Ajv2020({strict: false}).compile(submit)
    expect(validate({repository: '/srv/repo', task: 'fix it', priority: 'highest', budgets: {maxSteps: 5}})).toBe(true)
    expect(validate({repository: '/srv/repo', task: 'fix it', priority: 'urgent'})).toBe(false)
    expect(document.paths['/tasks'].get.parameters.map((parameter: {name: string}) => parameter.name)).toEqual(['status', 'priority', 'repository', 'limit'])
  })
})

describe('pyagent serve beyond loopback', {timeout: 60_000}, () => {
  it('makes the token file at first start (mode 0600) and asks for it, of the LLM route too, whose workers send it; the token reaches neither stdout nor stderr nor the model', async () => {
    const model: OpenAiTestServer = await startOpenAiServer()
    model.setHandler(scriptedByTask({'TASK-BEYOND': {steps: [editAdd, finish('add adds')]}}))
    try {
      const fleet = await serve(model, {workers: 1, args: ['--host', '0.0.0.0']})
      const token = ensureFleetToken(join(fleet.home, 'config', 'pyagent', 'fleet-token'))
      expect(statSync(join(fleet.home, 'config', 'pyagent', 'fleet-token')).mode & 0o777).toBe(0o600)
      const port = new URL(fleet.url).port
      const local = `http://127.0.0.1:${port}`
      expect((await fetch(`${local}/health`)).status).toBe(401)
      expect((await fetch(`${local}/health`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200)
      const repo = tempRepo()
      const submitted = await fetch(`${local}/tasks`, {method: 'POST', headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: JSON.stringify({repository: repo.root, task: 'x', approve: 'sometimes'})})
      expect(submitted.status).toBe(400)
      expect((await fetch(`${local}/llm/v1/models`)).status).toBe(401)
      const authorized = {authorization: `Bearer ${token}`, 'content-type': 'application/json'}
      const fixable = tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
      const task = await fetch(`${local}/tasks`, {method: 'POST', headers: authorized, body: JSON.stringify({repository: fixable.root, task: 'TASK-BEYOND: fix add'})})
      const {id} = (await task.json()) as {id: string}
      const ended = await waitFor('the task to end', async () => {
        const shown = (await (await fetch(`${local}/tasks/${id}`, {headers: authorized})).json()) as {status: string}
        return ['done', 'failed', 'interrupted'].includes(shown.status) ? shown : undefined
      })
      expect(ended.status).toBe('done')
      expect(model.chatRequests().length).toBeGreaterThan(0)
      for (const request of model.requests) expect(JSON.stringify(request.headers)).not.toContain(token)
      fleet.process.kill('SIGTERM')
      await fleet.process
      expect(fleet.output()).toContain('"tokenRequired":true')
      expect(fleet.output()).not.toContain(token)
    } finally {
      await model.close()
    }
  })
})
