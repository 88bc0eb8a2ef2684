/**
 * The planted corpus: one file per format, the secret in one of the contexts, and a record of
 * which file holds which format on which lines, so that a scanner's findings can be scored.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {CONTEXTS, type ContextId, render} from './contexts.js'
import {FORMATS, type RuleSet, type SecretFormat} from './formats.js'

export interface PlantedSecret {
  /** Path relative to the corpus root, `/`-separated. */
  file: string
  format: string
  ruleSets: readonly RuleSet[]
  context: ContextId
  value: string
  /** 1-based lines of the file the value spans (more than one for a PEM block written out in full). */
  startLine: number
  endLine: number
}

export interface PlantedCorpus {
  files: Array<{path: string; text: string}>
  secrets: PlantedSecret[]
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length

/** A YAML block scalar (`key: |`) or a TOML multi-line string (`key = """`) opens on the line before its text. */
const LITERAL_OPENS_ON_LINE_BEFORE = /(?:\||""")\n[ \t]*$/

/**
 * The lines the value occupies, from the line its literal opens on: its first line is written
 * verbatim in every context, and so is its last (a JSON string escapes the line breaks between
 * them, which keeps it on one line).
 */
function valueLines(text: string, value: string, file: string): {startLine: number; endLine: number} {
  const lines = value.split('\n')
  const start = text.indexOf(lines[0]!)
  const end = text.indexOf(lines.at(-1)!, start)
  if (start < 0 || end < 0) throw new Error(`the planted value is not where ${file} was written: a context renderer changed it; keep values verbatim`)
  const opensBefore = LITERAL_OPENS_ON_LINE_BEFORE.test(text.slice(0, start))
  return {startLine: lineAt(text, start) - (opensBefore ? 1 : 0), endLine: lineAt(text, end)}
}

/** Spreads the formats that may go anywhere evenly over the contexts; the rest go to their own. */
export function planCorpus(formats: readonly SecretFormat[] = FORMATS): PlantedCorpus {
  const files: PlantedCorpus['files'] = []
  const secrets: PlantedSecret[] = []
  let spread = 0
  formats.forEach((format, index) => {
    const allowed = format.contexts ?? CONTEXTS
    const turn = format.contexts ? index : spread++
    const context = allowed[turn % allowed.length]!
    const value = format.generate()
    const rendered = render(context, {
      name: format.name,
      value,
      selfIdentifying: format.selfIdentifying,
      snippet: format.snippet?.(value),
      variant: Math.floor(turn / allowed.length),
    })
    const path = `${String(index).padStart(3, '0')}-${format.id}/${rendered.fileName}`
    files.push({path, text: rendered.text})
    secrets.push({file: path, format: format.id, ruleSets: format.ruleSets, context, value, ...valueLines(rendered.text, value, path)})
  })
  return {files, secrets}
}

export function writeCorpus(root: string, corpus: PlantedCorpus): void {
  for (const file of corpus.files) {
    mkdirSync(dirname(join(root, file.path)), {recursive: true})
    writeFileSync(join(root, file.path), file.text)
  }
}
