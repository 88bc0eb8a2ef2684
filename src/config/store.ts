/** Changes to the repository's config file (`<repo>/.pyagent/config.json`), validated first, written atomically. */
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {dirname} from 'node:path'
import writeFileAtomic from 'write-file-atomic'

import {ConfigError} from './errors.js'
import {parseJsonText, parseTextValue, repoConfigPath} from './load.js'
import {CONFIG_KEYS, type ConfigKey, isConfigKey} from './schema.js'

export function assertConfigKey(key: string): ConfigKey {
  if (!isConfigKey(key)) throw new ConfigError(`unknown setting "${key}". Known settings: ${CONFIG_KEYS.join(', ')}`)
  return key
}

/** Parses `text` as the key's type, validates it, and writes the repo config file. Returns the stored value. */
export function setRepoConfigValue(repoRoot: string, key: string, text: string): unknown {
  const configKey = assertConfigKey(key)
  const path = repoConfigPath(repoRoot)
  const value = parseTextValue(configKey, text, `config set ${configKey}`)
  const current = existsSync(path) ? (parseJsonText(readFileSync(path, 'utf8'), path) as Record<string, unknown>) : {}
  current[configKey] = value
  mkdirSync(dirname(path), {recursive: true})
  writeFileAtomic.sync(path, `${JSON.stringify(current, null, 2)}\n`, {fsync: true})
  return value
}
