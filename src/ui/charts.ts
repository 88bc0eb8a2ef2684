/** Terminal charts of plain characters: a sparkline of a series, and a bar scaled to the largest value shown. */
const SPARKS = '▁▂▃▄▅▆▇█'

/** One character per value, its height relative to the series' largest; a missing value is a space. */
export function sparkline(values: readonly (number | null)[]): string {
  const present = values.filter((value): value is number => value !== null)
  const top = Math.max(0, ...present)
  return values
    .map((value) => {
      if (value === null) return ' '
      if (top === 0) return SPARKS[0]
      return SPARKS[Math.min(SPARKS.length - 1, Math.round((value / top) * (SPARKS.length - 1)))]
    })
    .join('')
}

/** A horizontal bar `width` cells long at `max`, in eighths of a cell. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return ''
  const eighths = Math.max(1, Math.round((value / max) * width * 8))
  const partial = eighths % 8 === 0 ? '' : ' ▏▎▍▌▋▊▉'[eighths % 8]!
  return '█'.repeat(Math.floor(eighths / 8)) + partial
}
