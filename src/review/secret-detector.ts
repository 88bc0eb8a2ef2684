/**
 * The review's secret detector: the one in src/secrets, which also masks prompts and logs, so a
 * secret the hook lets through is one the agent would not have masked either. `redactAllow`
 * exempts known test values; each match carries the fingerprint a baseline knows it by.
 */
import {allowMatcher} from '../secrets/allow.js'
import {fingerprintOf} from '../secrets/baseline.js'
import {findSecrets} from '../secrets/detect.js'
import type {SecretDetector} from './secrets.js'

export function secretDetector(allow: readonly string[]): SecretDetector {
  const isAllowed = allowMatcher(allow)
  return (content, path) =>
    findSecrets(content, path === undefined ? {} : {path}).flatMap((hit) => {
      const value = content.slice(hit.start, hit.end)
      const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
      return isAllowed(text) ? [] : [{kind: hit.rule, index: hit.start, fingerprint: fingerprintOf(value)}]
    })
}
