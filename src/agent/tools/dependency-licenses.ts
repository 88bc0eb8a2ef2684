import {z} from 'zod'

import type {WorkspacePort} from '../ports.js'
import {defineTool} from './tool.js'

function npmLicenses(workspace: WorkspacePort): string[] {
  let manifest: {dependencies?: Record<string, string>; devDependencies?: Record<string, string>}
  try {
    manifest = JSON.parse(workspace.readManifest('package.json') ?? '')
  } catch {
    return []
  }
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]
  return names.map((name) => {
    try {
      const installed = JSON.parse(workspace.readManifest(`node_modules/${name}/package.json`) ?? '') as {license?: unknown}
      return `npm ${name}: ${typeof installed.license === 'string' ? installed.license : 'UNKNOWN'}`
    } catch {
      return `npm ${name}: not installed (licence unknown)`
    }
  })
}

export const dependencyLicensesTool = defineTool({
  name: 'dependency_licenses',
  description: "List the licences of the project's npm dependencies and the SPDX headers of files staged in this task.",
  schema: z.object({}),
  mutates: false,
  async run(_args, context) {
    const lines = npmLicenses(context.workspace)
    for (const change of context.tx.changes()) {
      if (change.content === null) continue
      const spdx = /SPDX-License-Identifier:\s*([^\s*]+)/.exec(change.content.toString('utf8'))
      lines.push(`file ${change.path}: ${spdx?.[1] ?? 'no SPDX header'}`)
    }
    return lines.length === 0 ? 'no dependencies or added files found' : lines.join('\n')
  },
})
