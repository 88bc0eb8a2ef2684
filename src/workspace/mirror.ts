/**
 * Repositories given by URL, kept as bare mirrors in a cache: cloned once, fetched before each
 * task, locked while they change so that workers starting at once do not clone or fetch over
 * each other. Only the transports a URL may name are let through to git (never `ext::`, whose
 * "URL" is a command).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {lock} from 'proper-lockfile'

import {GitArgumentError} from './errors.js'
import {gitAt} from './git.js'

/** The transports git may use for a mirror, whatever the URL or its redirects ask for. */
const ALLOWED_PROTOCOLS = 'http:https:ssh:git:file'

/** What git needs of the environment to reach a remote (simple-git refuses to pass on an editor, a pager or an ssh command). */
const REMOTE_ENV = ['PATH', 'HOME', 'LANG', 'SSH_AUTH_SOCK', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'GIT_SSL_CAINFO', 'SSL_CERT_FILE']

const gitForUrls = (dir: string) =>
  gitAt(dir).env({
    ...Object.fromEntries(REMOTE_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]))),
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
  })

/** Where the bare mirror of `url` is kept in `cacheDir` (whether or not it was cloned yet). */
export const mirrorPath = (cacheDir: string, url: string) => join(cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 24)}.git`)

/** The bare mirror of `url` in `cacheDir`, cloned or brought up to date; callers check `url` against the git URLs they accept. */
export async function updatedMirror(cacheDir: string, url: string): Promise<string> {
  if (url.startsWith('-') || /\s/.test(url)) throw new GitArgumentError(`${JSON.stringify(url)} is not a git URL PyAgent passes to git: it starts with - or holds a space.`)
  mkdirSync(cacheDir, {recursive: true})
  const mirror = mirrorPath(cacheDir, url)
  const release = await lock(cacheDir, {lockfilePath: `${mirror}.lock`, stale: 120_000, retries: {retries: 600, minTimeout: 50, maxTimeout: 500}})
  try {
    if (existsSync(mirror)) await gitForUrls(mirror).raw(['fetch', '--quiet', '--prune', 'origin'])
    else await gitForUrls(cacheDir).raw(['clone', '--quiet', '--mirror', '--', url, mirror])
    return mirror
  } finally {
    await release()
  }
}
