/**
 * The engine's own build of llama.cpp. node-llama-cpp's prebuilt binaries are compiled without
 * OpenMP and never make a ggml threadpool, so with two threads every decoded token starts and
 * joins a throwaway pool: generation is no faster than with one thread (BENCHMARKS.md, "Embedded
 * engine against llama.cpp"). The same node-llama-cpp release built here from the llama.cpp
 * source it bundles, with OpenMP, keeps its threads between tokens.
 *
 * Only `model pull` builds (a compile takes 5 minutes on two idle cores, over 20 on busy ones; a
 * task must never wait on one).
 * The result is kept in the user cache, keyed by node-llama-cpp's version and the CPU (the build
 * is tuned to it), so `npm ci` does not lose it; before loading, the engine copies it back into
 * node-llama-cpp's local-builds folder, which `getLlama()` prefers to the prebuilt binaries.
 */
import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {access, cp, mkdir, readdir, readFile, rename, rm, stat} from 'node:fs/promises'
import {availableParallelism, cpus} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import {modelCacheDir} from './models.js'

/** What the prebuilt binaries cost, said wherever the engine falls back to them. */
export const PREBUILT_COST =
  "node-llama-cpp's prebuilt engine (no OpenMP) generates no faster with two threads than with one: about 0.65x of llama.cpp's own server here, against ~1x for the source build"

/**
 * CPU time of one build (node-llama-cpp 3.21.1: 277 compile steps, 550 s of user and system time
 * on this project's machine, BENCHMARKS.md); node-llama-cpp compiles on every core up to four.
 */
const BUILD_CPU_MINUTES = 9.2

/** What to tell someone before a build: minutes on idle cores; a busy machine takes longer. */
export function expectedBuildMinutes(cores = availableParallelism()): number {
  return Math.ceil(BUILD_CPU_MINUTES / Math.min(Math.max(cores, 1), 4))
}

/** node-llama-cpp keeps a finished build's files here, beside a `buildDone.status` marker. */
const RELEASE_DIR = 'Release'
const DONE_MARKER = 'buildDone.status'

const cachedBuildSchema = z.object({
  folder: z.string().regex(/^[\w.-]+$/),
  nodeLlamaCpp: z.string(),
  cpu: z.string(),
  builtAt: z.string(),
  /** How long the build took; absent for one found finished in node-llama-cpp's folder. */
  seconds: z.number().nonnegative().optional(),
})
export type CachedBuild = z.infer<typeof cachedBuildSchema>

export interface BuildTools {
  cmake?: string
  compiler?: string
  /** The compiler finds libgomp, OpenMP's runtime: without it the build would be no faster than the prebuilt one. */
  openmp: boolean
  cores: number
}

export type EnginePlan =
  | {action: 'use-cached'; build: CachedBuild}
  | {action: 'build'}
  | {action: 'skip'; warning: string}
  | {action: 'fallback'; warning: string}

/** node-llama-cpp's package folder: its local builds live inside it. */
export function nodeLlamaCppDir(): string {
  return dirname(dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))))
}

function nodeLlamaCppVersion(packageDir: string): string {
  return z.object({version: z.string()}).parse(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))).version
}

/** The CPU a native build is tuned for: its model and instruction-set flags. */
function cpuFingerprint(): string {
  let description = `${process.arch} ${cpus()[0]?.model ?? 'unknown'}`
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const flags = /^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? ''
    description += ` ${flags}`
  } catch {
    // Not Linux: the model name and architecture are what there is.
  }
  return createHash('sha256').update(description).digest('hex').slice(0, 12)
}

export interface EngineBuildPaths {
  /** node-llama-cpp's `llama/localBuilds`. */
  localBuilds: string
  /** This node-llama-cpp version on this CPU, in the user cache. */
  cache: string
  nodeLlamaCpp: string
  cpu: string
}

export function engineBuildPaths(env: NodeJS.ProcessEnv = process.env, packageDir = nodeLlamaCppDir()): EngineBuildPaths {
  const nodeLlamaCpp = nodeLlamaCppVersion(packageDir)
  const cpu = cpuFingerprint()
  return {
    localBuilds: join(packageDir, 'llama', 'localBuilds'),
    cache: join(dirname(modelCacheDir(env)), 'engine', `node-llama-cpp-${nodeLlamaCpp}-${process.platform}-${process.arch}-${cpu}`),
    nodeLlamaCpp,
    cpu,
  }
}

export async function readCachedBuild(paths: EngineBuildPaths): Promise<CachedBuild | undefined> {
  let text: string
  try {
    text = await readFile(join(paths.cache, 'build.json'), 'utf8')
  } catch {
    return undefined
  }
  let parsed
  try {
    parsed = cachedBuildSchema.safeParse(JSON.parse(text))
  } catch {
    return undefined
  }
  if (!parsed.success || !existsSync(join(paths.cache, parsed.data.folder, RELEASE_DIR))) return undefined
  return parsed.data
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

export async function findBuildTools(env: NodeJS.ProcessEnv = process.env): Promise<BuildTools> {
  const cmake = onPath('cmake', env)
  const compiler = ['c++', 'g++', 'clang++'].map((name) => onPath(name, env)).find(Boolean)
  let openmp = false
  if (compiler) {
    const found = await execa(compiler, ['-print-file-name=libgomp.so'], {env, extendEnv: false, reject: false, timeout: 10_000})
    openmp = found.exitCode === 0 && found.stdout.trim().startsWith('/') && existsSync(found.stdout.trim())
  }
  return {cmake, compiler, openmp, cores: availableParallelism()}
}

/** What `model pull` does about the engine build; a warning says what the prebuilt engine costs. */
export async function planEngineBuild(input: {skip: boolean; cached: CachedBuild | undefined; findTools: () => Promise<BuildTools>}): Promise<EnginePlan> {
  if (input.cached) return {action: 'use-cached', build: input.cached}
  if (input.skip) return {action: 'skip', warning: `Engine build skipped (--no-engine-build): ${PREBUILT_COST}. Run \`pyagent model pull\` without the flag to build it.`}
  const tools = await input.findTools()
  const missing = [
    ...(tools.cmake ? [] : ['cmake']),
    ...(tools.compiler ? [] : ['a C++ compiler']),
    ...(tools.compiler && !tools.openmp ? ['OpenMP (libgomp)'] : []),
  ]
  if (missing.length > 0) {
    return {
      action: 'fallback',
      warning: `Not building the engine: ${missing.join(', ')} not found. ${PREBUILT_COST}. Install them (Debian: apt-get install cmake g++) and run \`pyagent model pull\` again.`,
    }
  }
  if (tools.cores < 2) return {action: 'fallback', warning: 'Not building the engine: with one core the prebuilt engine decodes as fast as a source build.'}
  return {action: 'build'}
}

export interface BuildProgress {
  done: number
  total: number
}

/**
 * Builds node-llama-cpp's bundled llama.cpp for the CPU (no GPU) with its own CLI, then keeps the
 * result in the cache. Progress comes from the build's `[n/total]` lines; `onOutput` sees every line.
 */
export async function buildEngine(
  paths: EngineBuildPaths,
  options: {onProgress?: (progress: BuildProgress) => void; onOutput?: (line: string) => void; packageDir?: string} = {},
): Promise<CachedBuild> {
  const packageDir = options.packageDir ?? nodeLlamaCppDir()
  const started = Date.now()
  const before = new Set(await readdir(paths.localBuilds).catch(() => [] as string[]))
  const cli = join(packageDir, 'dist', 'cli', 'cli.js')
  // CI=true would make node-llama-cpp log as for CI only; its CI build mode (OpenMP off) is a flag this command never passes.
  const child = execa(process.execPath, [cli, 'source', 'download', '--gpu', 'false', '--noUsageExample'], {all: true, reject: false, buffer: {all: true}})
  let tail = ''
  child.all?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
    for (const line of chunk.toString().split(/[\r\n]+/)) {
      if (!line.trim()) continue
      options.onOutput?.(line)
      const step = /^\[(\d+)\/(\d+)\]/.exec(line)
      if (step) options.onProgress?.({done: Number(step[1]), total: Number(step[2])})
    }
  })
  const result = await child
  if (result.exitCode !== 0) throw new Error(`node-llama-cpp's source build exited with ${result.exitCode ?? result.signal}: ${tail.split('\n').slice(-8).join('\n')}`)
  const folder = await newestCpuBuild(paths.localBuilds, before)
  if (!(await linksOpenMp(join(paths.localBuilds, folder, RELEASE_DIR)))) {
    throw new Error(`node-llama-cpp's source build in ${join(paths.localBuilds, folder)} finished without OpenMP (nothing in it links libgomp), so it would be no faster than the prebuilt engine.`)
  }
  const build: CachedBuild = {folder, nodeLlamaCpp: paths.nodeLlamaCpp, cpu: paths.cpu, builtAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000)}
  await storeBuild(paths, build)
  return build
}

/** Whether a build's libraries load OpenMP's runtime: its name is in their list of needed libraries. */
async function linksOpenMp(releaseDir: string): Promise<boolean> {
  for (const name of await readdir(releaseDir).catch(() => [] as string[])) {
    const file = join(releaseDir, name)
    if (!/\.(so|node)(\.|$)/.test(name) || !(await stat(file)).isFile()) continue
    if ((await readFile(file)).includes('libgomp.so')) return true
  }
  return false
}

/**
 * A finished OpenMP CPU build already in node-llama-cpp's folder (`npx node-llama-cpp source
 * download` run by hand, or a pull whose copy to the cache failed), kept in the cache instead of
 * compiling again.
 */
export async function adoptLocalBuild(paths: EngineBuildPaths): Promise<CachedBuild | undefined> {
  const folder = await newestCpuBuild(paths.localBuilds, new Set()).catch(() => undefined)
  if (!folder || !(await linksOpenMp(join(paths.localBuilds, folder, RELEASE_DIR)))) return undefined
  const build: CachedBuild = {folder, nodeLlamaCpp: paths.nodeLlamaCpp, cpu: paths.cpu, builtAt: new Date().toISOString()}
  await storeBuild(paths, build)
  return build
}

/** The CPU build the command just made: node-llama-cpp names the folder after its options. */
async function newestCpuBuild(localBuilds: string, before: Set<string>): Promise<string> {
  const folders = (await readdir(localBuilds)).filter((name) => !name.includes('.tmp-') && existsSync(join(localBuilds, name, DONE_MARKER)))
  const fresh = folders.filter((name) => !before.has(name))
  const folder = [...fresh, ...folders].find((name) => !/cuda|vulkan|metal/i.test(name))
  if (!folder) throw new Error(`node-llama-cpp's source build finished but left no finished CPU build in ${localBuilds}`)
  return folder
}

/** Copies only the binaries (not the object files) to the cache, replacing an older copy whole. */
async function storeBuild(paths: EngineBuildPaths, build: CachedBuild): Promise<void> {
  const staging = `${paths.cache}.tmp-${process.pid}`
  await rm(staging, {recursive: true, force: true})
  await mkdir(join(staging, build.folder), {recursive: true})
  await cp(join(paths.localBuilds, build.folder, RELEASE_DIR), join(staging, build.folder, RELEASE_DIR), {recursive: true})
  await writeFileAtomic(join(staging, build.folder, DONE_MARKER), '')
  await writeFileAtomic(join(staging, 'build.json'), `${JSON.stringify(build, null, 2)}\n`)
  await rm(paths.cache, {recursive: true, force: true})
  await rename(staging, paths.cache)
}

export type EngineBuildState = 'in-place' | 'restorable' | 'prebuilt'

/** Where the source build stands: loaded by `getLlama()` (in place), in the cache only, or absent. */
export async function engineBuildState(paths: EngineBuildPaths): Promise<{state: EngineBuildState; build?: CachedBuild}> {
  const build = await readCachedBuild(paths)
  if (!build) return {state: 'prebuilt'}
  const inPlace = await access(join(paths.localBuilds, build.folder, DONE_MARKER)).then(
    () => true,
    () => false,
  )
  return {state: inPlace ? 'in-place' : 'restorable', build}
}

/**
 * Puts the cached build where node-llama-cpp looks, when `npm ci` (or a reinstall) removed it.
 * A copy, never a compile; when it fails (node_modules not writable) the prebuilt engine runs and
 * `pyagent doctor` says the build is cached but not in place.
 */
export async function restoreEngineBuild(paths: EngineBuildPaths): Promise<EngineBuildState> {
  const {state, build} = await engineBuildState(paths)
  if (state !== 'restorable' || !build) return state
  const target = join(paths.localBuilds, build.folder)
  const staging = `${target}.tmp-${process.pid}`
  try {
    await rm(staging, {recursive: true, force: true})
    await cp(join(paths.cache, build.folder), staging, {recursive: true})
    // A folder without the marker is an unfinished build; one with it was just put there by another process.
    if (!existsSync(join(target, DONE_MARKER))) await rm(target, {recursive: true, force: true})
    await rename(staging, target)
  } catch {
    await rm(staging, {recursive: true, force: true}).catch(() => undefined)
  }
  return existsSync(join(target, DONE_MARKER)) ? 'in-place' : 'restorable'
}
