/** The budget flags a task takes (`run`, `submit`), and the config keys they set. */
import {Flags} from '@oclif/core'

export const budgetFlags = {
  'max-steps': Flags.integer({min: 1, description: 'Budget: agent steps (config maxSteps)'}),
  'max-tokens': Flags.integer({min: 1, description: 'Budget: prompt + completion tokens (config maxTokens)'}),
  'max-cost': Flags.string({description: 'Budget: cost in USD (config maxCostUsd)'}),
  timeout: Flags.integer({min: 1, description: 'Budget: wall time in seconds (config timeoutSec)'}),
}

export interface Budgets {
  maxSteps?: number
  maxTokens?: number
  maxCostUsd?: number
  timeoutSec?: number
}

/** The budgets given on the command line; a flag left out sets nothing. */
export function budgetsOf(flags: {'max-steps'?: number; 'max-tokens'?: number; 'max-cost'?: string; timeout?: number}): Budgets {
  const budgets: Budgets = {
    maxSteps: flags['max-steps'],
    maxTokens: flags['max-tokens'],
    maxCostUsd: flags['max-cost'] === undefined ? undefined : Number(flags['max-cost']),
    timeoutSec: flags.timeout,
  }
  return Object.fromEntries(Object.entries(budgets).filter(([, value]) => value !== undefined))
}
