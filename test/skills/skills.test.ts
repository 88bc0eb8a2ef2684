/**
 * Agent Skills: found in PyAgent's and other agents' folders, only their names and descriptions
 * offered up front, their instructions and files read on use; and a run that uses a skill and a
 * real MCP server's tool under approval.
 */
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import type {ToolContext} from '../../src/agent/tools/index.js'
import {skillTools} from '../../src/app/skill-tools.js'
import {discoverSkills} from '../../src/skills/agent-skills.js'
import {runCli} from '../support/cli.js'
import {EVERYTHING} from '../support/mcp-servers.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'

const RELEASE = '---\nname: release\ndescription: How to cut a release of this project\n---\n# Releasing\n\n1. Run scripts/check.sh\n2. Tag, then npm publish\n'

function skillRepo() {
  const repo = tempRepo()
  repo.write('.pyagent/skills/release/SKILL.md', RELEASE)
  repo.write('.pyagent/skills/release/scripts/check.sh', 'npm test\n')
  repo.write('.claude/skills/review-style/SKILL.md', '---\nname: review-style\ndescription: |\n  The house style for reviews\n---\nBe brief.\n')
  repo.write('.agents/skills/release/SKILL.md', '---\nname: release\ndescription: shadowed by .pyagent/skills\n---\nignored\n')
  repo.write('.agents/skills/notes/SKILL.md', '# Notes\nno front matter here\n')
  repo.write('.agents/skills/Bad_Name/SKILL.md', '---\nname: Bad_Name\ndescription: x\n---\n')
  return repo
}

const env = (home: string) => ({HOME: home, XDG_CONFIG_HOME: join(home, '.config')})

describe('Agent Skills', () => {
  it('are found in .pyagent/skills, .claude/skills, .agents/skills and the user folders, the first of a name winning; a bad SKILL.md says why', () => {
    const repo = skillRepo()
    const home = tempDir()
    const user = join(home, '.config', 'pyagent', 'skills', 'deploy')
    mkdirSync(user, {recursive: true})
    writeFileSync(join(user, 'SKILL.md'), '---\nname: deploy\ndescription: Deploy to staging\n---\nrun make deploy\n')
    const found = discoverSkills(repo.root, env(home))
    expect(found.skills.map((skill) => [skill.name, skill.description])).toEqual([
      ['release', 'How to cut a release of this project'],
      ['review-style', 'The house style for reviews'],
      ['deploy', 'Deploy to staging'],
    ])
    expect(found.problems.map((problem) => problem.problem).sort()).toEqual([
      `${join(repo.root, '.agents/skills/Bad_Name/SKILL.md')}: name: lowercase letters, digits and single hyphens`,
      `${join(repo.root, '.agents/skills/notes/SKILL.md')} has no front matter: it must start with a --- block giving name and description`,
    ])
  })

  it('offers one tool whose description holds names and descriptions only; a call reads the instructions, then a file, never outside the skill', async () => {
    const repo = skillRepo()
    symlinkSync('/etc/passwd', join(repo.root, '.pyagent/skills/release/passwd'))
    for (const [name, value] of Object.entries(env(tempDir()))) vi.stubEnv(name, value)
    const notices: string[] = []
    const [tool] = skillTools(repo.root, (text) => notices.push(text))
    expect(notices).toHaveLength(2)
    expect(tool!.description).toContain('- release: How to cut a release of this project')
    expect(tool!.description).not.toContain('npm publish')
    const context = {} as ToolContext
    const instructions = await tool!.run({name: 'release'}, context)
    expect(instructions).toBe('# Releasing\n\n1. Run scripts/check.sh\n2. Tag, then npm publish\n\nFiles of this skill (read one with use_skill and file): passwd, scripts/check.sh')
    expect(await tool!.run({name: 'release', file: 'scripts/check.sh'}, context)).toBe('npm test\n')
    await expect(tool!.run({name: 'release', file: '../../config.json'}, context)).rejects.toThrow(/has no file|outside the skill/)
    await expect(tool!.run({name: 'release', file: 'passwd'}, context)).rejects.toThrow("passwd is outside the skill release's folder")
    expect(tool!.schema.safeParse({name: 'unknown'}).success).toBe(false)
    vi.unstubAllEnvs()
  })

  it('pyagent skills list --json lists them, and what is wrong with the rest', async () => {
    const repo = skillRepo()
    const result = await runCli(['skills', 'list', '--json', '--cwd', repo.root], {env: env(tempDir())})
    const listed = JSON.parse(result.stdout)
    expect(listed.skills.map((skill: {name: string}) => skill.name)).toEqual(['release', 'review-style'])
    expect(listed.problems).toHaveLength(2)
    expect(listed.searched[0]).toBe(join(repo.root, '.pyagent/skills'))
  })
})

describe('a run with a skill and an MCP tool', {timeout: 90_000}, () => {
  let model: OpenAiTestServer
  beforeAll(async () => {
    model = await startOpenAiServer()
  })
  afterAll(() => model.close())

  it('reads the skill when it uses it and calls the server\'s tool once approved', async () => {
    const repo = skillRepo()
    repo.write('.pyagent/config.json', JSON.stringify({actionProtocol: 'tools'}))
    const home = tempDir()
    const cliEnv = {...env(home), PYAGENT_BASE_URL: model.baseUrl, PYAGENT_MAX_RETRIES: '0'}
    await runCli(['mcp', 'add', 'everything', '--cwd', repo.root, '--', process.execPath, EVERYTHING, 'stdio'], {env: cliEnv})
    const before = model.chatRequests().length
    const call = (name: string, args: object) => ({type: 'completion' as const, toolCalls: [{name, arguments: JSON.stringify(args)}]})
    model.enqueue(call('use_skill', {name: 'release'}), call('everything__echo', {message: 'tagging v1.2.0'}), call('finish', {summary: 'released'}))
    const result = await runCli(['run', '--json', '--role', 'analyst', '--approve', 'commands', '--task', 'Cut the release', '--cwd', repo.root], {env: cliEnv})
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toContain('An Agent Skill is left out: ')
    const first = model.chatRequests()[before]!.body as {messages: {content: string}[]; tools: {function: {name: string; description: string}}[]}
    expect(JSON.stringify(first.messages)).not.toContain('npm publish')
    expect(first.tools.find((entry) => entry.function.name === 'use_skill')!.function.description).toContain('- release: How to cut a release of this project')
    const results = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((event) => event.type === 'tool_result' || event.type === 'approval')
    expect(results.map((event) => [event.type, event.tool ?? event.kind, event.status ?? event.approved])).toEqual([
      ['tool_result', 'use_skill', 'ok'],
      ['approval', 'tool', true],
      ['tool_result', 'everything__echo', 'ok'],
      ['tool_result', 'finish', 'ok'],
    ])
    expect(results[0].output).toContain('2. Tag, then npm publish')
    expect(results[2].output).toBe('Echo: tagging v1.2.0')
  })
})
