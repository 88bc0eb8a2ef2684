/**
 * Work handed to the native module in batches, several batches at once: enough files per batch
 * to pay for the hop to a worker thread, one batch in flight per core within the four threads
 * of Node's worker pool.
 */
import {availableParallelism} from 'node:os'

const BATCH = 16
const PARALLEL = Math.max(1, Math.min(availableParallelism(), 4))

/** Runs `work` over `items` in batches of BATCH, PARALLEL batches at a time; `done` counts the items finished so far. */
export async function inParallelBatches<T>(items: readonly T[], work: (batch: readonly T[]) => Promise<void>, done?: (finished: number) => void): Promise<void> {
  let next = 0
  let finished = 0
  const worker = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + BATCH)
      next += BATCH
      await work(batch)
      finished += batch.length
      done?.(finished)
    }
  }
  await Promise.all(Array.from({length: PARALLEL}, worker))
}
