/**
 * The options a program's `--help` (or man page) lists, read from the lines GNU, BSD, clap,
 * click, argparse and cobra all print: `-s, --long VALUE   description`, `--long=<value>`, or
 * `-s VALUE`. What takes a value becomes a string, what does not a flag. It is a proposal: the
 * person adding the tool sees it before it is kept.
 */
export interface HelpOption {
  /** The option as written on a command line: `--long` or `-s`. */
  flag: string
  takesValue: boolean
  description: string
}

/** More than this and the help is not a list of options a model can use well. */
export const MAX_OPTIONS = 80
const MAX_DESCRIPTION = 200

const OPTION_LINE =
  /^\s{1,12}(?:(-[A-Za-z0-9?]),?\s*)?(--[A-Za-z0-9][\w.-]*)?(\[?[ =]?(?:<[^>]+>|[A-Z][A-Z0-9_-]*|\{[^}]+\}|\[[^\]]+\]))?\]?(?:\s{2,}|\t|$)(.*)$/

export function helpOptions(help: string): HelpOption[] {
  const found = new Map<string, HelpOption>()
  for (const line of help.split(/\r?\n/)) {
    const match = OPTION_LINE.exec(line)
    if (!match) continue
    const [, short, long, value, description] = match
    const flag = long ?? short
    if (!flag || flag === '--help' || flag === '-h' || flag === '--version' || found.has(flag)) continue
    found.set(flag, {flag, takesValue: value !== undefined, description: (description ?? '').trim().slice(0, MAX_DESCRIPTION)})
    if (found.size >= MAX_OPTIONS) break
  }
  return [...found.values()]
}
