/**
 * Command-line programs wrapped as typed tools: their help read into options, the argv a call
 * becomes (the model's values never options of their own), `pyagent skills add|list|remove`, bad
 * help said clearly, and a run calling one under the command policy.
 */
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {helpOptions} from '../../src/skills/help-options.js'
import {argvFor, proposeWrappedTool} from '../../src/skills/wrapped-tools.js'
import {runCli} from '../support/cli.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {type TempRepo, tempRepo} from '../support/temp-repo.js'

const HELP = `Usage: greet [OPTIONS] [NAME]...

Say hello to people.

Options:
  -l, --loud               Shout it
  -t, --times <N>          How many times
      --greeting=WORD      The word to use
  -o FILE                  Write to FILE
  -h, --help               Print help
`

/**
 * An executable `greet` on PATH (the command policy runs programs by name only) whose --help
 * prints `help`, and whose run prints its argv, one per line. It lives in the repository, which
 * bubblewrap shows to the commands it confines.
 */
function program(repo: TempRepo, help: string): {PATH: string} {
  const dir = join(repo.root, 'bin')
  mkdirSync(dir, {recursive: true})
  const path = join(dir, 'greet')
  const script = `#!/usr/bin/env node
if (process.argv[2] === '--help') process.stdout.write(require('node:fs').readFileSync(${JSON.stringify(join(dir, 'help.txt'))}, 'utf8'))
else console.log(process.argv.slice(2).join('\\n'))
`
  writeFileSync(join(dir, 'help.txt'), help)
  writeFileSync(path, script)
  chmodSync(path, 0o755)
  return {PATH: `${dir}:${process.env.PATH}`}
}

describe('wrapped programs', () => {
  it('reads GNU, clap and short-only options from a help text, leaving --help out', () => {
    expect(helpOptions(HELP)).toEqual([
      {flag: '--loud', takesValue: false, description: 'Shout it'},
      {flag: '--times', takesValue: true, description: 'How many times'},
      {flag: '--greeting', takesValue: true, description: 'The word to use'},
      {flag: '-o', takesValue: true, description: 'Write to FILE'},
    ])
  })

  it('turns a call into argv where no value can become an option: --flag=value, and positionals after --', () => {
    const tool = proposeWrappedTool('greet', HELP, helpOptions(HELP))
    expect(tool.summary).toBe('Say hello to people.')
    expect(argvFor(tool, {loud: true, times: '-rf', o: '--evil', arguments: ['--version', 'bo']})).toEqual(['greet', '--loud', '--times=-rf', '-o', '--evil', '--', '--version', 'bo'])
    expect(argvFor(tool, {loud: false})).toEqual(['greet'])
  })
})

describe('pyagent skills add|list|remove', {timeout: 90_000}, () => {
  let model: OpenAiTestServer
  beforeAll(async () => {
    model = await startOpenAiServer()
  })
  afterAll(() => model.close())

  it('proposes a typed tool from --help, keeps it with --yes, offers it to a run that calls it under the command policy, and removes it', async () => {
    const repo = tempRepo()
    repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools'}))
    const env = {...program(repo, HELP), PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'}

    const proposed = JSON.parse((await runCli(['skills', 'add', 'greet', '--json', '--cwd', repo.root], {env})).stdout)
    expect(proposed).toMatchObject({kept: false, tool: {name: 'greet', program: 'greet'}})
    expect(proposed.schema.properties).toMatchObject({loud: {type: 'boolean'}, times: {type: 'string'}, arguments: {type: 'array'}})
    const kept = JSON.parse((await runCli(['skills', 'add', 'greet', '--yes', '--json', '--cwd', repo.root], {env})).stdout)
    expect(kept).toMatchObject({kept: true, file: join(repo.root, '.pyagent/tools/greet.json')})
    expect(JSON.parse((await runCli(['skills', 'list', '--json', '--cwd', repo.root])).stdout).wrapped).toEqual([kept.tool])

    const call = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
    model.enqueue(call('cli__greet', {loud: true, times: '2', arguments: ['--bo']}), call('finish', {summary: 'greeted'}))
    const refused = await runCli(['run', '--json', '--role', 'analyst', '--task', 'Greet bo', '--cwd', repo.root], {env})
    const refusedResult = refused.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((event) => event.type === 'tool_result')
    expect(refusedResult).toMatchObject({tool: 'cli__greet', status: 'refused', output: expect.stringContaining('is not on the allow-list and was not approved')})

    model.enqueue(call('cli__greet', {loud: true, times: '2', arguments: ['--bo']}), call('finish', {summary: 'greeted'}))
    const approved = await runCli(['run', '--json', '--role', 'analyst', '--approve', 'commands', '--task', 'Greet bo', '--cwd', repo.root], {env})
    const ran = approved.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((event) => event.type === 'tool_result')
    expect(ran).toMatchObject({tool: 'cli__greet', status: 'ok'})
    expect(ran.output).toContain('exit code 0\n--loud\n--times=2\n--\n--bo')

    const removed = await runCli(['skills', 'remove', 'cli__greet', '--json', '--cwd', repo.root])
    expect(JSON.parse(removed.stdout)).toEqual({removed: 'greet'})
    const again = await runCli(['skills', 'remove', 'greet', '--json', '--cwd', repo.root])
    expect(JSON.parse(again.stdout).error).toMatchObject({code: 'E_SKILL_WRAP', message: 'No wrapped tool named "greet" (see `pyagent skills list`)'})
  })

  it('says clearly when the help is empty, enormous, or the program does not run', async () => {
    const repo = tempRepo()
    const empty = JSON.parse((await runCli(['skills', 'add', 'greet', '--json', '--cwd', repo.root], {env: program(repo, '')})).stdout)
    expect(empty.error).toMatchObject({code: 'E_SKILL_WRAP', message: expect.stringContaining('--help printed nothing, so there is no option to propose; nothing was kept')})

    const options = Array.from({length: 20_000}, (_, index) => `  --option-${index} <V>   option number ${index}`).join('\n')
    const enormous = JSON.parse((await runCli(['skills', 'add', 'greet', '--json', '--yes', '--cwd', repo.root], {env: program(repo, `Usage: big [OPTIONS]\n\n${options}\n`)})).stdout)
    expect(enormous.tool.options).toHaveLength(80)
    expect(enormous.notes).toEqual(expect.arrayContaining(['the help is longer than 128 kB; its middle was not read', expect.stringContaining('only the first 80 options were kept')]))

    const missing = JSON.parse((await runCli(['skills', 'add', 'no-such-program-here', '--json', '--cwd', repo.root])).stdout)
    expect(missing.error).toMatchObject({code: 'E_SKILL_WRAP', message: expect.stringContaining('no-such-program-here --help did not run')})
  })
})
