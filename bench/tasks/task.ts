/**
 * One task of the task benchmark: a tiny repository with a visible failing test, the request a
 * person would make, the reference change, and hidden tests that decide whether it was solved.
 */
export type Language = 'javascript' | 'python' | 'go' | 'rust'

export type TaskKind = 'off-by-one' | 'wrong-operator' | 'missing-case' | 'wrong-api' | 'rename' | 'new-function'

/** One step of the reference change: a search/replace in a file, or a file written whole. */
export type FixStep = {path: string; search: string; replace: string} | {path: string; content: string}

export interface BenchTask {
  id: string
  language: Language
  kind: TaskKind
  /** What the person asks, as they would type it. */
  task: string
  /** The repository before the change, its visible (failing) test included. */
  files: Record<string, string>
  fix: FixStep[]
  /** Added after the run, then run: the task is solved when they pass. */
  hidden: Record<string, string>
}

/** How each language's tests run: the command the agent is given, and the one that judges. */
export const TEST_COMMANDS: Record<Language, {visible: string[]; hidden: string[]}> = {
  javascript: {visible: ['node', 'test.js'], hidden: ['node', 'hidden.test.js']},
  python: {visible: ['python3', 'test_app.py'], hidden: ['python3', 'hidden_test.py']},
  go: {visible: ['go', 'test', './...'], hidden: ['go', 'test', './...']},
  rust: {visible: ['cargo', 'test', '-q'], hidden: ['cargo', 'test', '-q']},
}

/** What each language leaves in the tree that is no part of the task. */
export const IGNORED: Record<Language, string[]> = {
  javascript: ['node_modules/'],
  python: ['__pycache__/'],
  go: [],
  rust: ['target/'],
}
