import {describe, expect, it} from 'vitest'

import {tempDir} from '../support/temp-repo.js'
import {crashTrial, seedFiles, type TrialOutcome} from './crash-harness.js'

const TRIALS = 100
/** Two independent workspaces killed side by side: the machine has two cores. */
const LANES = 2
/** A 50-file commit takes tens of ms here, so kills spread over before, inside and between commits. */
const MAX_DELAY_MS = 100

async function lane(trials: number): Promise<TrialOutcome[]> {
  const root = tempDir('pyagent-crash-')
  seedFiles(root)
  const outcomes: TrialOutcome[] = []
  for (let trial = 0; trial < trials; trial++) outcomes.push(await crashTrial(root, Math.random() * MAX_DELAY_MS))
  return outcomes
}

describe('crash recovery under SIGKILL', () => {
  it(`leaves 50 files wholly one generation after ${TRIALS} kills at random moments`, {timeout: 120_000}, async () => {
    const outcomes = (await Promise.all(Array.from({length: LANES}, () => lane(TRIALS / LANES)))).flat()
    expect(outcomes).toHaveLength(TRIALS)
    // The kills must have landed inside commits too, not only before the first one began.
    expect(outcomes.filter((outcome) => outcome.recovered === 'rolled-forward').length).toBeGreaterThan(0)
    expect(Math.max(...outcomes.map((outcome) => outcome.generation))).toBeGreaterThan(1)
  })
})
