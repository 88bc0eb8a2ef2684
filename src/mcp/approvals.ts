/**
 * A server the repository defines runs code of the repository's choosing on the user's machine,
 * so it runs only once the user approved it, as it was then: the approval holds a fingerprint of
 * what starts it (command, args, env, cwd; url, headers), and any change to those asks again.
 * Servers from the user's own file need no approval.
 */
import {createHash} from 'node:crypto'

import type {StateDb} from '../state/db.js'
import {approvedFingerprint, recordApproval} from '../state/mcp-approvals.js'
import {type ConfiguredServer, isStdio} from './config.js'

function launchFingerprint(server: ConfiguredServer): string {
  const {config} = server
  const launch = isStdio(config)
    ? {command: config.command, args: config.args, env: config.env, cwd: config.cwd ?? null}
    : {url: config.url, headers: config.headers}
  return createHash('sha256').update(JSON.stringify(launch)).digest('hex')
}

export type ApprovalState = 'not-needed' | 'approved' | 'unapproved' | 'changed'

export function approvalState(db: StateDb, server: ConfiguredServer): ApprovalState {
  if (server.scope === 'user') return 'not-needed'
  const recorded = approvedFingerprint(db, server.name)
  if (recorded === undefined) return 'unapproved'
  return recorded === launchFingerprint(server) ? 'approved' : 'changed'
}

export function approveServer(db: StateDb, server: ConfiguredServer): void {
  recordApproval(db, server.name, launchFingerprint(server))
}
