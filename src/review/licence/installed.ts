/**
 * Reads a dependency's declared licence from what is installed on this machine: node_modules,
 * the Cargo registry cache, a Python virtualenv's dist-info, the Go module cache. Nothing is
 * fetched: a review must work offline and fast, so an uninstalled package is "unknown".
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {parse as parseToml} from 'smol-toml'
import {z} from 'zod'

import {type Ecosystem, normalisePythonName} from './manifests.js'
import {licenceFromText} from './spdx.js'

export interface LookupContext {
  repoRoot: string
  /** Repository-relative path of the manifest that declares the dependency. */
  manifestPath: string
  env: NodeJS.ProcessEnv
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

const npmLicenceField = z.union([z.string(), z.object({type: z.string()}).transform((licence) => licence.type)])
const npmPackage = z.looseObject({
  license: npmLicenceField.optional(),
  licenses: z.array(npmLicenceField).optional(),
})

/** node_modules lookup as Node resolves it: from the manifest's directory up to the repository root. */
function npmLicence(name: string, context: LookupContext): string | undefined {
  let dir = join(context.repoRoot, dirname(context.manifestPath))
  for (;;) {
    const text = readText(join(dir, 'node_modules', name, 'package.json'))
    if (text !== undefined) {
      const parsed = npmPackage.safeParse(JSON.parse(text))
      if (!parsed.success) return undefined
      if (parsed.data.license) return parsed.data.license
      const licences = parsed.data.licenses ?? []
      return licences.length > 0 ? licences.join(' OR ') : undefined
    }
    if (relative(context.repoRoot, dir) === '' || dirname(dir) === dir) return undefined
    dir = dirname(dir)
  }
}

const cargoLock = z.object({package: z.array(z.looseObject({name: z.string(), version: z.string()})).default([])})
const cargoManifest = z.looseObject({package: z.looseObject({license: z.string().optional()}).optional()})

function cargoLicence(name: string, context: LookupContext): string | undefined {
  let lockText: string | undefined
  for (let dir = join(context.repoRoot, dirname(context.manifestPath)); lockText === undefined; dir = dirname(dir)) {
    lockText = readText(join(dir, 'Cargo.lock'))
    if (relative(context.repoRoot, dir) === '' || dirname(dir) === dir) break
  }
  if (lockText === undefined) return undefined
  const lock = cargoLock.safeParse(parseToml(lockText))
  const versions = lock.success ? lock.data.package.filter((entry) => entry.name === name).map((entry) => entry.version) : []
  const registries = join(context.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'registry', 'src')
  for (const registry of listDir(registries)) {
    for (const version of versions) {
      const text = readText(join(registries, registry, `${name}-${version}`, 'Cargo.toml'))
      if (text === undefined) continue
      const manifest = cargoManifest.safeParse(parseToml(text))
      if (manifest.success && manifest.data.package?.license) return manifest.data.package.license
    }
  }
  return undefined
}

const CLASSIFIERS: Record<string, string> = {
  'MIT License': 'MIT',
  'Apache Software License': 'Apache-2.0',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Python Software Foundation License': 'PSF-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'The Unlicense (Unlicense)': 'Unlicense',
}

function pythonSitePackages(context: LookupContext): string[] {
  const venvs = [context.env.VIRTUAL_ENV, ...['.venv', 'venv', 'env'].map((name) => join(context.repoRoot, name))]
  return venvs
    .filter((venv): venv is string => venv !== undefined && existsSync(venv))
    .flatMap((venv) => listDir(join(venv, 'lib')).map((python) => join(venv, 'lib', python, 'site-packages')))
}

/** The licence in a dist-info METADATA file: PEP 639 License-Expression, else License, else classifiers. */
export function licenceFromPythonMetadata(metadata: string): string | undefined {
  const header = metadata.split(/\r?\n\r?\n/)[0] ?? ''
  const field = (name: string) => new RegExp(`^${name}:[ \\t]*(.+)$`, 'mi').exec(header)?.[1]?.trim()
  const expression = field('License-Expression')
  if (expression) return expression
  const classifiers = [...header.matchAll(/^Classifier: License :: OSI Approved :: (.+)$/gm)].map((match) => CLASSIFIERS[match[1]?.trim() ?? ''])
  if (classifiers.length > 0 && classifiers.every((id) => id !== undefined)) return classifiers.join(' OR ')
  const licence = field('License')
  return licence && licence.length < 80 ? licence : undefined
}

function pythonLicence(name: string, context: LookupContext): string | undefined {
  for (const sitePackages of pythonSitePackages(context)) {
    for (const entry of listDir(sitePackages)) {
      const match = /^(.+)-[^-]+\.dist-info$/.exec(entry)
      if (!match?.[1] || normalisePythonName(match[1]) !== name) continue
      const metadata = readText(join(sitePackages, entry, 'METADATA'))
      if (metadata !== undefined) return licenceFromPythonMetadata(metadata)
    }
  }
  return undefined
}

/** The Go module cache spells upper-case letters as `!` + lower case. */
function goModuleDir(cache: string, module: string, version: string): string {
  const escaped = module.replace(/[A-Z]/g, (letter) => `!${letter.toLowerCase()}`)
  return join(cache, `${escaped}@${version}`)
}

function goLicence(module: string, version: string, context: LookupContext): string | undefined {
  const cache = context.env.GOMODCACHE ?? join(context.env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod')
  const dir = goModuleDir(cache, module, version)
  const licenceFile = listDir(dir).find((entry) => /^(LICEN[CS]E|COPYING)(\.|$)/i.test(entry))
  const text = licenceFile ? readText(join(dir, licenceFile)) : undefined
  return text === undefined ? undefined : licenceFromText(text)
}

export function installedLicence(ecosystem: Ecosystem, name: string, version: string, context: LookupContext): string | undefined {
  switch (ecosystem) {
    case 'npm':
      return npmLicence(name, context)
    case 'cargo':
      return cargoLicence(name, context)
    case 'python':
      return pythonLicence(name, context)
    case 'go':
      return goLicence(name, version, context)
  }
}
