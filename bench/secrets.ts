/**
 * Secret detection, ours against gitleaks 8.30 and detect-secrets 1.5 (issue 15): recall on a
 * planted corpus of token formats with fresh random values, findings on a clean corpus of real
 * secret-free files, and files per second on the clean corpus. The peers are installed by the
 * bench (bench/.tools, bench/.venv-secrets); ours is the built dist/ (npm run build:ts first).
 * Exits non-zero only when the bench itself fails, never on a scanner's misses.
 *
 * Run: npx tsx bench/secrets.ts [--json] [--clean-limit N] [--keep]
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {DEFAULT_CLEAN_FILES, DEFAULT_SEED, buildCleanCorpus, countByLanguage} from './secrets/clean-corpus.js'
import {planCorpus, writeCorpus} from './secrets/corpus.js'
import {type BenchResult, countByRule, formatReport} from './secrets/report.js'
import {type Scan, type ScannerId, scanWithDetectSecrets, scanWithGitleaks, scanWithOurs} from './secrets/scanners.js'
import {scoreFormats, summarise} from './secrets/score.js'
import {ensureDetectSecrets, ensureGitleaks} from './secrets/tools.js'

const USAGE = 'usage: npx tsx bench/secrets.ts [--json] [--clean-limit N] [--keep]'

function options(): {json: boolean; cleanLimit: number; keep: boolean} {
  const {values} = parseArgs({options: {json: {type: 'boolean', default: false}, 'clean-limit': {type: 'string'}, keep: {type: 'boolean', default: false}}})
  const cleanLimit = values['clean-limit'] === undefined ? DEFAULT_CLEAN_FILES : Number(values['clean-limit'])
  if (!Number.isInteger(cleanLimit) || cleanLimit < 1) throw new Error(`--clean-limit takes a positive whole number of files, not ${values['clean-limit']}; ${USAGE}`)
  return {json: values.json, cleanLimit, keep: values.keep}
}

const log = (line: string) => process.stderr.write(`${line}\n`)

function main(): void {
  const {json, cleanLimit, keep} = options()
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
    const byContext: Record<string, number> = {}
    for (const secret of planted.secrets) byContext[secret.context] = (byContext[secret.context] ?? 0) + 1
    const result: BenchResult = {
      planted: {formats: planted.secrets.length, byContext},
      clean: {files: cleanFiles.length, byLanguage: countByLanguage(cleanFiles), seed: DEFAULT_SEED},
      scanners: summarise(formats, plantedScans, cleanScans, cleanFiles.length),
      formats,
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
