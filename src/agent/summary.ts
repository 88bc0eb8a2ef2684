/**
 * A finish summary as the person will read it. A small model can loop on a few characters
 * ("range.js.js.js…") until its token budget runs out; such a run is cut after its first unit and
 * flagged, so the output says what happened instead of echoing the loop.
 */
export interface TidySummary {
  text: string
  /** True when a run of repetitions was cut out. */
  repeated: boolean
}

/** A unit this long or shorter, repeated at least MIN_REPEATS times in a row over MIN_RUN characters, is a loop. */
const MAX_UNIT = 40
const MIN_REPEATS = 4
const MIN_RUN = 24

/** The start and unit length of the first run of one unit repeated, or undefined. */
function firstLoop(text: string): {start: number; unit: number} | undefined {
  for (let start = 0; start + MIN_RUN <= text.length; start++) {
    for (let unit = 1; unit <= MAX_UNIT && start + unit * MIN_REPEATS <= text.length; unit++) {
      let end = start + unit
      while (end + unit <= text.length && text.startsWith(text.slice(start, start + unit), end)) end += unit
      if ((end - start) / unit >= MIN_REPEATS && end - start >= MIN_RUN) return {start, unit}
    }
  }
  return undefined
}

export function tidySummary(summary: string): TidySummary {
  const text = summary.trim()
  const loop = firstLoop(text)
  if (!loop) return {text, repeated: false}
  return {text: `${text.slice(0, loop.start + loop.unit).trimEnd()}… (the rest repeated itself and was cut)`, repeated: true}
}
