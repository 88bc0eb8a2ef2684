/**
 * Licence audit of a change: every dependency a manifest adds or re-versions must carry a
 * licence the policy allows (reviewAllowedLicenses, plus the repository's own licence), and an
 * added file's licence header must not conflict with them.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {parse as parseToml} from 'smol-toml'
import {z} from 'zod'

import type {ChangedFile, ChangeSet} from '../changes.js'
import type {Finding} from '../findings.js'
import {installedLicence} from './installed.js'
import {ecosystemOf, parseDependencies} from './manifests.js'
import {judge, licenceFromText, licenceIds} from './spdx.js'

const HEADER_LINES = 40

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The repository's licence: package.json, Cargo.toml or pyproject.toml metadata, else the LICENSE file's wording. */
export function repoLicence(repoRoot: string): string | undefined {
  const packageJson = readText(join(repoRoot, 'package.json'))
  if (packageJson) {
    const licence = z.looseObject({license: z.string().optional()}).safeParse(JSON.parse(packageJson)).data?.license
    if (licence) return licence
  }
  for (const [file, pick] of [
    ['Cargo.toml', (data: Record<string, unknown>) => (data.package as {license?: unknown} | undefined)?.license],
    ['pyproject.toml', (data: Record<string, unknown>) => (data.project as {license?: unknown} | undefined)?.license],
  ] as const) {
    const text = readText(join(repoRoot, file))
    if (!text) continue
    try {
      const licence = pick(parseToml(text) as Record<string, unknown>)
      if (typeof licence === 'string') return licence
    } catch {
      // A malformed manifest says nothing about the licence; fall through to the LICENSE file.
    }
  }
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'COPYING']) {
    const text = readText(join(repoRoot, file))
    if (text) return licenceFromText(text)
  }
  return undefined
}

/** Loose enough for Python's `Strict.Lib` naming `strict-lib`. */
function loose(text: string): string {
  return text.toLowerCase().replace(/[-_.]+/g, '-')
}

function lineOf(file: ChangedFile, name: string): number | undefined {
  const wanted = loose(name)
  return file.addedLines.find((added) => loose(added.text).includes(wanted))?.line
}

export interface LicencePolicy {
  allowed: readonly string[]
  repoRoot: string
  env?: NodeJS.ProcessEnv
}

interface Policy {
  allowed: string[]
  /** " or the repository's MIT", for messages. */
  ownClause: string
  repoRoot: string
  env: NodeJS.ProcessEnv
}

/** Dependencies a manifest adds or re-versions, each with the licence installed metadata declares. */
function auditManifest(file: ChangedFile, changes: ChangeSet, policy: Policy): Finding[] {
  const ecosystem = ecosystemOf(file.path)
  const after = changes.after.get(file.path)
  if (!ecosystem || after === undefined) return []
  const beforeText = changes.before.get(file.path)
  const then = (beforeText === undefined ? undefined : parseDependencies(ecosystem, file.path, beforeText)) ?? new Map<string, string>()
  const findings: Finding[] = []
  for (const [name, version] of parseDependencies(ecosystem, file.path, after) ?? []) {
    if (then.get(name) === version) continue
    const line = lineOf(file, name)
    const at = {path: file.path, ...(line ? {line} : {})}
    const licence = installedLicence(ecosystem, name, version, {repoRoot: policy.repoRoot, manifestPath: file.path, env: policy.env})
    const verdict = licence === undefined ? 'invalid' : judge(licence, policy.allowed)
    if (verdict === 'denied') {
      findings.push({...at, ruleId: 'licence/dependency', severity: 'error', message: `dependency ${name} (${version}) is licensed ${licence}, which is not in reviewAllowedLicenses${policy.ownClause}`})
    } else if (verdict === 'invalid') {
      const why = licence === undefined ? 'is not installed here, so its licence is unknown' : `declares "${licence}", which is not an SPDX expression`
      findings.push({...at, ruleId: 'licence/unknown', severity: 'note', message: `dependency ${name} (${version}) ${why}; check its licence by hand`})
    }
  }
  return findings
}

function auditHeader(file: ChangedFile, changes: ChangeSet, policy: Policy): Finding[] {
  const after = changes.after.get(file.path)
  if (file.status !== 'added' || after === undefined) return []
  const licence = licenceFromText(after.split('\n', HEADER_LINES).join('\n'))
  if (!licence || judge(licence, policy.allowed) !== 'denied') return []
  return [
    {
      path: file.path,
      line: 1,
      ruleId: 'licence/file-header',
      severity: 'error',
      message: `the file's header says ${licence}, which conflicts with reviewAllowedLicenses${policy.ownClause}`,
    },
  ]
}

export function checkLicences(changes: ChangeSet, options: LicencePolicy): Finding[] {
  const ownLicence = repoLicence(options.repoRoot)
  const policy: Policy = {
    allowed: [...options.allowed, ...(ownLicence ? safeIds(ownLicence) : [])],
    ownClause: ownLicence ? ` or the repository's ${ownLicence}` : '',
    repoRoot: options.repoRoot,
    env: options.env ?? process.env,
  }
  return changes.files.flatMap((file) => [...auditManifest(file, changes, policy), ...auditHeader(file, changes, policy)])
}

function safeIds(expression: string): string[] {
  try {
    return licenceIds(expression)
  } catch {
    return []
  }
}
