import {describe, expect, it} from 'vitest'

import {tempDir} from '../support/temp-repo.js'
import {crashTrial, seedFiles, type TrialOutcome} from './crash-harness.js'
// @ts-expect-error: plain ESM shared with the child process, no type declarations
import {FILE_COUNT, fileName} from './crash-files.mjs'

const TRIALS = 100
/** Two independent workspaces killed side by side: the machine has two cores. */
const LANES = 2
/** A 50-file commit takes tens of ms here, so kills spread over before, inside and between commits. */
const MAX_DELAY_MS = 100

async function lane(trials: number): Promise<TrialOutcome[]> {
  const root = tempDir('pyagent-crash-')
  seedFiles(root)
  const outcomes: TrialOutcome[] = []
  for (let trial = 0; trial < trials; trial++) {
    // Every other kill, a person edits a file before PyAgent runs again: recovery must keep their edit.
    const edit = trial % 2 === 1 ? {path: fileName(Math.floor(Math.random() * FILE_COUNT)) as string, content: `edited by hand after kill ${trial}\n`} : undefined
    outcomes.push(await crashTrial(root, Math.random() * MAX_DELAY_MS, edit))
  }
  return outcomes
}

describe('crash recovery under SIGKILL', () => {
  it(`leaves 50 files wholly one generation after ${TRIALS} kills at random moments, a file edited after the kill kept as edited`, {timeout: 120_000}, async () => {
    const outcomes = (await Promise.all(Array.from({length: LANES}, () => lane(TRIALS / LANES)))).flat()
    expect(outcomes).toHaveLength(TRIALS)
    // The kills must have landed inside commits too, not only before the first one began.
    expect(outcomes.filter((outcome) => outcome.recovered === 'rolled-forward').length).toBeGreaterThan(0)
    expect(Math.max(...outcomes.map((outcome) => outcome.generation))).toBeGreaterThan(1)
    // And some edits landed on a file the interrupted commit had yet to rename: kept, PyAgent's version put aside.
    expect(outcomes.filter((outcome) => outcome.keptAside > 0).length).toBeGreaterThan(0)
  })
})
