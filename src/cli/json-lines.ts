/** --json as newline-delimited JSON: one object per line, errors included (`run`, `logs`, `submit --wait`). */
export function writeJsonLine(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json)}\n`)
}
