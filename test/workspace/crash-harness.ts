/**
 * One crash trial: a child process commits generations of 50 files in a loop and is SIGKILLed
 * at a random moment; the workspace is then opened, recovery run, and every file must be
 * byte-identical to one single generation, the one the journal's last committed transaction wrote.
 */
import {execa} from 'execa'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {blake3} from '../../src/native.js'
import {applyStates} from '../../src/workspace/apply.js'
import {recover} from '../../src/workspace/recovery.js'
import {Workspace} from '../../src/workspace/workspace.js'
// @ts-expect-error: plain ESM shared with the child process, no type declarations
import {FILE_COUNT, fileContent, fileName, parseGeneration} from './crash-files.mjs'

const CHILD = fileURLToPath(new URL('crash-child.mjs', import.meta.url))

export interface TrialOutcome {
  generation: number
  recovered: 'rolled-forward' | 'nothing'
  /** Files recovery left as the person edited them, with its own version put aside. */
  keptAside: number
}

/** A pid no process has (above Linux's pid_max default of 2^22). */
const DEAD_PID = 2 ** 22 + 12345

/**
 * Leaves the repository as a crash in the middle of a commit would: the transaction (a.txt
 * rewritten to "a2", b.txt deleted) is journaled `committing`, a.txt is already renamed into
 * place, b.txt still exists, a temp file is left behind, and its process is gone.
 * The repository must hold a.txt and b.txt. Returns the transaction's id.
 */
export async function interruptMidCommit(root: string): Promise<string> {
  const workspace = await Workspace.open(root)
  try {
    const tx = workspace.begin()
    tx.write('a.txt', 'a2\n')
    tx.delete('b.txt')
    const entries = (tx as unknown as {verify(): Parameters<typeof workspace.journal.journalCommit>[1]}).verify()
    workspace.journal.journalCommit(tx.id, entries)
    await applyStates(root, tx.id, [{path: 'a.txt', target: entries[0]!.after, content: entries[0]!.afterContent}])
    writeFileSync(join(root, `.b.txt.pyagent-${tx.id.slice(0, 8)}.tmp`), 'half')
    workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ?').run(DEAD_PID, tx.id)
    return tx.id
  } finally {
    workspace.close()
  }
}

export function seedFiles(root: string): void {
  for (let index = 0; index < FILE_COUNT; index++) writeFileSync(join(root, fileName(index)), fileContent(index, 0))
}

/** What a person did between the kill and the next command: rewrote one file. */
export interface UserEdit {
  path: string
  content: string
}

/**
 * Kills the committing child after `delayMs` (measured from its "ready"); with `edit`, a person
 * then rewrites one file before the next command; recovery runs, and the outcome is checked.
 */
export async function crashTrial(root: string, delayMs: number, edit?: UserEdit): Promise<TrialOutcome> {
  const child = execa(process.execPath, [CHILD, root], {reject: false, stdin: 'ignore', buffer: false, stderr: 'inherit'})
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve())
    child.once('exit', (code) => reject(new Error(`crash child exited (${code}) before it was ready`)))
  })
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  child.kill('SIGKILL')
  await child
  if (edit) writeFileSync(join(root, edit.path), edit.content)

  const outcome = await checkRecovered(root, edit)
  // The person puts the file back in line with the others, so the next trial starts from one generation.
  if (edit) writeFileSync(join(root, edit.path), fileContent(FILE_INDEX(edit.path), outcome.generation))
  return outcome
}

function FILE_INDEX(path: string): number {
  return Number(/^f(\d+)\.txt$/.exec(path)![1])
}

/**
 * Opens the workspace, runs recovery, and checks the files are wholly one generation, the
 * journal's last; a file the person edited after the crash must be exactly as they left it, and
 * when the recovered transaction would have written it, its version must be kept aside.
 */
export async function checkRecovered(root: string, edit?: UserEdit): Promise<TrialOutcome> {
  const workspace = Workspace.open(root)
  const recovery = await recover(workspace.root, workspace.journal)
  try {
    if (recovery.failed.length > 0) throw new Error(`recovery failed: ${JSON.stringify(recovery.failed)}`)
    if (edit && readFileSync(join(root, edit.path), 'utf8') !== edit.content) throw new Error(`recovery overwrote ${edit.path}, which the user had edited`)
    const generations = new Set<number>()
    for (let index = 0; index < FILE_COUNT; index++) {
      if (edit?.path === fileName(index)) continue
      const content = readFileSync(join(root, fileName(index)), 'utf8')
      const generation = parseGeneration(content) as number
      if (content !== fileContent(index, generation)) throw new Error(`${fileName(index)} is torn: ${JSON.stringify(content.slice(0, 60))}`)
      generations.add(generation)
    }
    if (generations.size !== 1) throw new Error(`files are a mix of generations ${[...generations].sort().join(', ')}`)
    const [generation] = [...generations] as [number]
    const last = workspace.journal.transactionsWithStatus(['committed']).at(-1)
    if (last) {
      for (const file of workspace.journal.files(last.id)) {
        if (file.path === edit?.path) continue
        if (blake3(readFileSync(join(root, file.path))) !== file.after_hash) {
          throw new Error(`${file.path} differs from the last committed transaction ${last.id}`)
        }
      }
    } else if (generation !== 0) {
      throw new Error(`generation ${generation} on disk but no committed transaction in the journal`)
    }
    for (const kept of recovery.keptAside) {
      if (kept.path !== edit?.path) throw new Error(`recovery kept ${kept.path} aside, but nobody edited it`)
      if (readFileSync(kept.savedAt!, 'utf8') !== fileContent(FILE_INDEX(kept.path), generation)) {
        throw new Error(`the version of ${kept.path} kept aside is not the recovered generation ${generation}`)
      }
    }
    const pending = workspace.journal.transactionsWithStatus(['open', 'committing'])
    if (pending.length > 0) throw new Error(`transactions left unfinished after recovery: ${pending.map((tx) => tx.status).join(', ')}`)
    return {
      generation,
      recovered: recovery.rolledForward.length > 0 ? 'rolled-forward' : 'nothing',
      keptAside: recovery.keptAside.length,
    }
  } finally {
    workspace.close()
  }
}
