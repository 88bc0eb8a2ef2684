/** Lays a task out as a fresh git repository, applies its reference fix, and runs its tests. */
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {type BenchTask, type FixStep, IGNORED, TEST_COMMANDS} from './task.js'

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), {recursive: true})
    writeFileSync(join(root, path), content)
  }
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=bench@pyagent.invalid', '-c', 'user.name=bench', ...args], {cwd: root, stdio: 'ignore'})
}

/** A new repository holding the task's files, committed, with PyAgent told how to run its tests. */
export function layOut(task: BenchTask, config: Record<string, unknown> = {}): string {
  const root = mkdtempSync(join(tmpdir(), `pyagent-task-${task.id}-`))
  writeFiles(root, {...task.files, '.gitignore': [...IGNORED[task.language], ''].join('\n')})
  git(root, 'init', '-q', '-b', 'main')
  git(root, 'add', '-A')
  git(root, 'commit', '-qm', 'task')
  writeFiles(root, {'.pyagent/config.json': JSON.stringify({testCommand: TEST_COMMANDS[task.language].visible.join(' '), ...config})})
  return root
}

export function applyFix(root: string, steps: readonly FixStep[]): void {
  for (const step of steps) {
    const path = join(root, step.path)
    if ('content' in step) {
      writeFiles(root, {[step.path]: step.content})
      continue
    }
    const before = readFileSync(path, 'utf8')
    const at = before.indexOf(step.search)
    if (at < 0 || before.indexOf(step.search, at + 1) >= 0) throw new Error(`${step.path}: the fix's search text must occur exactly once`)
    writeFileSync(path, before.slice(0, at) + step.replace + before.slice(at + step.search.length))
  }
}

export interface TestRun {
  passed: boolean
  output: string
}

/** Runs the task's visible or hidden tests (the hidden files are written first). */
export function runTests(task: BenchTask, root: string, which: 'visible' | 'hidden', timeoutMs = 300_000): TestRun {
  if (which === 'hidden') writeFiles(root, task.hidden)
  const [command, ...args] = TEST_COMMANDS[task.language][which]
  const result = spawnSync(command!, args, {cwd: root, encoding: 'utf8', timeout: timeoutMs, env: {...process.env, CARGO_TERM_COLOR: 'never'}})
  return {passed: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-2000)}
}

/**
 * What makes a task worth measuring: its visible and hidden tests fail as given, and pass once
 * the reference fix is in. Returns what is wrong, or an empty list.
 */
export function checkTask(task: BenchTask): string[] {
  const problems: string[] = []
  const before = layOut(task)
  if (runTests(task, before, 'visible').passed) problems.push('the visible test passes before the fix')
  if (runTests(task, before, 'hidden').passed) problems.push('the hidden test passes before the fix')
  const after = layOut(task)
  try {
    applyFix(after, task.fix)
  } catch (error) {
    return [...problems, (error as Error).message]
  }
  const visible = runTests(task, after, 'visible')
  if (!visible.passed) problems.push(`the visible test fails after the fix: ${visible.output}`)
  const hidden = runTests(task, after, 'hidden')
  if (!hidden.passed) problems.push(`the hidden test fails after the fix: ${hidden.output}`)
  return problems
}
