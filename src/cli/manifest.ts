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

/** Commands sorted by id: oclif lists them in file-system order, which differs between machines. */
export function renderManifest(manifest: unknown): string {
  const {commands, ...rest} = manifest as {commands: Record<string, unknown>}
  const sorted = Object.fromEntries(Object.entries(commands).sort(([a], [b]) => a.localeCompare(b)))
  return `${JSON.stringify({...rest, commands: sorted}, null, 2)}\n`
}

export async function writeManifest(): Promise<void> {
  writeFileSync(MANIFEST_PATH, renderManifest(await buildManifest()))
}
