import {render} from 'ink-testing-library'
import React from 'react'
import {describe, expect, it, vi} from 'vitest'

import {Feed} from '../../src/ui/feed.js'
import {diffLineColour, RunView} from '../../src/ui/RunView.js'

const T = 'task-1'

describe('the run TUI', () => {
  it('streams text, shows tool calls with status, coloured diffs, the counter and the result', async () => {
    const feed = new Feed()
    const {lastFrame, frames, unmount} = render(<RunView feed={feed} />)
    feed.push({type: 'task_started', taskId: T, parentId: null, title: 'Fix add', role: 'coder', depth: 0})
    feed.push({type: 'text', taskId: T, delta: 'Let me'})
    feed.push({type: 'text', taskId: T, delta: ' look.'})
    feed.push({type: 'tool_call', taskId: T, callId: 'c1', tool: 'read_file', arguments: {path: 'src/add.js'}})
    await vi.waitFor(() => expect(lastFrame()).toContain('Let me look.'))
    expect(lastFrame()).toMatch(/read_file src\/add\.js/)
    expect(lastFrame()).toMatch(/working/)

    feed.push({type: 'tool_result', taskId: T, callId: 'c1', tool: 'read_file', status: 'ok', output: '…', truncated: false})
    feed.push({type: 'tool_call', taskId: T, callId: 'c2', tool: 'run_command', arguments: {command: 'rm -rf /'}})
    feed.push({type: 'tool_result', taskId: T, callId: 'c2', tool: 'run_command', status: 'refused', output: 'not approved', truncated: false})
    feed.push({type: 'diff', taskId: T, path: 'src/add.js', unified: '--- a/src/add.js\n+++ b/src/add.js\n@@ -1,3 +1,3 @@\n-  return a - b\n+  return a + b\n', added: 1, removed: 1})
    feed.push({type: 'usage', taskId: T, promptTokens: 1000, completionTokens: 234, costUsd: 0.01, totalTokens: 1234, totalCostUsd: 0.0123})
    await vi.waitFor(() => expect(lastFrame()).toContain('1,234 tokens'))
    const frame = lastFrame()!
    expect(frame).toMatch(/✔ read_file/)
    expect(frame).toMatch(/⊘ run_command rm -rf \/ not approved/)
    expect(frame).toContain('-  return a - b')
    expect(frame).toContain('+  return a + b')
    expect(frame).toContain('1,234 tokens · $0.0123')

    feed.push({type: 'task_finished', taskId: T, status: 'done', summary: 'fixed add'})
    // The view exits once the result is painted, and unmounting writes one last empty frame, so
    // look for the result among the frames rather than racing the exit for the last one.
    const result = () => frames.findLast((painted) => /fixed add[\s\S]*done/.test(painted))
    await vi.waitFor(() => expect(result()).toBeDefined())
    expect(result()).not.toMatch(/working/)
    unmount()
  })

  it('colours additions green, removals red, hunk headers cyan, file headers plain', () => {
    expect(['+new', '-old', '@@ -1 +1 @@', '+++ b/a.txt', '--- a/a.txt', ' same'].map(diffLineColour)).toEqual([
      'green',
      'red',
      'cyan',
      undefined,
      undefined,
      undefined,
    ])
  })

  it('asks for approval and passes the answer back', async () => {
    const feed = new Feed()
    const {lastFrame, stdin, unmount} = render(<RunView feed={feed} />)
    const answers: boolean[] = []
    feed.push({type: 'approval_request', request: {kind: 'command', subject: 'make deploy', respond: (approved) => answers.push(approved)}})
    await vi.waitFor(() => expect(lastFrame()).toMatch(/Allow command make deploy\? \[y\/n\]/))
    stdin.write('x')
    // The key listener is attached after the prompt's first paint; keep pressing until it hears.
    await vi.waitFor(() => {
      stdin.write('y')
      expect(answers[0]).toBe(true)
    })
    feed.push({type: 'approval', taskId: T, kind: 'command', subject: 'make deploy', approved: true})
    await vi.waitFor(() => expect(lastFrame()).not.toMatch(/\[y\/n\]/))
    unmount()
  })
})
