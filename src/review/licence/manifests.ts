/**
 * Dependency lists from the manifests the audit understands: name → version requirement.
 * A manifest that does not parse yields undefined; the audit then says so instead of guessing.
 */
import {basename} from 'node:path'
import {parse as parseToml} from 'smol-toml'
import {z} from 'zod'

export type Ecosystem = 'npm' | 'cargo' | 'python' | 'go'

export function ecosystemOf(path: string): Ecosystem | undefined {
  const name = basename(path)
  if (name === 'package.json') return path.split('/').includes('node_modules') ? undefined : 'npm'
  if (name === 'Cargo.toml') return 'cargo'
  if (name === 'pyproject.toml' || /^requirements.*\.txt$/.test(name) || /(^|\/)requirements\/[^/]+\.txt$/.test(path)) return 'python'
  if (name === 'go.mod') return 'go'
  return undefined
}

type Dependencies = Map<string, string>

const looseRecord = z.record(z.string(), z.unknown())

const packageJson = z.looseObject({
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
})

function npmDependencies(text: string): Dependencies {
  const manifest = packageJson.parse(JSON.parse(text))
  return new Map(
    [manifest.peerDependencies, manifest.optionalDependencies, manifest.devDependencies, manifest.dependencies].flatMap(
      (group) => Object.entries(group ?? {}),
    ),
  )
}

function cargoVersion(spec: unknown): string {
  if (typeof spec === 'string') return spec
  const table = looseRecord.safeParse(spec)
  if (!table.success) return ''
  const {version, git, path} = table.data
  return String(version ?? git ?? path ?? '')
}

function cargoDependencies(text: string): Dependencies {
  const manifest = looseRecord.parse(parseToml(text))
  const tables: unknown[] = []
  const collect = (scope: Record<string, unknown>) => {
    for (const key of ['dependencies', 'dev-dependencies', 'build-dependencies']) tables.push(scope[key])
  }
  collect(manifest)
  const targets = looseRecord.safeParse(manifest.target)
  if (targets.success) for (const target of Object.values(targets.data)) collect(looseRecord.catch({}).parse(target))
  const workspace = looseRecord.safeParse(manifest.workspace)
  if (workspace.success) collect(workspace.data)
  const dependencies: Dependencies = new Map()
  for (const table of tables) {
    const parsed = looseRecord.safeParse(table)
    if (!parsed.success) continue
    for (const [name, spec] of Object.entries(parsed.data)) {
      const renamed = looseRecord.safeParse(spec)
      const realName = renamed.success && typeof renamed.data.package === 'string' ? renamed.data.package : name
      dependencies.set(realName, cargoVersion(spec))
    }
  }
  return dependencies
}

/** PEP 508: `name[extra] >=1.0 ; python_version < "3.12"` → [normalised name, requirement]. */
function pep508(requirement: string): [string, string] | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)/.exec(requirement)
  if (!match?.[1]) return undefined
  return [normalisePythonName(match[1]), (match[2] ?? '').trim()]
}

export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

function requirementsDependencies(text: string): Dependencies {
  const dependencies: Dependencies = new Map()
  for (const line of text.split('\n')) {
    const trimmed = line.replace(/\s#.*$/, '').trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('-') || trimmed.includes('://')) continue
    const parsed = pep508(trimmed)
    if (parsed) dependencies.set(...parsed)
  }
  return dependencies
}

function pyprojectDependencies(text: string): Dependencies {
  const manifest = looseRecord.parse(parseToml(text))
  const dependencies: Dependencies = new Map()
  const addAll = (list: unknown) => {
    for (const requirement of z.array(z.string()).catch([]).parse(list)) {
      const parsed = pep508(requirement)
      if (parsed) dependencies.set(...parsed)
    }
  }
  const project = looseRecord.catch({}).parse(manifest.project)
  addAll(project.dependencies)
  for (const group of Object.values(looseRecord.catch({}).parse(project['optional-dependencies']))) addAll(group)
  for (const group of Object.values(looseRecord.catch({}).parse(manifest['dependency-groups']))) addAll(group)
  const poetry = looseRecord.catch({}).parse(looseRecord.catch({}).parse(manifest.tool).poetry)
  for (const [name, spec] of Object.entries(looseRecord.catch({}).parse(poetry.dependencies))) {
    if (name.toLowerCase() !== 'python') dependencies.set(normalisePythonName(name), cargoVersion(spec))
  }
  return dependencies
}

function goDependencies(text: string): Dependencies {
  const dependencies: Dependencies = new Map()
  let inBlock = false
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim()
    if (/^require\s*\($/.test(line)) inBlock = true
    else if (inBlock && line === ')') inBlock = false
    else {
      const match = (inBlock ? /^(\S+)\s+(\S+)$/ : /^require\s+(\S+)\s+(\S+)$/).exec(line)
      if (match?.[1] && match[2]) dependencies.set(match[1], match[2])
    }
  }
  return dependencies
}

const PARSERS: Record<Ecosystem, (text: string, path: string) => Dependencies> = {
  npm: npmDependencies,
  cargo: cargoDependencies,
  python: (text, path) => (basename(path) === 'pyproject.toml' ? pyprojectDependencies(text) : requirementsDependencies(text)),
  go: goDependencies,
}

export function parseDependencies(ecosystem: Ecosystem, path: string, text: string): Dependencies | undefined {
  try {
    return PARSERS[ecosystem](text, path)
  } catch {
    return undefined
  }
}
