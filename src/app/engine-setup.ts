/**
 * The engine half of `model pull`: use the cached OpenMP build of llama.cpp, or build it when this
 * machine can, or say what running on the prebuilt binaries costs. Never throws: a failed build
 * leaves the prebuilt engine, which works, only slower.
 */
import {
  adoptLocalBuild,
  buildEngine,
  type BuildProgress,
  type CachedBuild,
  engineBuildPaths,
  expectedBuildMinutes,
  findBuildTools,
  planEngineBuild,
  PREBUILT_COST,
  readCachedBuild,
  restoreEngineBuild,
} from '../engine/engine-build.js'

export type EngineSetup =
  | {outcome: 'cached' | 'built'; build: CachedBuild; cacheDir: string}
  | {outcome: 'skipped' | 'fallback' | 'failed'; warning: string}

export interface EngineSetupOptions {
  /** `--no-engine-build`. */
  skip: boolean
  env?: NodeJS.ProcessEnv
  /** node-llama-cpp's package folder (default: the installed one). */
  packageDir?: string
  onBuildStart?: (expectedMinutes: number) => void
  onProgress?: (progress: BuildProgress) => void
  onOutput?: (line: string) => void
}

export async function setUpEngine(options: EngineSetupOptions): Promise<EngineSetup> {
  const env = options.env ?? process.env
  const paths = engineBuildPaths(env, options.packageDir)
  const cached = (await readCachedBuild(paths)) ?? (options.skip ? undefined : await adoptLocalBuild(paths))
  const plan = await planEngineBuild({skip: options.skip, cached, findTools: () => findBuildTools(env)})
  switch (plan.action) {
    case 'use-cached':
      await restoreEngineBuild(paths)
      return {outcome: 'cached', build: plan.build, cacheDir: paths.cache}
    case 'skip':
      return {outcome: 'skipped', warning: plan.warning}
    case 'fallback':
      return {outcome: 'fallback', warning: plan.warning}
    case 'build':
      break
  }
  options.onBuildStart?.(expectedBuildMinutes())
  try {
    const build = await buildEngine(paths, {packageDir: options.packageDir, onProgress: options.onProgress, onOutput: options.onOutput})
    return {outcome: 'built', build, cacheDir: paths.cache}
  } catch (error) {
    return {
      outcome: 'failed',
      warning: `The engine build failed, so the prebuilt engine stays in use: ${PREBUILT_COST}. ${(error as Error).message}`,
    }
  }
}
