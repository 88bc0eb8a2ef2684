/** Scores each scanner's findings: which planted formats it caught, and what it found in clean code. */
import type {PlantedSecret} from './corpus.js'
import type {RuleSet} from './formats.js'
import {type Finding, type Scan, SCANNERS, type ScannerId} from './scanners.js'

export interface FormatOutcome {
  format: string
  context: string
  ruleSets: readonly RuleSet[]
  caught: Record<ScannerId, boolean>
}

export interface ScannerSummary {
  caught: number
  /** Of the formats its own rule set defines (for the peers), how many it caught: a check that the corpus is fair to it. */
  caughtOwn?: {caught: number; of: number}
  cleanFindings: number
  cleanSeconds: number
  plantedSeconds: number
  cleanFilesPerSecond: number
}

/** Caught when the scanner reports anything in the secret's file on a line the secret occupies. */
export function isCaught(secret: PlantedSecret, findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.file === secret.file && finding.startLine <= secret.endLine && finding.endLine >= secret.startLine)
}

export function scoreFormats(secrets: readonly PlantedSecret[], planted: Record<ScannerId, Scan>): FormatOutcome[] {
  return secrets.map((secret) => ({
    format: secret.format,
    context: secret.context,
    ruleSets: secret.ruleSets,
    caught: Object.fromEntries(SCANNERS.map((scanner) => [scanner, isCaught(secret, planted[scanner].findings)])) as Record<ScannerId, boolean>,
  }))
}

const OWN_RULE_SET: Partial<Record<ScannerId, RuleSet>> = {gitleaks: 'gitleaks', 'detect-secrets': 'detect-secrets'}

export function summarise(outcomes: readonly FormatOutcome[], planted: Record<ScannerId, Scan>, clean: Record<ScannerId, Scan>, cleanFiles: number): Record<ScannerId, ScannerSummary> {
  const summary = (scanner: ScannerId): ScannerSummary => {
    const own = OWN_RULE_SET[scanner]
    const owned = own ? outcomes.filter((outcome) => outcome.ruleSets.includes(own)) : []
    return {
      caught: outcomes.filter((outcome) => outcome.caught[scanner]).length,
      ...(own ? {caughtOwn: {caught: owned.filter((outcome) => outcome.caught[scanner]).length, of: owned.length}} : {}),
      cleanFindings: clean[scanner].findings.length,
      cleanSeconds: clean[scanner].seconds,
      plantedSeconds: planted[scanner].seconds,
      cleanFilesPerSecond: cleanFiles / clean[scanner].seconds,
    }
  }
  return Object.fromEntries(SCANNERS.map((scanner) => [scanner, summary(scanner)])) as Record<ScannerId, ScannerSummary>
}
