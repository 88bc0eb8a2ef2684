/**
 * Secret detection, ours against gitleaks 8.30 and detect-secrets 1.5 (issue 15): recall on a
 * planted corpus of token formats with fresh random values, findings on a clean corpus of real
 * secret-free files, and files per second on the clean corpus. The peers are installed by the
 * bench (bench/.tools, bench/.venv-secrets); ours is the built dist/ (npm run build:ts first).
 * Exits non-zero only when the bench itself fails, never on a scanner's misses.
 *
 * `--rounds N` plants N corpora (fresh values each) and counts every value a scanner missed in
 * any of them: a random value falls now and then into a shape a rule skips.
 *
 * Run: npx tsx bench/secrets.ts [--json] [--clean-limit N] [--rounds N] [--keep]
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {DEFAULT_CLEAN_FILES, DEFAULT_SEED, buildCleanCorpus, countByLanguage} from './secrets/clean-corpus.js'
import {planCorpus, writeCorpus} from './secrets/corpus.js'
import {type BenchResult, countByRule, formatReport} from './secrets/report.js'
import {SCANNERS, type Scan, type ScannerId, scanWithDetectSecrets, scanWithGitleaks, scanWithOurs} from './secrets/scanners.js'
import {type FormatOutcome, scoreFormats, summarise} from './secrets/score.js'
import {ensureDetectSecrets, ensureGitleaks} from './secrets/tools.js'

const USAGE = 'usage: npx tsx bench/secrets.ts [--json] [--clean-limit N] [--rounds N] [--keep]'

function positive(flag: string, value: string | undefined, fallback: number): number {
  const number = value === undefined ? fallback : Number(value)
  if (!Number.isInteger(number) || number < 1) throw new Error(`--${flag} takes a positive whole number, not ${value}; ${USAGE}`)
  return number
}

function options(): {json: boolean; cleanLimit: number; rounds: number; keep: boolean} {
  const {values} = parseArgs({options: {json: {type: 'boolean', default: false}, 'clean-limit': {type: 'string'}, rounds: {type: 'string'}, keep: {type: 'boolean', default: false}}})
  return {json: values.json, cleanLimit: positive('clean-limit', values['clean-limit'], DEFAULT_CLEAN_FILES), rounds: positive('rounds', values.rounds, 1), keep: values.keep}
}

const log = (line: string) => process.stderr.write(`${line}\n`)

/** The planted values each scanner missed, as `format (context)`. */
function missesOf(outcomes: readonly FormatOutcome[]): Record<ScannerId, string[]> {
  return Object.fromEntries(SCANNERS.map((scanner) => [scanner, outcomes.filter((outcome) => !outcome.caught[scanner]).map((outcome) => `${outcome.format} (${outcome.context})`)])) as Record<ScannerId, string[]>
}

function main(): void {
  const {json, cleanLimit, rounds, keep} = options()
  const gitleaks = ensureGitleaks(log)
  const detectSecrets = ensureDetectSecrets(log)

  const root = mkdtempSync(join(tmpdir(), 'pyagent-bench-secrets-'))
  try {
    const plantedDir = join(root, 'planted')
    const cleanDir = join(root, 'clean')
    mkdirSync(plantedDir)
    mkdirSync(cleanDir)
    const planted = planCorpus()
    writeCorpus(plantedDir, planted)
    const cleanFiles = buildCleanCorpus(cleanDir, cleanLimit, DEFAULT_SEED)
    log(`corpora in ${root}: ${planted.secrets.length} planted files, ${cleanFiles.length} clean files`)

    // One scanner at a time, so that none of them competes with another for the cores.
    const scanBoth = (scanner: ScannerId, scan: (dir: string) => Scan) => {
      log(`scanning with ${scanner}`)
      return {planted: scan(plantedDir), clean: scan(cleanDir)}
    }
    const scans = {
      ours: scanBoth('ours', scanWithOurs),
      gitleaks: scanBoth('gitleaks', (dir) => scanWithGitleaks(gitleaks, dir)),
      'detect-secrets': scanBoth('detect-secrets', (dir) => scanWithDetectSecrets(detectSecrets, dir)),
    }
    const plantedScans = {ours: scans.ours.planted, gitleaks: scans.gitleaks.planted, 'detect-secrets': scans['detect-secrets'].planted}
    const cleanScans = {ours: scans.ours.clean, gitleaks: scans.gitleaks.clean, 'detect-secrets': scans['detect-secrets'].clean}

    const formats = scoreFormats(planted.secrets, plantedScans)
    const missed = missesOf(formats)
    for (let round = 2; round <= rounds; round++) {
      const dir = join(root, `planted-${round}`)
      mkdirSync(dir)
      const corpus = planCorpus()
      writeCorpus(dir, corpus)
      log(`round ${round} of ${rounds}`)
      const roundScans = {ours: scanWithOurs(dir), gitleaks: scanWithGitleaks(gitleaks, dir), 'detect-secrets': scanWithDetectSecrets(detectSecrets, dir)}
      for (const [scanner, values] of Object.entries(missesOf(scoreFormats(corpus.secrets, roundScans)))) missed[scanner as ScannerId].push(...values)
    }
    const byContext: Record<string, number> = {}
    for (const secret of planted.secrets) byContext[secret.context] = (byContext[secret.context] ?? 0) + 1
    const result: BenchResult = {
      planted: {formats: planted.secrets.length, byContext},
      clean: {files: cleanFiles.length, byLanguage: countByLanguage(cleanFiles), seed: DEFAULT_SEED},
      scanners: summarise(formats, plantedScans, cleanScans, cleanFiles.length),
      formats,
      rounds: {count: rounds, missed},
      oursCleanFindings: cleanScans.ours.findings,
      cleanFindingsByRule: {ours: countByRule(cleanScans.ours.findings), gitleaks: countByRule(cleanScans.gitleaks.findings), 'detect-secrets': countByRule(cleanScans['detect-secrets'].findings)},
    }
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReport(result)}\n`)
  } finally {
    if (keep) log(`kept the corpora in ${root}`)
    else rmSync(root, {recursive: true, force: true})
  }
}

try {
  main()
} catch (error) {
  log(`bench/secrets.ts failed: ${(error as Error).message}`)
  process.exit(1)
}
