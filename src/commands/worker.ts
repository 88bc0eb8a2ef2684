import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base.js'
import {untilStopped} from '../cli/stop-signals.js'
import {startWorkerHost} from '../server/worker-host.js'

export default class Worker extends BaseCommand {
  static override description = [
    'Run fleet workers on this machine for a fleet whose queue is in PostgreSQL (pyagent serve --database postgres://…).',
    '',
    'Each worker process claims tasks in priority order and runs each in its own git worktree. The repositories must be reachable from here:',
    'a git URL (cloned into a mirror on this machine) or an absolute path that is the same on every machine (a shared filesystem).',
    'Keep the password out of the command line: PGPASSWORD or ~/.pgpass.',
  ].join('\n')

  static override examples = [
    '<%= config.bin %> worker --database postgres://pyagent@db.internal/fleet --server http://fleet.internal:7800',
    'PYAGENT_FLEET_DATABASE=postgres://pyagent@db.internal/fleet <%= config.bin %> worker --concurrency 4',
  ]

  static override flags = {
    database: Flags.string({description: 'The fleet\'s PostgreSQL database, as postgres://USER@HOST:PORT/DATABASE', env: 'PYAGENT_FLEET_DATABASE', required: true}),
    server: Flags.string({
      description: "The fleet server whose LLM endpoint pool the workers use (its /llm/v1 route, with this machine's fleet token); default: the LLM endpoint of this machine's config",
    }),
    concurrency: Flags.integer({description: 'Worker processes, each running one task at a time', min: 1, max: 64, default: 2}),
  }

  async run() {
    const {flags} = await this.parse(Worker)
    const {config} = this.resolveConfig(this.repoRoot(flags.cwd))
    const host = await startWorkerHost({database: flags.database, concurrency: flags.concurrency, config, server: flags.server})
    const line = {database: host.database, concurrency: flags.concurrency, name: host.name}
    process.stdout.write(this.jsonEnabled() ? `${JSON.stringify(line)}\n` : `${flags.concurrency} fleet workers (${host.name}-*) taking tasks from ${host.database}\n`)
    await untilStopped()
    await host.close()
  }
}
