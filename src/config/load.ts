/**
 * Resolves the configuration from its sources, highest first:
 * flags > environment `PYAGENT_*` > `<repo>/.pyagent/config.json` > user config > defaults.
 * Each source is validated on its own, so an error names the file or variable at fault.
 */
import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {z} from 'zod'

import {ConfigError} from './errors.js'
import {CONFIG_KEYS, type Config, type ConfigKey, configSchema, envVarFor, isConfigKey} from './schema.js'

export type ConfigSourceKind = 'flag' | 'env' | 'repo' | 'user' | 'default'

export interface ConfigSource {
  kind: ConfigSourceKind
  /** The file path or variable name, for messages. */
  label: string
  values: Partial<Record<ConfigKey, unknown>>
}

export interface ResolvedConfig {
  config: Config
  /** Where each key's value came from. */
  origins: Record<ConfigKey, {kind: ConfigSourceKind; label: string}>
}

export interface LoadOptions {
  repoRoot: string
  flags?: Partial<Record<ConfigKey, unknown>>
  env?: NodeJS.ProcessEnv
  userConfigPath?: string
}

export function repoConfigPath(repoRoot: string): string {
  return join(repoRoot, '.pyagent', 'config.json')
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'pyagent', 'config.json')
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.message
}

function fieldSchema(key: ConfigKey): z.ZodType {
  return configSchema.shape[key] as z.ZodType
}

/**
 * Validates one key's value; the error names the source, the key and what was expected. `shown`
 * is what the person wrote, when the value was parsed from text (JSON shows an unparsable number as null).
 */
export function validateValue(key: ConfigKey, value: unknown, sourceLabel: string, shown: unknown = value): unknown {
  const result = fieldSchema(key).safeParse(value)
  if (!result.success) {
    const expected = result.error.issues.map(describeIssue).join('; ')
    throw new ConfigError(`${sourceLabel}: invalid value for "${key}": ${expected} (got ${JSON.stringify(shown)})`)
  }
  return result.data
}

function baseType(schema: z.ZodType): string {
  let current = schema as z.ZodType & {def: {type: string; innerType?: z.ZodType}}
  while (current.def.innerType && (current.def.type === 'default' || current.def.type === 'optional')) {
    current = current.def.innerType as typeof current
  }
  return current.def.type
}

/** JSON text a person typed for one key; an error says which key, what was typed and what the key takes. */
function parseJsonValue(key: ConfigKey, text: string, sourceLabel: string, expected: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const meaning = fieldSchema(key).description
    throw new ConfigError(
      `${sourceLabel}: the value ${text} is not valid JSON (${(error as Error).message}); expected ${expected}${meaning ? ` (${key}: ${meaning})` : ''}`,
    )
  }
}

/**
 * Turns a string (an environment variable or a `config set` argument) into the key's type:
 * numbers and booleans are parsed, a list is JSON or comma-separated.
 */
export function parseTextValue(key: ConfigKey, text: string, sourceLabel: string): unknown {
  const type = baseType(fieldSchema(key))
  let value: unknown = text
  if (type === 'number') value = text.trim() === '' ? Number.NaN : Number(text)
  if (type === 'boolean') {
    const lowered = text.trim().toLowerCase()
    value = ['true', '1', 'yes'].includes(lowered) ? true : ['false', '0', 'no'].includes(lowered) ? false : text
  }
  if (type === 'record' || type === 'object') value = parseJsonValue(key, text, sourceLabel, 'a JSON object')
  if (type === 'array') {
    value = text.trim().startsWith('[') ? parseJsonValue(key, text, sourceLabel, 'a JSON array or comma-separated values') : text.split(',').map((part) => part.trim())
  }
  return validateValue(key, value, sourceLabel, text)
}

export function parseJsonText(text: string, sourceLabel: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`${sourceLabel}: not valid JSON (${(error as Error).message})`)
  }
}

function readConfigFile(path: string, kind: 'repo' | 'user'): ConfigSource | undefined {
  if (!existsSync(path)) return undefined
  const raw = parseJsonText(readFileSync(path, 'utf8'), path)
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a JSON object of settings, got ${Array.isArray(raw) ? 'an array' : typeof raw}`)
  }
  const values: ConfigSource['values'] = {}
  for (const [key, value] of Object.entries(raw)) {
    if (!isConfigKey(key)) {
      throw new ConfigError(`${path}: unknown setting "${key}". Known settings: ${CONFIG_KEYS.join(', ')}`)
    }
    values[key] = validateValue(key, value, path)
  }
  return {kind, label: path, values}
}

function envSource(env: NodeJS.ProcessEnv): ConfigSource {
  const values: ConfigSource['values'] = {}
  for (const key of CONFIG_KEYS) {
    const name = envVarFor(key)
    const text = env[name]
    if (text !== undefined) values[key] = parseTextValue(key, text, `environment variable ${name}`)
  }
  return {kind: 'env', label: 'environment', values}
}

function flagSource(flags: LoadOptions['flags'] = {}): ConfigSource {
  const values: ConfigSource['values'] = {}
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue
    if (!isConfigKey(key)) throw new ConfigError(`flag: unknown setting "${key}"`)
    values[key] = validateValue(key, value, `flag --${key}`)
  }
  return {kind: 'flag', label: 'command-line flag', values}
}

export function loadConfig(options: LoadOptions): ResolvedConfig {
  const env = options.env ?? process.env
  const sources = [
    flagSource(options.flags),
    envSource(env),
    readConfigFile(repoConfigPath(options.repoRoot), 'repo'),
    readConfigFile(options.userConfigPath ?? userConfigPath(env), 'user'),
  ].filter((source): source is ConfigSource => source !== undefined)

  const merged: Partial<Record<ConfigKey, unknown>> = {}
  const origins = {} as ResolvedConfig['origins']
  for (const key of CONFIG_KEYS) {
    const source = sources.find((candidate) => candidate.values[key] !== undefined)
    if (source) merged[key] = source.values[key]
    origins[key] = source ? {kind: source.kind, label: source.label} : {kind: 'default', label: 'default'}
  }
  return {config: configSchema.parse(merged), origins}
}
