/** Human-readable lines for the hook commands. */
import {type HookChange, type HookStatus, SKIP_ENV} from './hook.js'

const ACTIONS: Record<HookChange['action'], string> = {
  created: 'Installed the PyAgent pre-commit hook',
  inserted: 'Added PyAgent to the existing pre-commit hook',
  chained: 'Installed the PyAgent pre-commit hook; it runs the existing hook after the review, from',
  'already-installed': 'The PyAgent pre-commit hook is already installed',
  updated: "Brought the PyAgent pre-commit hook's block up to date with this PyAgent",
  removed: 'Removed the PyAgent pre-commit hook',
  restored: 'Removed PyAgent from the pre-commit hook; the earlier hook is back',
  'not-installed': 'The PyAgent pre-commit hook is not installed; nothing to do',
}

export function describeHookChange(change: HookChange): string {
  const chained = change.action === 'chained' && change.chainedHook ? ` ${change.chainedHook}` : ''
  return `${ACTIONS[change.action]}${chained}\n  hook file: ${change.hookFile}`
}

export function describeHookStatus(status: HookStatus): string {
  const lines = [
    `installed: ${status.installed ? 'yes' : 'no'}`,
    `hook file: ${status.hookFile}`,
    `hooks dir: ${status.hooksDir} (${status.manager})`,
  ]
  if (status.chainedHook) lines.push(`chained:   ${status.chainedHook}`)
  if (status.skipped) lines.push(`skipped:   ${SKIP_ENV}=1 is set, so the hook does nothing here`)
  return lines.join('\n')
}
