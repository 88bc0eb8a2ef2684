/** The TUI of `pyagent run`: streaming text, tool calls with status, coloured diffs, a spinner, a token and cost counter, approval prompts. */
import {Box, Text, useApp, useInput} from 'ink'
import React, {useEffect, useReducer, useState} from 'react'

import type {RunStatus} from '../agent/events.js'
import {type Entry, type FeedItem, initialRunState, reduceRun, type RunState} from './run-state.js'

export interface RunFeed {
  subscribe(listener: (item: FeedItem) => void): () => void
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const VISIBLE_ENTRIES = 40
const DIFF_LINES = 40

const STATUS_MARK = {running: '…', ok: '✔', error: '✖', refused: '⊘'} as const
const STATUS_COLOUR = {running: 'yellow', ok: 'green', error: 'red', refused: 'magenta'} as const
const RESULT_COLOUR: Record<RunStatus, string> = {
  done: 'green',
  failed: 'red',
  refused: 'red',
  budget_exhausted: 'yellow',
  rejected: 'magenta',
  interrupted: 'yellow',
}

function Spinner() {
  const [frame, setFrame] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setFrame((current) => (current + 1) % SPINNER.length), 80)
    return () => clearInterval(timer)
  }, [])
  return <Text color="cyan">{SPINNER[frame]}</Text>
}

/** The colour of one line of a unified diff. */
export function diffLineColour(line: string): 'green' | 'red' | 'cyan' | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return undefined
  if (line.startsWith('+')) return 'green'
  if (line.startsWith('-')) return 'red'
  if (line.startsWith('@@')) return 'cyan'
  return undefined
}

function DiffView({entry}: {entry: Extract<Entry, {kind: 'diff'}>}) {
  const lines = entry.unified.split('\n').filter((line) => line !== '' && !line.startsWith('===='))
  const shown = lines.slice(0, DIFF_LINES)
  return (
    <Box flexDirection="column" marginLeft={2}>
      <Text bold>
        {entry.path} <Text color="green">+{entry.added}</Text> <Text color="red">-{entry.removed}</Text>
      </Text>
      {shown.map((line, index) => (
        <Text key={index} color={diffLineColour(line)} dimColor={line.startsWith('---') || line.startsWith('+++')}>
          {line}
        </Text>
      ))}
      {lines.length > shown.length ? <Text dimColor>… {lines.length - shown.length} more lines</Text> : null}
    </Box>
  )
}

function EntryView({entry}: {entry: Entry}) {
  switch (entry.kind) {
    case 'text':
      return <Text>{entry.text.trim()}</Text>
    case 'tool':
      return (
        <Text>
          {entry.status === 'running' ? <Spinner /> : <Text color={STATUS_COLOUR[entry.status]}>{STATUS_MARK[entry.status]}</Text>} <Text bold>{entry.tool}</Text>{' '}
          <Text dimColor>{entry.detail}</Text>
          {entry.status === 'error' || entry.status === 'refused' ? <Text color="red"> {entry.output.split('\n')[0]}</Text> : null}
        </Text>
      )
    case 'diff':
      return <DiffView entry={entry} />
    case 'note':
      return <Text color={entry.tone === 'good' ? 'green' : entry.tone === 'bad' ? 'red' : 'blue'}>{entry.text}</Text>
  }
}

function ApprovalPrompt({state}: {state: RunState}) {
  useInput((input, key) => {
    // The prompt puts the terminal in raw mode, where Ctrl-C is a key, not a signal: pass it on as one.
    if (key.ctrl && input === 'c') {
      state.approval?.respond(false)
      process.kill(process.pid, 'SIGINT')
      return
    }
    const answer = input.toLowerCase()
    if (answer === 'y' || answer === 'n') state.approval?.respond(answer === 'y')
  })
  if (!state.approval) return null
  return (
    <Box borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text>
        Allow {state.approval.kind} <Text bold>{state.approval.subject}</Text>? <Text color="yellow">[y/n]</Text>
      </Text>
    </Box>
  )
}

export function StatusLine({state}: {state: RunState}) {
  const counter = `${state.tokens.toLocaleString('en-US')} tokens · $${state.costUsd.toFixed(4)}`
  if (state.finished) {
    return (
      <Text>
        <Text color={RESULT_COLOUR[state.finished.status]} bold>
          {state.finished.status}
        </Text>{' '}
        <Text dimColor>{counter}</Text>
      </Text>
    )
  }
  return (
    <Text>
      <Spinner /> working <Text dimColor>{counter}</Text>
    </Text>
  )
}

export function RunView({feed, interactive = true}: {feed: RunFeed; interactive?: boolean}) {
  const [state, dispatch] = useReducer(reduceRun, initialRunState)
  const {exit} = useApp()
  useEffect(() => feed.subscribe(dispatch), [feed])
  // Exiting once the result is on screen lets ink paint the final frame before it lets go of the terminal.
  useEffect(() => {
    if (state.finished) exit()
  }, [state.finished, exit])
  const entries = state.entries.slice(-VISIBLE_ENTRIES)
  return (
    <Box flexDirection="column">
      {entries.map((entry, index) => (
        <EntryView key={index} entry={entry} />
      ))}
      {state.finished ? <Text>{state.finished.summary}</Text> : null}
      {interactive && state.approval ? <ApprovalPrompt state={state} /> : null}
      <StatusLine state={state} />
    </Box>
  )
}
