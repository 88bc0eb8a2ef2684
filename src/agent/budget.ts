/**
 * The limits a task runs under: steps, tokens, cost and wall time. One Budget is shared by a
 * task and all its sub-tasks, so a plan cannot spend more than the task it came from.
 */
export interface BudgetLimits {
  maxSteps: number
  maxTokens: number
  maxCostUsd: number
  timeoutSec: number
}

export type BudgetKind = 'steps' | 'tokens' | 'cost' | 'time'

export class Budget {
  steps = 0
  tokens = 0
  costUsd = 0
  private readonly startedAt: number
  private readonly spentByTask = new Map<string, {tokens: number; costUsd: number}>()

  constructor(
    readonly limits: BudgetLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now()
  }

  addStep(): void {
    this.steps++
  }

  /** Spends from the shared limits on behalf of one task, which `spentBy` reports. */
  addUsage(taskId: string, tokens: number, costUsd: number): void {
    this.tokens += tokens
    this.costUsd += costUsd
    const spent = this.spentBy(taskId)
    this.spentByTask.set(taskId, {tokens: spent.tokens + tokens, costUsd: spent.costUsd + costUsd})
  }

  spentBy(taskId: string): {tokens: number; costUsd: number} {
    return this.spentByTask.get(taskId) ?? {tokens: 0, costUsd: 0}
  }

  elapsedSec(): number {
    return (this.now() - this.startedAt) / 1000
  }

  /** The share of the tightest of the token and cost limits already spent, 0..1+. */
  spentShare(): number {
    return Math.max(this.tokens / this.limits.maxTokens, this.limits.maxCostUsd > 0 ? this.costUsd / this.limits.maxCostUsd : 0)
  }

  /** The first limit reached, or undefined while every limit still has room. */
  exhausted(): BudgetKind | undefined {
    if (this.steps >= this.limits.maxSteps) return 'steps'
    if (this.tokens >= this.limits.maxTokens) return 'tokens'
    if (this.limits.maxCostUsd > 0 && this.costUsd >= this.limits.maxCostUsd) return 'cost'
    if (this.elapsedSec() >= this.limits.timeoutSec) return 'time'
    return undefined
  }

  describe(kind: BudgetKind): string {
    switch (kind) {
      case 'steps':
        return `step budget exhausted (${this.steps} of ${this.limits.maxSteps} steps); raise it with --max-steps`
      case 'tokens':
        return `token budget exhausted (${this.tokens} of ${this.limits.maxTokens} tokens); raise it with --max-tokens`
      case 'cost':
        return `cost budget exhausted ($${this.costUsd.toFixed(4)} of $${this.limits.maxCostUsd}); raise it with --max-cost`
      case 'time':
        return `time budget exhausted (${Math.round(this.elapsedSec())} s of ${this.limits.timeoutSec} s); raise it with --timeout`
    }
  }
}
