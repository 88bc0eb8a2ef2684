/** Cost of a call from the configured price per million tokens of its model. */
import type {Config} from '../config/schema.js'

export type Prices = Config['prices']

export function costUsd(
  prices: Prices,
  model: string,
  usage: {promptTokens: number; completionTokens: number; cachedTokens?: number},
): number | undefined {
  const price = prices[model]
  if (!price) return undefined
  const cached = Math.min(usage.cachedTokens ?? 0, usage.promptTokens)
  const cachedPrice = price.cachedInputPerMTok ?? price.inputPerMTok
  return ((usage.promptTokens - cached) * price.inputPerMTok + cached * cachedPrice + usage.completionTokens * price.outputPerMTok) / 1e6
}
