/**
 * A finish summary as the person will read it. A small model can loop on a few characters
 * ("range.js.js.js…") or a sentence until its token budget runs out; a summary that such a loop
 * makes up most of is cut after the loop's first unit and flagged, so the output says what
 * happened instead of echoing the loop. A repeated character inside a real summary (a rule of
 * dashes under a heading) is not a loop: it does not make up most of the text.
 */
export interface TidySummary {
  text: string
  /** True when a run of repetitions was cut out. */
  repeated: boolean
}

/** A unit up to this long, repeated at least MIN_REPEATS times in a row over MIN_RUN characters and half the text, is a loop. */
const MAX_UNIT = 200
const MIN_REPEATS = 3
const MIN_RUN = 24

interface Loop {
  start: number
  unit: number
  length: number
}

/**
 * The longest run of one unit repeated (the shortest unit on a tie). A run of period p is a
 * stretch where every character equals the one p further on; one pass per period finds them all.
 */
function longestLoop(text: string): Loop | undefined {
  let best: Loop | undefined
  for (let unit = 1; unit <= Math.min(MAX_UNIT, Math.floor(text.length / MIN_REPEATS)); unit++) {
    let matched = 0
    for (let index = 0; index + unit <= text.length; index++) {
      if (index + unit < text.length && text[index] === text[index + unit]) {
        matched++
        continue
      }
      const length = matched + unit
      if (matched > 0 && length >= unit * MIN_REPEATS && length > (best?.length ?? 0)) best = {start: index - matched, unit, length}
      matched = 0
    }
  }
  return best
}

export function tidySummary(summary: string): TidySummary {
  const text = summary.trim()
  const loop = longestLoop(text)
  if (!loop || loop.length < MIN_RUN || loop.length * 2 < text.length) return {text, repeated: false}
  return {text: `${text.slice(0, loop.start + loop.unit).trimEnd()}… (the rest repeated itself and was cut)`, repeated: true}
}
