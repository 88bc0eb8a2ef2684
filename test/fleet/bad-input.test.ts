/**
 * The fleet API as an attacker and a clumsy client meet it: each bad request is a 4xx whose JSON
 * error names what is wrong, and leaves the store as it was (no task, no event).
 */
import {mkdirSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'

import {checkRepository} from '../../src/server/repository-roots.js'
import type {FleetDb} from '../../src/fleet/store.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {IN_PROCESS_PORT, inProcessApp, TOKEN} from './in-process.js'

const host = `127.0.0.1:${IN_PROCESS_PORT}`
const UNKNOWN = '00000000-0000-4000-8000-000000000000'

const written = (db: FleetDb) => ({
  tasks: (db.prepare('SELECT COUNT(*) AS n FROM fleet_tasks').get() as {n: number}).n,
  events: (db.prepare('SELECT COUNT(*) AS n FROM fleet_events').get() as {n: number}).n,
})

function post(api: ReturnType<typeof inProcessApp>['api'], payload: unknown, headers: Record<string, string> = {}) {
  return api.inject({
    method: 'POST',
    url: '/tasks',
    headers: {host, 'content-type': 'application/json', ...headers},
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

describe('a bad request to the fleet API', () => {
  it('malformed JSON, wrong types, a 10 MB body, an over-long task: a 4xx naming the field, and nothing written', async () => {
    const repo = tempRepo()
    const {api, db} = inProcessApp('127.0.0.1')
    const cases: [unknown, number, string][] = [
      ['{"repository": ', 400, 'body'],
      ['not json at all', 400, 'body'],
      ['[]', 400, 'body'],
      ['null', 400, 'body'],
      [{repository: 42, task: 'x'}, 400, 'body.repository'],
      [{repository: repo.root, task: ['x']}, 400, 'body.task'],
      [{repository: repo.root, task: 'x', priority: 3}, 400, 'body.priority'],
      [{repository: repo.root, task: 'x', budgets: 'lots'}, 400, 'body.budgets'],
      [{repository: repo.root, task: 'x', budgets: {maxSteps: 2.5}}, 400, 'body.budgets.maxSteps'],
      [{repository: repo.root, task: 'x', budgets: {maxCostUsd: '1'}}, 400, 'body.budgets.maxCostUsd'],
      [{repository: repo.root, task: 'x', approve: true}, 400, 'body.approve'],
      [{repository: repo.root, task: 'x'.repeat(20_001)}, 400, 'body.task'],
      [{repository: repo.root, task: 'x'.repeat(10 * 1_048_576)}, 413, 'body'],
    ]
    for (const [payload, status, field] of cases) {
      const answer = await post(api, payload)
      expect({status: answer.statusCode, code: answer.json().error.code, field: answer.json().error.field}, JSON.stringify(payload).slice(0, 80)).toEqual({status, code: 'E_FLEET_REQUEST', field})
    }
    expect((await post(api, {repository: repo.root, task: 'x'.repeat(10 * 1_048_576)})).json().error.message).toMatch(/over the server's limit of 1 MiB.*20,000 characters/)
    const wrongType = await api.inject({method: 'POST', url: '/tasks', headers: {host, 'content-type': 'text/plain'}, payload: 'fix it'})
    expect({status: wrongType.statusCode, code: wrongType.json().error.code, field: wrongType.json().error.field}).toEqual({status: 400, code: 'E_FLEET_REQUEST', field: 'body'})
    expect(written(db)).toEqual({tasks: 0, events: 0})
  })

  it('unknown and malformed task ids: 404 (or 400 naming path.id) on every route, and nothing written', async () => {
    const {api, db} = inProcessApp('127.0.0.1')
    for (const [method, url] of [['GET', `/tasks/${UNKNOWN}`], ['POST', `/tasks/${UNKNOWN}/cancel`], ['GET', `/tasks/${UNKNOWN}/events`]] as const) {
      const answer = await api.inject({method, url, headers: {host}})
      expect({status: answer.statusCode, code: answer.json().error.code}).toEqual({status: 404, code: 'E_FLEET_TASK_UNKNOWN'})
    }
    for (const url of ['/tasks/..%2F..%2Fetc%2Fpasswd', '/tasks/1%20OR%201=1', `/tasks/${UNKNOWN}x/cancel`]) {
      const answer = await api.inject({method: url.endsWith('cancel') ? 'POST' : 'GET', url, headers: {host}})
      expect({status: answer.statusCode, field: answer.json().error.field}).toEqual({status: 400, field: 'path.id'})
    }
    const badResume = await api.inject({method: 'GET', url: `/tasks/${UNKNOWN}/events?follow=maybe`, headers: {host}})
    expect(badResume.statusCode).toBe(404)
    expect(written(db)).toEqual({tasks: 0, events: 0})
  })

  it('path traversal and repositories outside the allowed roots (by path, by file:// URL, through a symlink) are refused, naming body.repository', async () => {
    const root = tempDir('pyagent-roots-')
    const allowed = tempRepo()
    const outside = tempRepo()
    const inRoot = join(root, 'repos')
    mkdirSync(inRoot)
    symlinkSync(outside.root, join(inRoot, 'escape'))
    symlinkSync(allowed.root, join(inRoot, 'allowed'))
    const {api, db} = inProcessApp('127.0.0.1', [root])
    const refused = [
      `${inRoot}/allowed/../../../..${outside.root}`,
      `${inRoot}/../../..${outside.root}`,
      outside.root,
      join(inRoot, 'escape'),
      pathToFileURL(outside.root).href,
      `file://${inRoot}/allowed/../escape`,
      '/etc',
      '/',
    ]
    for (const repository of refused) {
      const answer = await post(api, {repository, task: 'x'})
      expect({status: answer.statusCode, field: answer.json().error.field}, repository).toEqual({status: 400, field: 'body.repository'})
    }
    expect((await post(api, {repository: outside.root, task: 'x'})).json().error.message).toContain('outside the directories this server takes repositories from')
    expect((await post(api, {repository: `${inRoot}/../x`, task: 'x'})).json().error.message).toContain('".."')
    expect(written(db)).toEqual({tasks: 0, events: 0})
    // A symlink in a root that leads out of it is refused until its target is in a root too.
    expect((await post(api, {repository: join(inRoot, 'allowed'), task: 'x'})).statusCode).toBe(400)
    const taken = inProcessApp('127.0.0.1', [root, allowed.root])
    expect((await post(taken.api, {repository: join(inRoot, 'allowed'), task: 'x'})).statusCode).toBe(201)
    expect((await post(taken.api, {repository: pathToFileURL(allowed.root).href, task: 'x'})).statusCode).toBe(201)
  })

  it('the default root ~ is the home directory of the server\'s user', () => {
    const home = tempDir('pyagent-home-')
    const repo = tempRepo()
    expect(() => checkRepository(repo.root, ['~'], home)).toThrow(expect.objectContaining({code: 'E_FLEET_REQUEST', field: 'body.repository'}))
    expect(() => checkRepository(repo.root, ['~'], join(repo.root, '..'))).not.toThrow()
    expect(() => checkRepository('https://git.example.com/a.git', [], home)).not.toThrow()
  })

  it('no token, a wrong token, a foreign Origin or Host: 401/403 before the body is read, and nothing written', async () => {
    const repo = tempRepo()
    const body = {repository: repo.root, task: 'x'}
    const wide = inProcessApp('0.0.0.0')
    for (const headers of [{}, {authorization: 'Bearer not-the-token'}, {authorization: `Bearer ${TOKEN} `}, {authorization: TOKEN}]) {
      const answer = await post(wide.api, body, headers)
      expect({status: answer.statusCode, code: answer.json().error.code}).toEqual({status: 401, code: 'E_FLEET_UNAUTHORIZED'})
    }
    const oversized = await post(wide.api, {...body, task: 'x'.repeat(2 * 1_048_576)})
    expect(oversized.statusCode).toBe(401)
    expect((await post(wide.api, body, {authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example'})).statusCode).toBe(403)
    expect(written(wide.db)).toEqual({tasks: 0, events: 0})
    const local = inProcessApp('127.0.0.1')
    for (const headers of [{origin: 'http://evil.example'}, {origin: `http://localhost:${IN_PROCESS_PORT + 1}`}, {host: `attacker.example:${IN_PROCESS_PORT}`}]) {
      const answer = await post(local.api, body, headers)
      expect({status: answer.statusCode, code: answer.json().error.code}).toEqual({status: 403, code: 'E_FLEET_FORBIDDEN'})
    }
    expect(written(local.db)).toEqual({tasks: 0, events: 0})
    expect((await post(local.api, body, {origin: `http://localhost:${IN_PROCESS_PORT}`})).statusCode).toBe(201)
  })
})
