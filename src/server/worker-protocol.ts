/** What a fleet worker process and the server that started it tell each other over IPC. */
import type {InstrumentName} from '../telemetry/instruments.js'

/** The variable a worker's LLM client reads its key for the server's LLM route from: the fleet token, given in the environment rather than argv. */
export const FLEET_LLM_KEY_ENV = 'PYAGENT_FLEET_LLM_KEY'

/** The database reaches a worker in its environment, never its argv, where a URL's password would show in every process list. */
export const DATABASE_ENV = 'PYAGENT_FLEET_DATABASE'

/** What a worker's runs must use when the server's pool serves the embedded model. */
export interface WorkerModel {
  model?: string
  actionProtocol: 'json'
  mapTokens: number
}

export interface WorkerSettings {
  /** `--database`: a SQLite path or a PostgreSQL URL (undefined: the default SQLite file). */
  database: string | undefined
  /** Where task worktrees are made. */
  workDir: string
  /** Where the mirrors of repositories given by URL are kept. */
  mirrorDir: string
  workerId: string
  heartbeatMs: number
  /** How long an idle worker waits before looking at the queue again, unless woken. */
  pollMs: number
  /** The server's LLM route (/llm/v1): the fleet's one endpoint pool. */
  llmBaseUrl: string
  /** Set when that pool is the embedded model. */
  llmModel?: WorkerModel
}

export type WorkerMessage =
  | {type: 'claimed'; taskId: string}
  | {type: 'event'; taskId: string; seq: number}
  | {type: 'finished'; taskId: string; status: string; seconds: number}
  | {type: 'idle'}
  /** One measurement of a run, for the server's /metrics. */
  | {type: 'measure'; name: InstrumentName; value: number; attributes: Record<string, string | number | boolean>}

export type ServerMessage = {type: 'wake'} | {type: 'cancel'; taskId: string}
