/**
 * `pyagent review --baseline`: records every secret the tracked files hold today as known, so a
 * repository with test credentials can adopt the hook; later reviews report only new ones.
 */
import {type BaselineEntry, writeBaseline} from '../secrets/baseline.js'
import {readBlobs} from './changes.js'
import {gitBytes} from './git.js'
import type {SecretDetector} from './secrets.js'

export interface BaselineReport {
  file: string
  filesScanned: number
  findings: number
  /** Files holding at least one recorded finding. */
  files: string[]
}

/** Tracked files as the index has them (what the next commit holds), by exact name and blob id. */
async function trackedBlobs(repoRoot: string): Promise<{path: string; id: string}[]> {
  const records = (await gitBytes(repoRoot, ['ls-files', '--stage', '-z'])).toString('utf8').split('\0')
  return records.flatMap((record) => {
    const match = /^(\d{6}) ([0-9a-f]+) 0\t([\s\S]+)$/.exec(record)
    // Submodules (160000) and symlinks (120000) hold no content of this repository's own.
    return match && match[1] !== '160000' && match[1] !== '120000' ? [{path: match[3]!, id: match[2]!}] : []
  })
}

export async function recordBaseline(repoRoot: string, detect: SecretDetector): Promise<BaselineReport> {
  const tracked = await trackedBlobs(repoRoot)
  const blobs = await readBlobs(repoRoot, tracked.map((entry) => entry.id))
  const entries: BaselineEntry[] = []
  tracked.forEach(({path}, index) => {
    const blob = blobs[index]
    if (!blob) return
    const content = blob.includes(0) ? blob : blob.toString('utf8')
    for (const match of detect(content, path)) entries.push({path, rule: match.kind, fingerprint: match.fingerprint})
  })
  const file = writeBaseline(repoRoot, entries)
  return {file, filesScanned: tracked.length, findings: entries.length, files: [...new Set(entries.map((entry) => entry.path))].sort()}
}
