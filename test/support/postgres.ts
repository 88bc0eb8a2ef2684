/**
 * A throwaway PostgreSQL cluster from Debian's packages (apt-get install postgresql): initdb in a
 * temporary directory, a free loopback port with password (scram) logins, stopped and removed at
 * the end. initdb refuses to run as root, so as root (CI) the cluster belongs to the `postgres`
 * user the package makes, and its commands run as that user through runuser. Without the
 * binaries the tests skip and say why; under CI=true, where .ci/run installs them, they fail.
 */
import {execa} from 'execa'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'

import pg from 'pg'

import {freePort} from './free-port.js'

export const PG_USER = 'pyagent'
export const PG_PASSWORD = 'a-test-password-never-to-be-printed'

/** The newest installed server's bin directory; undefined (or, under CI, an error) when there is none. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0]
  if (newest) return join(root, newest, 'bin')
  if (process.env.CI) throw new Error('the PostgreSQL fleet tests need PostgreSQL (apt-get install postgresql); .ci/run should have installed it')
  process.stderr.write('PostgreSQL is not installed (apt-get install postgresql): the fleet\'s PostgreSQL tests are skipped\n')
  return undefined
}


export interface PostgresCluster {
  port: number
  /** A URL for `database` with the test user's password (or another one). */
  url(database: string, password?: string): string
  /** A new, empty database, named for one test. */
  createDatabase(): Promise<string>
  stop(): Promise<void>
}

let databases = 0

export async function startPostgres(bin: string): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pyagent-pg-'))
  const data = join(dir, 'data')
  const asRoot = userInfo().uid === 0
  // As root the cluster is the postgres user's: the directory is handed to it and every command runs as it.
  const run = (command: string, args: string[]) => (asRoot ? execa('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : execa(join(bin, command), args))
  const pwfile = join(dir, 'pwfile')
  writeFileSync(pwfile, `${PG_PASSWORD}\n`)
  if (asRoot) {
    chmodSync(dir, 0o700)
    const {stdout} = await execa('id', ['-u', 'postgres'])
    const {stdout: gid} = await execa('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout), Number(gid))
    chownSync(pwfile, Number(stdout), Number(gid))
  }
  await run('initdb', ['--pgdata', data, '--username', PG_USER, '--pwfile', pwfile, '--auth', 'scram-sha-256', '--encoding', 'UTF8', '--no-sync'])
  const port = await freePort()
  const log = join(dir, 'server.log')
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`
  const started = await execa(asRoot ? 'runuser' : join(bin, 'pg_ctl'), [...(asRoot ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), '--pgdata', data, '--log', log, '--options', options, '--wait', 'start'], {reject: false})
  if (started.exitCode !== 0) throw new Error(`PostgreSQL did not start:\n${started.stderr}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`)
  const url = (database: string, password = PG_PASSWORD) => `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  return {
    port,
    url,
    createDatabase: async () => {
      const name = `fleet_${process.pid}_${++databases}`
      const client = new pg.Client({connectionString: url('postgres')})
      await client.connect()
      try {
        await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return name
    },
    stop: async () => {
      await run('pg_ctl', ['--pgdata', data, '--mode', 'immediate', 'stop']).catch(() => undefined)
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
