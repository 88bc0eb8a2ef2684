/**
 * The peers the bench compares against, installed by the bench itself into git-ignored
 * directories beside it, pinned to the versions issue 15 measured: gitleaks 8.30.0 (go install)
 * and detect-secrets 1.5.0 (pip, in its own venv).
 */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
export const GITLEAKS_MODULE = 'github.com/zricethezav/gitleaks/v8'
export const GITLEAKS_VERSION = 'v8.30.0'
export const DETECT_SECRETS_VERSION = '1.5.0'

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, {encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe']})
}

/** The version a Go binary was built from, read from its build info (a go-installed gitleaks prints no version of its own). */
function goModuleVersion(binary: string): string | undefined {
  try {
    return run('go', ['version', '-m', binary]).match(new RegExp(`\\bmod\\s+${GITLEAKS_MODULE.replaceAll('.', '\\.')}\\s+(\\S+)`))?.[1]
  } catch {
    return undefined
  }
}

export function ensureGitleaks(log: (line: string) => void): string {
  const toolsDir = join(benchDir, '.tools')
  const binary = join(toolsDir, 'gitleaks')
  if (existsSync(binary) && goModuleVersion(binary) === GITLEAKS_VERSION) return binary
  log(`installing gitleaks ${GITLEAKS_VERSION} into ${toolsDir} (go install)`)
  try {
    run('go', ['install', `${GITLEAKS_MODULE}@${GITLEAKS_VERSION}`], {...process.env, GOBIN: toolsDir})
  } catch (error) {
    throw new Error(`could not install gitleaks with go install (${(error as Error).message.split('\n')[0]}): install Go from https://go.dev/dl, or put a gitleaks ${GITLEAKS_VERSION} binary at ${binary}`)
  }
  return binary
}

export function ensureDetectSecrets(log: (line: string) => void): string {
  const venv = join(benchDir, '.venv-secrets')
  const binary = join(venv, 'bin', 'detect-secrets')
  const installed = existsSync(binary) && (() => {
    try {
      return run(binary, ['--version']).trim() === DETECT_SECRETS_VERSION
    } catch {
      return false
    }
  })()
  if (installed) return binary
  log(`installing detect-secrets ${DETECT_SECRETS_VERSION} into ${venv} (pip)`)
  try {
    if (!existsSync(join(venv, 'bin', 'pip'))) run('python3', ['-m', 'venv', venv])
    run(join(venv, 'bin', 'pip'), ['install', '--quiet', `detect-secrets==${DETECT_SECRETS_VERSION}`])
  } catch (error) {
    throw new Error(`could not install detect-secrets into ${venv} (${(error as Error).message.split('\n')[0]}): install python3 with its venv module (apt-get install python3-venv), or delete ${venv} and run again`)
  }
  return binary
}
