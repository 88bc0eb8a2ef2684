import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base.js'
import {untilStopped} from '../cli/stop-signals.js'
import {startFleetServer} from '../server/serve.js'

export default class Serve extends BaseCommand {
  static override description = [
    'Run a fleet server on this machine: an HTTP API that queues tasks and runs them in worker processes, each in its own git worktree.',
    '',
    'On a loopback bind (the default) no token is needed; any other bind needs the bearer token made at first start in the user config directory (fleet-token, mode 0600).',
    'The API is described at /openapi.json; the dashboard (tasks, their events and diffs, charts) is at /.',
  ].join('\n')

  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --workers 4 --port 7800',
    '<%= config.bin %> serve --host 0.0.0.0 --database file:/srv/pyagent/fleet.db',
    '<%= config.bin %> serve --host 0.0.0.0 --database postgres://pyagent@db.internal/fleet --workers 0',
  ]

  static override flags = {
    host: Flags.string({description: 'Address to listen on; anything but loopback requires the bearer token', default: '127.0.0.1'}),
    port: Flags.integer({description: 'Port (0: any free port)', min: 0, max: 65_535, default: 7800}),
    workers: Flags.integer({description: 'Worker processes on this machine, each running one task at a time (0: only `pyagent worker` hosts run tasks; PostgreSQL only)', min: 0, max: 64, default: 2}),
    database: Flags.string({
      description: 'The fleet\'s state: a SQLite file as a path or file:PATH (default: fleet.db in the user data directory), or PostgreSQL as postgres://USER@HOST:PORT/DATABASE (password in PGPASSWORD or ~/.pgpass)',
      env: 'PYAGENT_FLEET_DATABASE',
    }),
  }

  async run() {
    const {flags} = await this.parse(Serve)
    const {config} = this.resolveConfig(this.repoRoot(flags.cwd))
    const server = await startFleetServer({host: flags.host, port: flags.port, workers: flags.workers, database: flags.database, config, version: this.config.version})
    if (server.notice) process.stderr.write(`${server.notice}\n`)
    // The address goes out on stdout as soon as it is known, so scripts can wait for it, with or without --json.
    const line = {url: server.url, database: server.database, workers: flags.workers, tokenRequired: server.tokenRequired}
    process.stdout.write(
      this.jsonEnabled()
        ? `${JSON.stringify(line)}\n`
        : `Fleet server at ${server.url} with ${flags.workers} workers (queue in ${server.database}); its dashboard is at ${server.url}/${server.tokenRequired ? '; clients need the bearer token' : ''}\n`,
    )
    await untilStopped()
    await server.close()
  }
}
