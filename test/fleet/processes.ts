/** What the fleet's tests and benches share about the processes they start, without vitest: their environment, and a process's children. */
import {readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** The environment of a fleet process: its own home, the scripted model at `baseUrl`, a quick heartbeat and lapse; `env` overrides any of it. */
export function fleetEnv(baseUrl: string, home: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    PYAGENT_BASE_URL: baseUrl,
    PYAGENT_MAX_RETRIES: '0',
    PYAGENT_ACTION_PROTOCOL: 'tools',
    PYAGENT_TEST_COMMAND: 'node test.js',
    PYAGENT_FLEET_HEARTBEAT_SEC: '0.3',
    // A worker's event loop stands still for up to about 2 s while a run starts on a busy machine (modules, the native module, the map): a shorter lapse retries live tasks.
    PYAGENT_FLEET_LAPSE_SEC: '5',
    // The repositories are made in the temporary directory, outside the default root (the home directory).
    PYAGENT_FLEET_REPOSITORY_ROOTS: tmpdir(),
    ...env,
  }
}

/** The processes `pid` started (a worker host's or a server's workers), read from /proc. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid
      } catch {
        return false
      }
    })
    .map(Number)
}
