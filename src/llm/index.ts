/** The LLM client's public surface: what agents and commands import. */
import type {StateDb} from '../state/db.js'
import {LlmClient, type LlmClientOptions} from './client.js'
import type {LlmClientConfig} from './types.js'
import {sqliteCapabilityStore} from './capability-store.js'
import {allOf, sqliteUsageRecorder, type UsageRecorder} from './usage-log.js'

export {rememberedAt, type ServerCapabilities} from './capability-store.js'
export {LlmClient, type LlmClientOptions} from './client.js'
export {collectChat, type ChatResult} from './collect.js'
export {LlmError, type LlmErrorKind} from './errors.js'
export {isLlamaCppServer, structuredOutputsForm, type StreamingValidator, type StreamingValidatorFactory, type TextConstraint} from './structured/request.js'
export {invalidArgumentsObservation} from './tool-calls.js'
export type * from './types.js'
export {type LlmCallRecord, type UsageRecorder} from './usage-log.js'
export {usageTotals, type UsageTotals} from '../state/llm-calls.js'

/** A client for the configured endpoints that records every call in the repository's llm_calls, and hands it to `onCall` too. */
export function createLlmClient(
  config: LlmClientConfig,
  state: StateDb,
  options: Omit<LlmClientOptions, 'config' | 'recordUsage'> & {onCall?: UsageRecorder} = {},
): LlmClient {
  const {onCall, ...rest} = options
  return new LlmClient({...rest, config, recordUsage: allOf(sqliteUsageRecorder(state), onCall), capabilities: sqliteCapabilityStore(state)})
}
