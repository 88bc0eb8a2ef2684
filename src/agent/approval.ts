/**
 * `--approve none|edits|commands|all`: what runs without asking. Commands on the allow-list
 * never ask, except where commands run unconfined (no bubblewrap) and the task has staged edits:
 * then any command may run code the model wrote, and asks as a command outside the list does.
 * The default (`edits`) asks only for commands. Where nobody can answer (--json, no terminal),
 * asking means no.
 */
import type {ApprovalKind} from './tools/index.js'

export const APPROVAL_MODES = ['none', 'edits', 'commands', 'all'] as const
export type ApprovalMode = (typeof APPROVAL_MODES)[number]

export function preApproved(mode: ApprovalMode, kind: ApprovalKind): boolean {
  if (mode === 'all') return true
  if (mode === 'none') return false
  // A tool from outside acts beyond the transaction, as a command does.
  return mode === (kind === 'edit' ? 'edits' : 'commands')
}

export type Asker = (kind: ApprovalKind, subject: string) => Promise<boolean>

export function approver(mode: ApprovalMode, ask: Asker | undefined): Asker {
  return async (kind, subject) => preApproved(mode, kind) || (ask ? ask(kind, subject) : false)
}
