/**
 * What a task's checks teach, as facts. Their text is stable from run to run (a duration is
 * rounded to a coarse step), so the next run that sees the same states the same fact, and
 * strengthens it, instead of adding a near copy.
 */
import type {FactKind} from './facts.js'

/** A duration on a 1-2-5 scale ("about 2 s", "about 50 s", "about 3 min"): runs that differ by a little say the same. */
export function roughDuration(ms: number): string {
  if (ms < 1000) return 'under a second'
  const seconds = ms / 1000
  const scale = 10 ** Math.floor(Math.log10(seconds))
  const step = [1, 2, 5, 10].reduce((best, candidate) => (Math.abs(seconds - candidate * scale) < Math.abs(seconds - best * scale) ? candidate : best))
  const rounded = step * scale
  return rounded < 120 ? `about ${rounded} s` : `about ${Math.round(rounded / 60)} min`
}

/** A test command that passed on the task's final tree: how the tests run, and how long they take. */
export function passingTestFacts(command: string, ms: number): {kind: FactKind; text: string}[] {
  return [
    {kind: 'test-command', text: `The tests run with \`${command}\`.`},
    {kind: 'duration', text: `\`${command}\` takes ${roughDuration(ms)}.`},
  ]
}
