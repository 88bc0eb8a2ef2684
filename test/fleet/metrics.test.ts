import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {endpointListSchema} from '../../src/server/llm-endpoints.js'
import {FIXTURE} from '../agent/harness.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {checkMetrics, promtoolBinary} from '../support/promtool.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, finish, readEvents, scriptedByTask, serve, waitFor} from './support.js'

const promtool = await promtoolBinary()

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model.close())

/** The value of the one sample whose name and labels `pattern` matches. */
function sample(metrics: string, pattern: RegExp): number {
  const line = metrics.split('\n').find((candidate) => pattern.test(candidate))
  if (!line) throw new Error(`no sample matches ${pattern} in:\n${metrics}`)
  return Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe("the fleet's /metrics and /endpoints", {timeout: 120_000}, () => {
  it("show what the workers measured of a task, each endpoint's health and load, and what its vLLM /metrics says; promtool finds nothing to fault", async () => {
    model.vllm = {kvCacheUsage: 0.31, waiting: 2, specDraftTokens: 40, specAcceptedTokens: 30}
    model.setHandler(scriptedByTask({'TASK-METRICS': {steps: [{...editAdd, cachedTokens: 5}, finish('add adds', {cachedTokens: 50})]}}))
    const repo = tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
    const fleet = await serve(model, {workers: 2, env: {PYAGENT_FLEET_SCRAPE_SEC: '0.2'}})
    const {body: task} = await fleet.api('POST', '/tasks', {body: {repository: repo.root, task: 'TASK-METRICS: fix add'}})
    expect((await readEvents(fleet.url, task.id)).ended).toBe('done')

    // A scrape whose interval held only the critic's call (no cached tokens) says 0 for that interval; the next, with no queries in it, gives the rate since start.
    const endpoints = await waitFor('a scrape after the task', async () => {
      const listed = endpointListSchema.parse((await fleet.api('GET', '/endpoints')).body).endpoints
      return (listed[0]!.vllm.prefixCacheHitRate ?? 0) > 0 && listed[0]!.requests > 0 ? listed : undefined
    })
    expect(endpoints).toHaveLength(1)
    expect(endpoints[0]).toMatchObject({url: model.baseUrl, up: true, outstanding: 0, failedRequests: 0, scrapeError: null})
    expect(endpoints[0]!.vllm).toMatchObject({kvCacheUsage: 0.31, specDecodeAcceptanceRate: 0.75, requestsRunning: 0, requestsWaiting: 2})
    expect(endpoints[0]!.vllm.prefixCacheHitRate).toBeGreaterThan(0)

    const metrics = (await fleet.api('GET', '/metrics')).body as string
    const endpoint = `endpoint="${model.baseUrl}"`
    expect(sample(metrics, /^pyagent_fleet_tasks\{status="done"\}/)).toBe(1)
    expect(sample(metrics, /^pyagent_fleet_queue_depth /)).toBe(0)
    expect(sample(metrics, /^pyagent_fleet_workers\{state="idle"\}/) + sample(metrics, /^pyagent_fleet_workers\{state="busy"\}/)).toBe(2)
    expect(sample(metrics, /^pyagent_task_duration_seconds_count\{[^}]*pyagent_task_status="done"/)).toBeGreaterThanOrEqual(1)
    expect(sample(metrics, /^pyagent_step_duration_seconds_count\{/)).toBeGreaterThanOrEqual(2)
    expect(sample(metrics, /^gen_ai_client_token_usage_sum\{[^}]*gen_ai_token_type="input"/)).toBeGreaterThan(0)
    expect(sample(metrics, /^gen_ai_client_operation_duration_seconds_count\{/)).toBeGreaterThanOrEqual(2)
    expect(sample(metrics, /^pyagent_edits_total\{gen_ai_tool_name="edit",pyagent_edit_applied="true"\}/)).toBe(1)
    expect(sample(metrics, new RegExp(`^pyagent_llm_endpoint_up\\{${endpoint}\\}`))).toBe(1)
    expect(sample(metrics, new RegExp(`^pyagent_llm_endpoint_requests_total\\{${endpoint}\\}`))).toBeGreaterThanOrEqual(3)
    expect(sample(metrics, new RegExp(`^pyagent_vllm_kv_cache_usage_ratio\\{${endpoint}\\}`))).toBe(0.31)
    expect(sample(metrics, new RegExp(`^pyagent_vllm_spec_decode_acceptance_ratio\\{${endpoint}\\}`))).toBe(0.75)
    expect(sample(metrics, new RegExp(`^pyagent_vllm_requests_waiting\\{${endpoint}\\}`))).toBe(2)

    const document = (await fleet.api('GET', '/openapi.json')).body
    expect(document.paths['/endpoints'].get.responses['200']).toBeDefined()
    expect(document.components.schemas.EndpointList.properties.endpoints).toBeDefined()

    if (!promtool) {
      console.warn("skipped `promtool check metrics`: promtool is not installed (Debian's prometheus package; .ci/run installs it)")
      return
    }
    expect(await checkMetrics(promtool, metrics)).toEqual({exitCode: 0, problems: ''})
  })

  it("sends the workers' requests through the server's pool: with one endpoint dead, tasks on two worker processes finish on the live one, and /endpoints says which is down and why", async () => {
    const dead = await startOpenAiServer()
    await dead.kill()
    const live = await startOpenAiServer()
    live.setHandler(
      scriptedByTask({
        'TASK-ONE': {steps: [editAdd, finish('add adds')]},
        'TASK-TWO': {steps: [editAdd, finish('add adds too')]},
      }),
    )
    try {
      const repo = tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})
      const fleet = await serve(dead, {workers: 2, env: {PYAGENT_ENDPOINTS: live.baseUrl, PYAGENT_ENDPOINT_FAILURE_THRESHOLD: '1'}})
      const tasks = await Promise.all(['TASK-ONE: fix add', 'TASK-TWO: fix add'].map(async (task) => (await fleet.api('POST', '/tasks', {body: {repository: repo.root, task}})).body))
      for (const task of tasks) expect((await readEvents(fleet.url, task.id)).ended).toBe('done')
      const [down, up] = endpointListSchema.parse((await fleet.api('GET', '/endpoints')).body).endpoints
      expect(down).toMatchObject({url: dead.baseUrl, up: false})
      expect(down!.lastError).toMatch(/ECONNREFUSED/)
      expect(down!.scrapeError).toMatch(/metrics/)
      expect(up).toMatchObject({url: live.baseUrl, up: true, failedRequests: 0})
      const byTask = (marker: string) => live.chatRequests().filter((request) => JSON.stringify(request.body.messages).includes(marker))
      expect(byTask('TASK-ONE').length).toBeGreaterThanOrEqual(2)
      expect(byTask('TASK-TWO').length).toBeGreaterThanOrEqual(2)
    } finally {
      await live.close()
    }
  })

  it.skipIf(!promtool)('promtool does fault a broken exposition (the check can fail)', async () => {
    const broken = '# TYPE requests counter\nrequests 3\n'
    expect((await checkMetrics(promtool!, broken)).problems).toMatch(/_total/)
  })
})
