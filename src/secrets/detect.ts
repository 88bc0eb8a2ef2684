/**
 * The one secret detector: gitleaks's maintained rule data plus PyAgent's additions
 * (native/secrets/), run natively with a keyword prefilter, entropy, checksums and a code-shape
 * filter. Redaction masks what it finds; the review blocks on it.
 */
import {findSecretsNative} from '../native.js'

export interface SecretHit {
  /** The rule's id, e.g. `github-pat`, `aws-access-token`, `generic-api-key`. */
  rule: string
  /** Span of the secret's value: UTF-16 offsets in a string, byte offsets in binary content. */
  start: number
  end: number
}

export interface FindSecretsOptions {
  /** Where the content comes from; lets path-scoped rules and allowlists (lockfiles, `.tf`) apply. */
  path?: string
}

/**
 * Secrets in a text, or in binary content (a Uint8Array, whose printable runs are read). Lines
 * marked `pyagent:allow-secret` or `gitleaks:allow` are skipped.
 */
export function findSecrets(content: string | Uint8Array, options: FindSecretsOptions = {}): SecretHit[] {
  return findSecretsNative(content, options.path)
}
