/** Typed queries over mcp_approvals (migration 10): which repository-defined MCP servers the user approved, as they were then. */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

const selectFingerprint = statement('SELECT fingerprint FROM mcp_approvals WHERE server = ?')
const upsert = statement(
  `INSERT INTO mcp_approvals (server, fingerprint, approved_at) VALUES (@server, @fingerprint, @now)
   ON CONFLICT (server) DO UPDATE SET fingerprint = excluded.fingerprint, approved_at = excluded.approved_at`,
)
const remove = statement('DELETE FROM mcp_approvals WHERE server = ?')

export function approvedFingerprint(db: StateDb, server: string): string | undefined {
  return (selectFingerprint(db).get(server) as {fingerprint: string} | undefined)?.fingerprint
}

export function recordApproval(db: StateDb, server: string, fingerprint: string, now: number = Date.now()): void {
  upsert(db).run({server, fingerprint, now})
}

export function forgetApproval(db: StateDb, server: string): void {
  remove(db).run(server)
}
