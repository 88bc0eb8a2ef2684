/** Turning a command line into argv (no shell is ever involved) and checking it against the allow-list. */

/** Splits on whitespace, honouring single and double quotes; no globbing, no variables, no pipes. */
export function splitCommand(command: string): string[] {
  const argv: string[] = []
  let current = ''
  let quote: '"' | "'" | undefined
  let pending = false
  for (const char of command.trim()) {
    if (quote) {
      if (char === quote) quote = undefined
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      pending = true
    } else if (/\s/.test(char)) {
      if (pending || current) argv.push(current)
      current = ''
      pending = false
    } else {
      current += char
    }
  }
  if (quote) throw new Error(`unbalanced ${quote} quote in: ${command}`)
  if (pending || current) argv.push(current)
  return argv
}

/** A command is allowed when its argv starts with the argv of an allow-list entry. */
export function isAllowedCommand(argv: readonly string[], allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const prefix = splitCommand(entry)
    return prefix.length > 0 && prefix.every((word, index) => argv[index] === word)
  })
}
