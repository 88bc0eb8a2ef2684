/**
 * Issue 15's end-to-end bar: no secret of bench/secrets' planted corpus (155 formats, fresh
 * values each run, each in the file that names it) that the detector finds in its file reaches a
 * request body of the LLM server, whether it arrives in the task text (the files pasted in), in a
 * file the agent reads, or in a command's output.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {planCorpus} from '../../bench/secrets/corpus.js'
import {redactText} from '../../src/secrets/redact.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'

let server: OpenAiTestServer
beforeAll(async () => {
  server = await startOpenAiServer({maxModelLen: 262_144})
})
afterAll(() => server.close())

const call = (name: string, args: object) => ({name, arguments: JSON.stringify(args)})

describe('the planted corpus through a run', {timeout: 120_000}, () => {
  it('reaches the model masked, from the task text, read files and command output alike', async () => {
    const corpus = planCorpus()
    const repo = tempRepo(Object.fromEntries(corpus.files.map((file) => [file.path, file.text])))
    repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools', testCommand: 'true', allowedCommands: ['cat'], denyPaths: []}))
    const before = server.chatRequests().length
    server.enqueue(
      {type: 'completion', toolCalls: corpus.files.map((file) => call('read_file', {path: file.path}))},
      {type: 'completion', toolCalls: [call('run_command', {command: `cat ${corpus.files.map((file) => file.path).join(' ')}`})]},
      {type: 'completion', toolCalls: [call('finish', {summary: 'read everything'})]},
    )
    const result = await runCli(['run', '--json', '--max-steps', '4', '--cwd', repo.root, '--task', `Why do these fail?\n${corpus.files.map((file) => `${file.path}:\n${file.text}`).join('\n')}`], {
      env: {PYAGENT_BASE_URL: server.baseUrl, PYAGENT_MAX_RETRIES: '0'},
    })
    const bodies = server.chatRequests().slice(before).map((request) => JSON.stringify(request.body))
    expect(bodies.length, result.stderr + result.stdout.slice(-3000)).toBeGreaterThanOrEqual(3)
    const last = bodies.at(-1)!
    // The run did read every file and ran the command (whose output the tool caps): their masked contents are in the last request.
    expect(last).toContain('Weekly report')
    expect(last).toContain('exit code 0')
    expect(last.match(/\[REDACTED:/g)?.length ?? 0).toBeGreaterThan(corpus.secrets.length)
    const reaches = (value: string, texts: readonly string[]) =>
      value.split('\n').some((line) => line.length >= 12 && texts.some((text) => text.includes(line) || text.includes(JSON.stringify(line).slice(1, -1))))
    const leaked = corpus.secrets.filter((secret) => reaches(secret.value, bodies))
    // Fresh random values fall, now and then, into a shape the rules take for code or a
    // placeholder (about 1 corpus in 50, bench/secrets): those the detector misses in the file
    // alone may reach the model; the run itself must add no leak of its own.
    const missedAlone = await Promise.all(corpus.files.map(async (file) => [await redactText(file.text), await redactText(file.text, {path: file.path})]))
    const missedByDetector = corpus.secrets.filter((secret) => reaches(secret.value, missedAlone.flat()))
    expect(missedByDetector.length).toBeLessThanOrEqual(2)
    expect(leaked.filter((secret) => !missedByDetector.includes(secret)).map((secret) => `${secret.format} (${secret.context})`)).toEqual([])
  })
})
