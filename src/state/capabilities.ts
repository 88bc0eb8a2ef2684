/** Typed queries over server_capabilities (migration 6): what a server was found to need, by its identity. */
import type {StateDb} from './db.js'
import {statement} from './statement.js'

/** As stored; a form written by a newer PyAgent may be one this one does not know. */
export interface ServerCapabilityRow {
  structured_form: string | null
  /** 1 or 0; null when never found out. */
  tool_streaming: number | null
}

const selectServers = statement('SELECT server FROM server_capabilities WHERE substr(server, 1, ?) = ?')
const selectCapabilities = statement('SELECT structured_form, tool_streaming FROM server_capabilities WHERE server = ?')
const upsertCapabilities = statement(`
  INSERT INTO server_capabilities (server, structured_form, tool_streaming, updated_at) VALUES (@server, @form, @streaming, @now)
  ON CONFLICT (server) DO UPDATE SET
    structured_form = coalesce(excluded.structured_form, structured_form),
    tool_streaming = coalesce(excluded.tool_streaming, tool_streaming),
    updated_at = excluded.updated_at
`)

/** The identities of the servers recorded that start with `prefix`. */
export function serversStartingWith(db: StateDb, prefix: string): string[] {
  return (selectServers(db).all(prefix.length, prefix) as {server: string}[]).map((row) => row.server)
}

export function serverCapabilities(db: StateDb, server: string): ServerCapabilityRow | undefined {
  return selectCapabilities(db).get(server) as ServerCapabilityRow | undefined
}

/** Records what was learnt; a null leaves what an earlier run found in place. */
export function rememberServerCapabilities(db: StateDb, server: string, learned: ServerCapabilityRow): void {
  upsertCapabilities(db).run({server, form: learned.structured_form, streaming: learned.tool_streaming, now: new Date().toISOString()})
}
