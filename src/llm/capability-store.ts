/**
 * What a server was found to need at run time (the JSON-schema form it takes, after refusing the
 * one its identity suggested), kept by its identity in the repository's state (migration 6), so
 * the next run asks right the first time.
 */
import type {StateDb} from '../state/db.js'
import type {StructuredOutputsForm} from './structured/request.js'

export interface CapabilityStore {
  structuredForm(server: string): StructuredOutputsForm | undefined
  rememberStructuredForm(server: string, form: StructuredOutputsForm): void
}

const FORMS: readonly string[] = ['structured_outputs', 'response_format', 'json_object'] satisfies StructuredOutputsForm[]

export function sqliteCapabilityStore(db: StateDb): CapabilityStore {
  const select = db.prepare('SELECT structured_form FROM server_capabilities WHERE server = ?')
  const upsert = db.prepare(`
    INSERT INTO server_capabilities (server, structured_form, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (server) DO UPDATE SET structured_form = excluded.structured_form, updated_at = excluded.updated_at
  `)
  return {
    structuredForm: (server) => {
      const row = select.get(server) as {structured_form: string} | undefined
      // A form written by a newer PyAgent that this one does not know is as good as none.
      return row && FORMS.includes(row.structured_form) ? (row.structured_form as StructuredOutputsForm) : undefined
    },
    rememberStructuredForm: (server, form) => {
      upsert.run(server, form, new Date().toISOString())
    },
  }
}
