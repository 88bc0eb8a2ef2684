/**
 * What the fleet's endpoint pool serves: the configured endpoints when one answers; otherwise, as
 * `pyagent run` does for one task, the embedded engine on the cached model, started once by the
 * server for all its workers. A fleet on a fresh machine then runs tasks at once; one with neither
 * keeps the configured endpoints, which the pool probes until they answer.
 */
import {NoEndpointError, resolveEndpoint} from '../app/endpoint.js'
import type {Config} from '../config/schema.js'
import type {WorkerModel} from './worker-protocol.js'

export interface FleetModel {
  urls: string[]
  /** What the workers' runs must use with the embedded model (its name, JSON actions, a smaller map); undefined for the configured endpoints. */
  model?: WorkerModel
  /** One line for the person who started the server. */
  notice?: string
  close(): Promise<void>
}

export async function startFleetModel(config: Config, signal: AbortSignal): Promise<FleetModel> {
  try {
    const endpoint = await resolveEndpoint(config, signal, {embedded: true})
    if (!endpoint.embedded) return {urls: [config.baseUrl, ...config.endpoints], close: endpoint.close}
    const {baseUrl, model, mapTokens} = endpoint.config
    return {
      urls: [baseUrl],
      model: {model, actionProtocol: 'json', mapTokens},
      notice: `${endpoint.notice}; every worker's task uses it until the server restarts with a model server running`,
      close: endpoint.close,
    }
  } catch (error) {
    if (!(error instanceof NoEndpointError)) throw error
    return {urls: [config.baseUrl, ...config.endpoints], notice: `${error.message} Tasks fail until an endpoint answers.`, close: async () => {}}
  }
}
