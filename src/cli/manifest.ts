/**
 * Generates oclif.manifest.json from the compiled commands, the way `oclif manifest` does,
 * without pulling the whole oclif packaging toolchain into the dependencies.
 */
import {Plugin} from '@oclif/core'
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const MANIFEST_PATH = fileURLToPath(new URL('../../oclif.manifest.json', import.meta.url))

export async function buildManifest(): Promise<unknown> {
  const plugin = new Plugin({
    root: PACKAGE_ROOT,
    type: 'core',
    isRoot: true,
    ignoreManifest: true,
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  })
  await plugin.load()
  return plugin.manifest
}

export function renderManifest(manifest: unknown): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

export async function writeManifest(): Promise<void> {
  writeFileSync(MANIFEST_PATH, renderManifest(await buildManifest()))
}
