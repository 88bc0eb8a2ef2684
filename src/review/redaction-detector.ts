/**
 * The secret scan's detector: the workspace's redaction rules (secretlint's recommended preset
 * plus credential assignments), the same ones that mask prompts and logs, so a secret the hook
 * lets through is one the agent would not have masked either. Personal data is not flagged:
 * an e-mail address in a commit is not a leak. `redactAllow` exempts known test values.
 */
import type {SecretDetector} from './secrets.js'

export function redactionDetector(allow: readonly string[]): SecretDetector {
  return async (text) => {
    // Loaded on first use: secretlint is a sizeable import that only the scan needs.
    const {redact} = await import('../workspace/redact.js')
    const {findings} = await redact(text, {pii: false, allow})
    return findings
      .filter((finding) => finding.kind === 'secret')
      .map((finding) => ({kind: finding.rule.replace(/^secretlint-rule-/, ''), index: finding.start}))
  }
}
