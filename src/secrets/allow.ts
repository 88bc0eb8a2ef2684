/** The `redactAllow` setting: values a person declared harmless, as exact strings or `/regex/flags`. */

/** A test for whole values: a regex entry must match all of the value, not a part of it. */
export function allowMatcher(allow: readonly string[]): (value: string) => boolean {
  const patterns = allow.map((entry) => {
    const regex = /^\/(.+)\/([a-z]*)$/s.exec(entry)
    return regex ? new RegExp(`^(?:${regex[1]})$`, regex[2]) : entry
  })
  return (value) => patterns.some((pattern) => (typeof pattern === 'string' ? pattern === value : pattern.test(value)))
}
