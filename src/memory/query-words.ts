/**
 * A text (a task, a question) as an FTS5 query that matches any of its words, shared by the
 * fact search and the code search.
 */

/** A long task text makes a long OR query; its first words say most of what it is about. */
const MAX_QUERY_WORDS = 64

/**
 * Words that say nothing of what a text is about. BM25 gives them little weight, but a result
 * sharing only "the" with the task would still be found, and put in a prompt for nothing.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on or our so than that the their then there these this to was we what when where which who why will with you your'.split(' '),
)

/**
 * The words as an FTS5 query matching any of them, stop words left out; undefined when none is
 * left. Each word is quoted, so that nothing a person or a model types is read as FTS5 syntax
 * (AND, NEAR, a column filter, `*`).
 */
export function anyWordQuery(words: readonly string[]): string | undefined {
  const kept = [...new Set(words.map((word) => word.toLowerCase()))].filter((word) => !STOP_WORDS.has(word)).slice(0, MAX_QUERY_WORDS)
  return kept.length === 0 ? undefined : kept.map((word) => `"${word}"`).join(' OR ')
}
