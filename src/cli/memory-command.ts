/** What the `pyagent memory` commands share: they need the state database, and show facts one per line. */
import {Flags} from '@oclif/core'

import {FACT_KINDS, type Fact} from '../memory/facts.js'
import {BaseCommand} from './base.js'

/** `1 fact`, `3 facts`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

export const kindFlag = Flags.option({options: FACT_KINDS, description: 'The kind of fact'})

export abstract class MemoryCommand extends BaseCommand {
  static override needsState = true

  /** `12  1.50  test-command  Run the tests with npm run test:unit`: id, strength now, kind, text. */
  protected factLine(fact: Fact, prefix = ''): string {
    return `${String(fact.id).padStart(4)}  ${prefix}${fact.strength.toFixed(2)}  ${fact.kind}  ${fact.text.replaceAll('\n', ' ')}`
  }
}
