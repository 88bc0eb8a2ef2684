/**
 * What a server was found to need at run time, kept by its identity in the repository's state
 * (migration 6), so the next run asks right the first time: the JSON-schema form it takes after
 * refusing the one its identity suggested, and whether it streams tool calls.
 */
import type {StateDb} from '../state/db.js'
import {rememberServerCapabilities, serverCapabilities, serversStartingWith} from '../state/capabilities.js'
import type {StructuredOutputsForm} from './structured/request.js'

export interface ServerCapabilities {
  structuredForm?: StructuredOutputsForm
  /** False once a streamed request with tools came back empty. */
  streamsToolCalls?: boolean
}

export interface CapabilityStore {
  read(server: string): ServerCapabilities
  remember(server: string, learned: ServerCapabilities): void
}

const FORMS: readonly string[] = ['structured_outputs', 'response_format', 'json_object'] satisfies StructuredOutputsForm[]

/** What earlier runs here found about the servers behind one endpoint URL (for `doctor`). */
export function rememberedAt(db: StateDb, baseUrl: string): ServerCapabilities[] {
  const store = sqliteCapabilityStore(db)
  return serversStartingWith(db, `${baseUrl} `).map((server) => store.read(server))
}

export function sqliteCapabilityStore(db: StateDb): CapabilityStore {
  return {
    read: (server) => {
      const row = serverCapabilities(db, server)
      const known: ServerCapabilities = {}
      // A form written by a newer PyAgent that this one does not know is as good as none.
      if (row?.structured_form && FORMS.includes(row.structured_form)) known.structuredForm = row.structured_form as StructuredOutputsForm
      if (row?.tool_streaming !== null && row?.tool_streaming !== undefined) known.streamsToolCalls = row.tool_streaming === 1
      return known
    },
    remember: (server, learned) => {
      const streaming = learned.streamsToolCalls === undefined ? null : learned.streamsToolCalls ? 1 : 0
      rememberServerCapabilities(db, server, {structured_form: learned.structuredForm ?? null, tool_streaming: streaming})
    },
  }
}
