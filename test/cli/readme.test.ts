import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {CONFIG_KEYS, envVarFor} from '../../src/config/schema.js'

describe('README configuration reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

  it.each(CONFIG_KEYS)('documents %s and its environment variable', (key) => {
    expect(readme).toContain(`| \`${key}\` | \`${envVarFor(key)}\` |`)
  })
})
