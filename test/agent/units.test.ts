import {describe, expect, it} from 'vitest'

import {approver, preApproved} from '../../src/agent/approval.js'
import {bound} from '../../src/agent/output-limit.js'
import {Budget} from '../../src/agent/budget.js'
import {isAllowedCommand, splitCommand} from '../../src/workspace/command-policy.js'
import {noEndpointMessage, VLLM_SERVE_LINE} from '../../src/app/endpoint.js'
import {actionSchema, toolDefinitions} from '../../src/agent/prompt.js'
import {roleNamed} from '../../src/agent/roles.js'
import {detectTestCommand} from '../../src/workspace/working-tree.js'
import {tempDir} from '../support/temp-repo.js'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

describe('approvals', () => {
  it('pre-approves by mode and asks otherwise; nobody to ask means no', async () => {
    expect([preApproved('edits', 'edit'), preApproved('edits', 'command'), preApproved('commands', 'edit'), preApproved('all', 'command'), preApproved('none', 'edit')]).toEqual([
      true,
      false,
      false,
      true,
      false,
    ])
    expect(await approver('edits', undefined)('command', 'make')).toBe(false)
    expect(await approver('edits', async () => true)('command', 'make')).toBe(true)
  })
})

describe('commands', () => {
  it('splits without a shell, honouring quotes, and matches the allow-list word by word', () => {
    expect(splitCommand(`git log -5 --format="%h %s" 'a b'`)).toEqual(['git', 'log', '-5', '--format=%h %s', 'a b'])
    expect(() => splitCommand('echo "open')).toThrow(/unbalanced/)
    expect(isAllowedCommand(['npm', 'test', '--', '-t', 'x'], ['npm test'])).toBe(true)
    expect(isAllowedCommand(['npm', 'testx'], ['npm test'])).toBe(false)
    expect(isAllowedCommand(['npm'], ['npm test'])).toBe(false)
  })
})

describe('bounded tool output', () => {
  it('keeps head and tail and says how much was cut', () => {
    const text = `HEAD${'.'.repeat(50_000)}TAIL`
    const result = bound(text, 1000)
    expect(result.truncated).toBe(true)
    expect(result.text.startsWith('HEAD')).toBe(true)
    expect(result.text.endsWith('TAIL')).toBe(true)
    expect(result.text).toMatch(/\[49008 characters cut\]/)
    expect(bound('short', 1000)).toEqual({text: 'short', truncated: false})
  })

  it('cuts on line breaks, so a secret on a line is kept whole or dropped whole, never halved for redaction to miss', () => {
    const lines = Array.from({length: 2000}, (_, index) => `line ${index} token=ghp_${String(index).padStart(36, 'x')}`)
    const result = bound(lines.join('\n'), 10_000)
    const kept = result.text.split('\n').filter((line) => !line.startsWith('… ['))
    expect(kept.length).toBeGreaterThan(100)
    for (const line of kept) expect(lines).toContain(line)
  })

  it('cuts a long line on a space when no line break is near', () => {
    const words = Array.from({length: 5000}, (_, index) => `AKIA${String(index).padStart(16, '0')}`)
    const result = bound(words.join(' '), 10_000)
    const kept = result.text.split(/\s+/).filter((word) => word.startsWith('AKIA'))
    for (const word of kept) expect(words).toContain(word)
  })
})

describe('budget', () => {
  it('reports the first limit reached', () => {
    let now = 0
    const budget = new Budget({maxSteps: 10, maxTokens: 100, maxCostUsd: 1, timeoutSec: 60}, () => now)
    expect(budget.exhausted()).toBeUndefined()
    budget.addUsage('a', 50, 0.9)
    expect(budget.spentShare()).toBeCloseTo(0.9)
    now = 61_000
    expect(budget.exhausted()).toBe('time')
    budget.addUsage('b', 50, 0)
    expect(budget.exhausted()).toBe('tokens')
    expect([budget.spentBy('a'), budget.spentBy('b'), budget.spentBy('c')]).toEqual([
      {tokens: 50, costUsd: 0.9},
      {tokens: 50, costUsd: 0},
      {tokens: 0, costUsd: 0},
    ])
  })
})

describe('the no-endpoint message', () => {
  it('says what was tried, how to start vLLM with tool calling, and how to set PYAGENT_BASE_URL, in one paragraph', () => {
    const message = noEndpointMessage('http://localhost:8000/v1: connection refused')
    expect(message).not.toContain('\n')
    expect(message).toContain('tried http://localhost:8000/v1: connection refused.')
    expect(message).toContain(VLLM_SERVE_LINE)
    expect(VLLM_SERVE_LINE).toMatch(/^vllm serve \S+ .*--enable-auto-tool-choice --tool-call-parser \S+/)
    expect(message).toContain('PYAGENT_BASE_URL')
  })
})

describe('tool schemas', () => {
  it('turns every tool of every role into a JSON Schema function definition', () => {
    const tools = toolDefinitions(roleNamed('coder').tools)
    expect(tools.map((tool) => tool.function.name)).toEqual(['read_file', 'list_files', 'search', 'search_code', 'edit', 'apply_patch', 'write_file', 'run_command', 'run_tests', 'remember', 'finish'])
    const edit = tools.find((tool) => tool.function.name === 'edit')!.function.parameters as {required: string[]; properties: Record<string, unknown>}
    expect(edit.required).toEqual(['path', 'edits'])
    expect(JSON.stringify(toolDefinitions(roleNamed('coder').tools))).toBe(JSON.stringify(tools))
  })

  it('the JSON action schema accepts a valid action and refuses a wrong one', () => {
    const schema = actionSchema(roleNamed('analyst').tools)
    expect(schema.safeParse({tool: 'read_file', arguments: {path: 'a.ts'}}).success).toBe(true)
    expect(schema.safeParse({tool: 'read_file', arguments: {}}).success).toBe(false)
    expect(schema.safeParse({tool: 'edit', arguments: {path: 'a.ts', edits: []}}).success).toBe(false)
  })

  it("detects the repository's declared test command", () => {
    const dir = tempDir()
    expect(detectTestCommand(dir)).toBeUndefined()
    writeFileSync(join(dir, 'Cargo.toml'), '[package]\n')
    expect(detectTestCommand(dir)).toBe('cargo test')
    writeFileSync(join(dir, 'package.json'), '{"scripts": {"test": "vitest"}}')
    expect(detectTestCommand(dir)).toBe('npm test')
  })
})
