import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {buildManifest, MANIFEST_PATH} from '../../src/cli/manifest.js'

describe('oclif.manifest.json', () => {
  it('matches the commands as built; run `npm run manifest` when this fails', async () => {
    const committed = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {commands: Record<string, unknown>}
    const built = (await buildManifest()) as {commands: Record<string, unknown>}
    expect(Object.keys(committed.commands).sort()).toEqual(Object.keys(built.commands).sort())
    expect(committed).toEqual(built)
  })
})
