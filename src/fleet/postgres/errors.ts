/**
 * What went wrong between the fleet and its PostgreSQL database, said so a person can act on it:
 * nothing answers, the login is refused, or the database refuses what the fleet asks of it. The
 * URL is always shown masked, and a server's own words are masked too before they are quoted.
 */
import {PyAgentError} from '../../errors.js'
import {redactDatabaseUrl, redactText} from './url.js'

export class FleetDatabaseError extends PyAgentError {
  override name = 'FleetDatabaseError'
}

/** Connection failures of the socket itself (node's codes) and of its timeout (node-postgres's message). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'ENOENT', 'EPIPE', '57P01', '57P03'])
/** SQLSTATEs of a refused login: a wrong password, or no pg_hba.conf line letting this user in. */
const LOGIN_REFUSED = new Set(['28P01', '28000'])

/** Turns a driver error into a FleetDatabaseError with a stable code; `doing` says what the fleet was about. */
export function databaseError(error: unknown, url: string, doing: string): PyAgentError {
  // The fleet's own refusals (an unknown task, a finished one) pass through as they are.
  if (error instanceof PyAgentError) return error
  const shown = redactDatabaseUrl(url)
  const found = error as {code?: string; message?: string}
  const said = redactText(String(found.message ?? error), url)
  if (found.code && LOGIN_REFUSED.has(found.code)) {
    return new FleetDatabaseError(
      'E_FLEET_DATABASE_AUTH',
      `PostgreSQL at ${shown} refused the login (${said}). Check the user and password (keep the password in PGPASSWORD or ~/.pgpass rather than in the URL) and that pg_hba.conf lets this user in from this machine.`,
    )
  }
  if ((found.code && UNREACHABLE.has(found.code)) || /timeout|terminated|Connection terminated/i.test(said)) {
    return new FleetDatabaseError(
      'E_FLEET_DATABASE_UNREACHABLE',
      `No PostgreSQL answered at ${shown} while ${doing} (${said}). Start the database, or check the host, port and firewall in the URL.`,
    )
  }
  if (found.code === '3D000') {
    return new FleetDatabaseError('E_FLEET_DATABASE', `The database in ${shown} does not exist (${said}); create it (createdb) or name another.`)
  }
  return new FleetDatabaseError('E_FLEET_DATABASE', `PostgreSQL at ${shown} failed while ${doing}: ${said}`)
}
