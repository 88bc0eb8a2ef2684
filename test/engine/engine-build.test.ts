/**
 * What `model pull` decides about the engine build, without compiling: node-llama-cpp's package
 * and its CLI are stand-ins in a throwaway folder, and so are cmake and the compiler on PATH.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {setUpEngine} from '../../src/app/engine-setup.js'
import {engineBuildPaths, engineBuildState, planEngineBuild, PREBUILT_COST, restoreEngineBuild} from '../../src/engine/engine-build.js'
import {tempDir} from '../support/temp-repo.js'

const FOLDER = 'linux-x64-release-b1234'

/**
 * A node-llama-cpp package whose `source download` prints build steps and leaves a finished
 * build (or fails with `exitCode`), and records the arguments it got.
 */
function fakePackage(options: {exitCode?: number; openmp?: boolean} = {}): string {
  const dir = tempDir('pyagent-nlc-')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'node-llama-cpp', version: '9.9.9'}))
  mkdirSync(join(dir, 'dist', 'cli'), {recursive: true})
  writeFileSync(
    join(dir, 'dist', 'cli', 'cli.js'),
    `const fs = require('node:fs'), path = require('node:path')
fs.writeFileSync(path.join(__dirname, 'args.json'), JSON.stringify(process.argv.slice(2)))
console.log('[1/2] Building CXX object ggml.cpp.o')
if (${options.exitCode ?? 0}) { console.error('c++: fatal error: Killed signal terminated program cc1plus'); process.exit(${options.exitCode ?? 0}) }
const out = path.join(__dirname, '..', '..', 'llama', 'localBuilds', '${FOLDER}')
fs.mkdirSync(path.join(out, 'Release'), {recursive: true})
fs.writeFileSync(path.join(out, 'Release', 'llama-addon.node'), 'addon')
fs.writeFileSync(path.join(out, 'Release', 'libggml-cpu.so'), ${options.openmp === false ? "'needs libc.so.6'" : "'needs libgomp.so.1'"})
fs.writeFileSync(path.join(out, 'CMakeCache.txt'), 'object files and the like stay out of the cache')
console.log('[2/2] Linking CXX shared module Release/llama-addon.node')
fs.writeFileSync(path.join(out, 'buildDone.status'), '')
`,
  )
  return dir
}

/** PATH with the build tools asked for: a `c++` that finds libgomp, or one that does not. */
function toolsOnPath(tools: {cmake?: boolean; compiler?: 'with-openmp' | 'without-openmp'}): string {
  const bin = tempDir('pyagent-bin-')
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
    chmodSync(join(bin, name), 0o755)
  }
  if (tools.cmake) script('cmake', 'echo cmake version 3.25.1')
  // gcc prints the bare name back when it has no such library.
  if (tools.compiler) script('c++', tools.compiler === 'with-openmp' ? 'echo "$0"' : 'echo libgomp.so')
  return bin
}

const environment = (path: string) => ({XDG_CACHE_HOME: tempDir('pyagent-cache-'), PATH: path})
const everyTool = () => toolsOnPath({cmake: true, compiler: 'with-openmp'})

describe('the engine build at `model pull`', {timeout: 60_000}, () => {
  it('falls back to the prebuilt engine, saying what it costs, when there is no compiler', async () => {
    const packageDir = fakePackage()
    const setup = await setUpEngine({skip: false, env: environment(toolsOnPath({cmake: true})), packageDir})
    expect(setup).toEqual({outcome: 'fallback', warning: expect.stringContaining('a C++ compiler not found')})
    expect(setup).toMatchObject({warning: expect.stringContaining(PREBUILT_COST)})
    expect(existsSync(join(packageDir, 'dist', 'cli', 'args.json'))).toBe(false)
  })

  it('falls back when the compiler has no OpenMP, or there is no cmake at all', async () => {
    const packageDir = fakePackage()
    const noOpenmp = await setUpEngine({skip: false, env: environment(toolsOnPath({cmake: true, compiler: 'without-openmp'})), packageDir})
    expect(noOpenmp).toMatchObject({outcome: 'fallback', warning: expect.stringContaining('OpenMP (libgomp) not found')})
    const nothing = await setUpEngine({skip: false, env: environment(tempDir()), packageDir})
    expect(nothing).toMatchObject({outcome: 'fallback', warning: expect.stringMatching(/^Not building the engine: cmake, a C\+\+ compiler not found/)})
    expect(existsSync(join(packageDir, 'dist', 'cli', 'args.json'))).toBe(false)
  })

  it('builds nothing with --no-engine-build, even where it could', async () => {
    const packageDir = fakePackage()
    const setup = await setUpEngine({skip: true, env: environment(everyTool()), packageDir})
    expect(setup).toMatchObject({outcome: 'skipped', warning: expect.stringContaining('--no-engine-build')})
    expect(existsSync(join(packageDir, 'dist', 'cli', 'args.json'))).toBe(false)
  })

  it('does not build with one core: the prebuilt engine is as fast there', async () => {
    const plan = await planEngineBuild({skip: false, cached: undefined, findTools: async () => ({cmake: '/usr/bin/cmake', compiler: '/usr/bin/c++', openmp: true, cores: 1})})
    expect(plan).toMatchObject({action: 'fallback', warning: expect.stringContaining('one core')})
  })

  it.skipIf(availableParallelism() < 2)('builds a CPU-only engine once, keeps only its binaries in the cache, then reuses them', async () => {
    const packageDir = fakePackage()
    const env = environment(everyTool())
    const progress: Array<{done: number; total: number}> = []
    let announced: number | undefined
    const setup = await setUpEngine({skip: false, env, packageDir, onBuildStart: (minutes) => (announced = minutes), onProgress: (step) => progress.push(step)})
    expect(setup).toMatchObject({outcome: 'built', build: {folder: FOLDER, nodeLlamaCpp: '9.9.9'}})
    expect(announced).toBeGreaterThan(0)
    expect(progress).toEqual([
      {done: 1, total: 2},
      {done: 2, total: 2},
    ])
    expect(JSON.parse(readFileSync(join(packageDir, 'dist', 'cli', 'args.json'), 'utf8'))).toEqual(['source', 'download', '--gpu', 'false', '--noUsageExample'])
    const paths = engineBuildPaths(env, packageDir)
    expect(readFileSync(join(paths.cache, FOLDER, 'Release', 'llama-addon.node'), 'utf8')).toBe('addon')
    expect(existsSync(join(paths.cache, FOLDER, 'buildDone.status'))).toBe(true)
    expect(existsSync(join(paths.cache, FOLDER, 'CMakeCache.txt'))).toBe(false)

    rmSync(join(packageDir, 'dist', 'cli', 'args.json'))
    const again = await setUpEngine({skip: false, env, packageDir})
    expect(again).toMatchObject({outcome: 'cached', build: {folder: FOLDER}})
    expect(existsSync(join(packageDir, 'dist', 'cli', 'args.json'))).toBe(false)
  })

  it.skipIf(availableParallelism() < 2)('keeps the prebuilt engine and says why when the build fails', async () => {
    const packageDir = fakePackage({exitCode: 2})
    const env = environment(everyTool())
    const setup = await setUpEngine({skip: false, env, packageDir})
    expect(setup).toMatchObject({outcome: 'failed', warning: expect.stringContaining(PREBUILT_COST)})
    expect(setup).toMatchObject({warning: expect.stringContaining('Killed signal terminated program cc1plus')})
    expect(await engineBuildState(engineBuildPaths(env, packageDir))).toEqual({state: 'prebuilt'})
  })
})

describe('a build found in node-llama-cpp\'s folder', {timeout: 60_000}, () => {
  it.skipIf(availableParallelism() < 2)('refuses a build that came out without OpenMP: it would be no faster', async () => {
    const packageDir = fakePackage({openmp: false})
    const env = environment(everyTool())
    const setup = await setUpEngine({skip: false, env, packageDir})
    expect(setup).toMatchObject({outcome: 'failed', warning: expect.stringContaining('finished without OpenMP')})
    expect(await engineBuildState(engineBuildPaths(env, packageDir))).toEqual({state: 'prebuilt'})
  })

  it('is kept in the cache instead of compiling again when it links OpenMP', async () => {
    const packageDir = fakePackage()
    const env = environment(tempDir())
    // As `npx node-llama-cpp source download` run by hand leaves it.
    execFileSync(process.execPath, [join(packageDir, 'dist', 'cli', 'cli.js')])
    rmSync(join(packageDir, 'dist', 'cli', 'args.json'))
    const setup = await setUpEngine({skip: false, env, packageDir})
    expect(setup).toMatchObject({outcome: 'cached', build: {folder: FOLDER}})
    expect(existsSync(join(packageDir, 'dist', 'cli', 'args.json'))).toBe(false)
    expect(await engineBuildState(engineBuildPaths(env, packageDir))).toMatchObject({state: 'in-place', build: {folder: FOLDER}})
  })
})

describe('the engine build after `npm ci`', {timeout: 60_000}, () => {
  it.skipIf(availableParallelism() < 2)('is copied back from the cache into node-llama-cpp before the engine loads', async () => {
    const packageDir = fakePackage()
    const env = environment(everyTool())
    await setUpEngine({skip: false, env, packageDir})
    const paths = engineBuildPaths(env, packageDir)
    // What `npm ci` does to node_modules.
    rmSync(join(packageDir, 'llama'), {recursive: true})
    expect((await engineBuildState(paths)).state).toBe('restorable')
    expect(await restoreEngineBuild(paths)).toBe('in-place')
    expect(readFileSync(join(paths.localBuilds, FOLDER, 'Release', 'llama-addon.node'), 'utf8')).toBe('addon')
    expect(await restoreEngineBuild(paths)).toBe('in-place')
  })

  it('ignores a corrupt cache record instead of loading from it', async () => {
    const packageDir = fakePackage()
    const env = environment(tempDir())
    const paths = engineBuildPaths(env, packageDir)
    mkdirSync(paths.cache, {recursive: true})
    writeFileSync(join(paths.cache, 'build.json'), '{"folder": "../../etc", ')
    expect(await engineBuildState(paths)).toEqual({state: 'prebuilt'})
    writeFileSync(join(paths.cache, 'build.json'), JSON.stringify({folder: '../../etc', nodeLlamaCpp: '9.9.9', cpu: 'x', builtAt: 'now', seconds: 1}))
    expect(await engineBuildState(paths)).toEqual({state: 'prebuilt'})
    expect(await restoreEngineBuild(paths)).toBe('prebuilt')
  })
})
