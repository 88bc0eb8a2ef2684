/**
 * Installs the pre-commit hook that runs `pyagent review --staged`, into wherever git really
 * runs hooks from (core.hooksPath, husky, a worktree's common dir), without clobbering a hook
 * that is already there, and takes it out again leaving that hook byte for byte as it was.
 *
 * An existing shell hook gets our block inserted after its shebang, so its own `$0`, `dirname`
 * and `basename` tricks (husky relies on them) keep working. A hook in another language is
 * renamed aside and run by ours after the review passes.
 */
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {basename, dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ReviewError} from './errors.js'
import {git, gitLine} from './git.js'

export const HOOK_NAME = 'pre-commit'
export const SKIP_ENV = 'PYAGENT_SKIP_HOOK'
const BEGIN = '# >>> pyagent pre-commit >>>'
const END = '# <<< pyagent pre-commit <<<'
const CREATED_MARK = '# pyagent-hook: created-file'
const CHAINED_MARK = '# pyagent-hook: chained'
const CHAINED_SUFFIX = '.pyagent-chained'
const CLI_SCRIPT = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export type HookManager = 'git' | 'core.hooksPath' | 'husky'

export interface HookLocation {
  /** The directory git runs hooks from. */
  hooksDir: string
  /** The file PyAgent edits: `<hooksDir>/pre-commit`, or husky's own `.husky/pre-commit`. */
  hookFile: string
  manager: HookManager
}

export interface HookStatus extends HookLocation {
  installed: boolean
  /** A non-shell hook that ours runs after the review, when there was one. */
  chainedHook?: string
  /** True when `PYAGENT_SKIP_HOOK=1` is set in this environment. */
  skipped: boolean
}

export interface HookChange extends HookStatus {
  changed: boolean
  action: 'created' | 'inserted' | 'chained' | 'already-installed' | 'updated' | 'removed' | 'restored' | 'not-installed'
}

export async function locateHook(cwd: string): Promise<HookLocation> {
  const top = await gitLine(cwd, ['rev-parse', '--show-toplevel'])
  const hooksDir = resolve(top, await gitLine(top, ['rev-parse', '--git-path', 'hooks']))
  const hooksPath = (await git(top, ['config', '--get', 'core.hooksPath']).catch(() => '')).trim()
  // husky 9 points core.hooksPath at its generated `.husky/_`, whose stubs hand over to the
  // user's `.husky/<hook>`; that stub dir is rewritten on every `npm install`, so edit the user's file.
  if (basename(hooksDir) === '_' && existsSync(join(hooksDir, 'h'))) {
    return {hooksDir, hookFile: join(dirname(hooksDir), HOOK_NAME), manager: 'husky'}
  }
  return {hooksDir, hookFile: join(hooksDir, HOOK_NAME), manager: hooksPath ? 'core.hooksPath' : 'git'}
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`
}

/** Told when PyAgent itself fails (exit 2 or more; 1 means the review found problems): how to get past it. */
function brokenNotice(): string {
  return (
    'pyagent pre-commit hook: PyAgent could not review this commit (exit $pyagent_status, its message is above), so the commit is blocked. ' +
    `Commit anyway this once: ${SKIP_ENV}=1 git commit ...  Remove the hook: pyagent hook uninstall (or delete the lines between the pyagent markers in this hook).`
  )
}

function hookBlock(marks: string[]): string {
  const node = shellQuote(process.execPath)
  const script = shellQuote(CLI_SCRIPT)
  return [
    BEGIN,
    '# Added by `pyagent hook install`; `pyagent hook uninstall` removes it. PYAGENT_SKIP_HOOK=1 skips it.',
    ...marks,
    `if [ "\${${SKIP_ENV}:-}" != 1 ]; then`,
    `  if [ -x ${node} ] && [ -f ${script} ]; then`,
    `    ${node} ${script} review --staged`,
    '  elif command -v pyagent >/dev/null 2>&1; then',
    '    pyagent review --staged',
    // A hook file husky shares through git reaches machines without pyagent: warn, do not block.
    '  else',
    `    echo "pyagent hook: pyagent not found (was ${CLI_SCRIPT.replaceAll('"', '')}); skipping the review. Reinstall it, or run \\\`pyagent hook uninstall\\\`." >&2`,
    '  fi',
    '  pyagent_status=$?',
    `  [ "$pyagent_status" -lt 2 ] || echo "${brokenNotice()}" >&2`,
    '  [ "$pyagent_status" -eq 0 ] || exit "$pyagent_status"',
    'fi',
    END,
    '',
  ].join('\n')
}

/** Shell hooks get the block inserted; other interpreters are chained. No shebang means git runs it with sh. */
function isShellScript(content: string): boolean {
  if (!content.startsWith('#!')) return !content.includes('\0')
  const newline = content.indexOf('\n')
  const shebang = newline < 0 ? content : content.slice(0, newline)
  return /^#!\s*\S*\/(?:env\s+(?:-\S+\s+)*)?(?:sh|bash|dash|zsh|ksh|ash)\b/.test(shebang)
}

function blockRange(content: string): {start: number; end: number} | undefined {
  const start = content.indexOf(BEGIN)
  if (start < 0) return undefined
  const endMark = content.indexOf(END, start)
  if (endMark < 0) return undefined
  const lineEnd = content.indexOf('\n', endMark)
  return {start, end: lineEnd < 0 ? content.length : lineEnd + 1}
}

function chainedPath(hookFile: string): string {
  return hookFile + CHAINED_SUFFIX
}

export async function hookStatus(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<HookStatus> {
  const location = await locateHook(cwd)
  const content = existsSync(location.hookFile) ? readFileSync(location.hookFile, 'utf8') : ''
  const range = blockRange(content)
  const chained = chainedPath(location.hookFile)
  return {
    ...location,
    installed: range !== undefined,
    ...(range && content.slice(range.start, range.end).includes(CHAINED_MARK) ? {chainedHook: chained} : {}),
    skipped: env[SKIP_ENV] === '1',
  }
}

export async function installHook(cwd: string): Promise<HookChange> {
  const status = await hookStatus(cwd)
  if (status.installed) return refreshBlock(cwd, status)
  const {hookFile} = status
  mkdirSync(dirname(hookFile), {recursive: true})

  if (!existsSync(hookFile)) {
    writeFileSync(hookFile, `#!/bin/sh\n${hookBlock([CREATED_MARK])}`, {mode: 0o755})
    chmodSync(hookFile, 0o755)
    return {...(await hookStatus(cwd)), changed: true, action: 'created'}
  }

  const content = readFileSync(hookFile, 'utf8')
  const mode = statSync(hookFile).mode & 0o777
  if (isShellScript(content)) {
    const cut = content.startsWith('#!') ? content.indexOf('\n') + 1 || content.length : 0
    const head = content.slice(0, cut) + (cut > 0 && !content.slice(0, cut).endsWith('\n') ? '\n' : '')
    writeFileSync(hookFile, head + hookBlock([]) + content.slice(cut))
    chmodSync(hookFile, mode | 0o111)
    return {...(await hookStatus(cwd)), changed: true, action: 'inserted'}
  }

  const chained = chainedPath(hookFile)
  if (existsSync(chained)) {
    throw new ReviewError(`${chained} already exists; move it away before installing the PyAgent hook`)
  }
  renameSync(hookFile, chained)
  const runChained = `exec "$(dirname "$0")/${basename(chained)}" "$@"\n`
  writeFileSync(hookFile, `#!/bin/sh\n${hookBlock([CHAINED_MARK])}${runChained}`, {mode: 0o755})
  chmodSync(hookFile, 0o755)
  return {...(await hookStatus(cwd)), changed: true, action: 'chained'}
}

/** An installed block from an older PyAgent is replaced by today's, keeping its marks; anything around it is left alone. */
async function refreshBlock(cwd: string, status: HookStatus): Promise<HookChange> {
  const content = readFileSync(status.hookFile, 'utf8')
  const range = blockRange(content)!
  const installed = content.slice(range.start, range.end)
  const current = hookBlock([CREATED_MARK, CHAINED_MARK].filter((mark) => installed.includes(mark)))
  if (installed === current) return {...status, changed: false, action: 'already-installed'}
  writeFileSync(status.hookFile, content.slice(0, range.start) + current + content.slice(range.end))
  return {...(await hookStatus(cwd)), changed: true, action: 'updated'}
}

export async function uninstallHook(cwd: string): Promise<HookChange> {
  const status = await hookStatus(cwd)
  if (!status.installed) return {...status, changed: false, action: 'not-installed'}
  const {hookFile} = status
  const content = readFileSync(hookFile, 'utf8')
  const range = blockRange(content)
  if (!range) return {...status, changed: false, action: 'not-installed'}
  const block = content.slice(range.start, range.end)
  const rest = content.slice(0, range.start) + content.slice(range.end)

  if (block.includes(CHAINED_MARK) && existsSync(chainedPath(hookFile))) {
    renameSync(chainedPath(hookFile), hookFile)
    return {...(await hookStatus(cwd)), changed: true, action: 'restored'}
  }
  if (block.includes(CREATED_MARK) && rest.trim() === '#!/bin/sh') {
    rmSync(hookFile)
    return {...(await hookStatus(cwd)), changed: true, action: 'removed'}
  }
  writeFileSync(hookFile, rest)
  return {...(await hookStatus(cwd)), changed: true, action: 'restored'}
}
