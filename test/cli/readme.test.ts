import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {renderConfigReference, withCurrentReference} from '../../src/config/reference.js'
import {CONFIG_KEYS, envVarFor} from '../../src/config/schema.js'

describe('README configuration reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

  it('is the table rendered from the schema; run `npm run docs` when this fails', () => {
    expect(readme).toBe(withCurrentReference(readme))
  })

  it('has a row for every key with its environment variable', () => {
    const table = renderConfigReference()
    for (const key of CONFIG_KEYS) expect(table).toContain(`| \`${key}\` | \`${envVarFor(key)}\` |`)
  })
})
