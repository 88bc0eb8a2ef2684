/** The LLM client's public surface: what agents and commands import. */
import type {StateDb} from '../state/db.js'
import {LlmClient, type LlmClientOptions} from './client.js'
import type {LlmClientConfig} from './types.js'
import {sqliteCapabilityStore} from './capability-store.js'
import {sqliteUsageRecorder} from './usage-log.js'

export {rememberedAt, type ServerCapabilities} from './capability-store.js'
export {LlmClient, type LlmClientOptions} from './client.js'
export {collectChat, type ChatResult} from './collect.js'
export {LlmError, type LlmErrorKind} from './errors.js'
export {isLlamaCppServer, structuredOutputsForm, type StreamingValidator, type StreamingValidatorFactory, type TextConstraint} from './structured/request.js'
export {invalidArgumentsObservation} from './tool-calls.js'
export type * from './types.js'
export {type LlmCallRecord} from './usage-log.js'
export {usageTotals, type UsageTotals} from '../state/llm-calls.js'

/** A client for the configured endpoints that records every call in the repository's llm_calls. */
export function createLlmClient(
  config: LlmClientConfig,
  state: StateDb,
  options: Omit<LlmClientOptions, 'config' | 'recordUsage'> = {},
): LlmClient {
  return new LlmClient({...options, config, recordUsage: sqliteUsageRecorder(state), capabilities: sqliteCapabilityStore(state)})
}
