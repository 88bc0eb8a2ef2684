/**
 * Runs each scanner over a directory in its own process, timed from spawn to exit, and reads
 * its report into one shape: the file (relative to the directory) and the lines of each finding.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {z} from 'zod'

export const SCANNERS = ['ours', 'gitleaks', 'detect-secrets'] as const
export type ScannerId = (typeof SCANNERS)[number]

export interface Finding {
  file: string
  startLine: number
  endLine: number
  rule: string
}

export interface Scan {
  findings: Finding[]
  seconds: number
}

const OURS_SCRIPT = fileURLToPath(new URL('./ours-scan.mjs', import.meta.url))
const MAX_OUTPUT = 512 * 1024 * 1024

const oursReport = z.array(z.object({file: z.string(), startLine: z.number().int(), endLine: z.number().int(), rule: z.string()}))
const gitleaksReport = z.array(z.object({RuleID: z.string(), File: z.string(), StartLine: z.number().int(), EndLine: z.number().int()}))
const detectSecretsReport = z.object({
  version: z.string(),
  results: z.record(z.string(), z.array(z.object({type: z.string(), line_number: z.number().int()}))),
})

function timed(command: string, args: string[], cwd: string): {stdout: string; seconds: number} {
  const start = process.hrtime.bigint()
  const result = spawnSync(command, args, {cwd, encoding: 'utf8', maxBuffer: MAX_OUTPUT})
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status} in ${cwd}: ${result.stderr.trim().slice(-2000)}`)
  return {stdout: result.stdout, seconds}
}

function parse<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(`${what} is not JSON (first bytes: ${JSON.stringify(text.slice(0, 200))}); run the scanner by hand on the kept corpus (--keep) to see why`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new Error(`${what} does not have the expected shape (${parsed.error.issues[0]?.message}); has the scanner's version changed?`)
  return parsed.data
}

/** Run our detector over a directory by plain node: see ours-scan.mjs. The dist/ build must be current (npm run build:ts). */
export function scanWithOurs(dir: string): Scan {
  const {stdout, seconds} = timed(process.execPath, [OURS_SCRIPT, dir], dir)
  return {findings: parse(oursReport, stdout, "our detector's output"), seconds}
}

export function scanWithGitleaks(binary: string, dir: string): Scan {
  const reportDir = mkdtempSync(join(tmpdir(), 'pyagent-gitleaks-'))
  try {
    const reportPath = join(reportDir, 'report.json')
    const {seconds} = timed(binary, ['dir', '.', '--no-banner', '--report-format', 'json', '--report-path', reportPath, '--exit-code', '0', '--redact', '--log-level', 'error'], dir)
    const findings = parse(gitleaksReport, readFileSync(reportPath, 'utf8'), "gitleaks's report")
      .map((finding) => ({file: finding.File, startLine: finding.StartLine, endLine: finding.EndLine, rule: finding.RuleID}))
    return {findings, seconds}
  } finally {
    rmSync(reportDir, {recursive: true, force: true})
  }
}

/** From inside the directory, so that detect-secrets reports paths relative to it. */
export function scanWithDetectSecrets(binary: string, dir: string): Scan {
  const {stdout, seconds} = timed(binary, ['scan', '--all-files', '.'], dir)
  const report = parse(detectSecretsReport, stdout, "detect-secrets's report")
  const findings = Object.entries(report.results).flatMap(([file, results]) =>
    results.map((result) => ({file, startLine: result.line_number, endLine: result.line_number, rule: result.type})))
  return {findings, seconds}
}
