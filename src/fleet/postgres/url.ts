/**
 * A `--database postgres://…` URL: recognised, checked before anything connects, and masked
 * wherever it is shown, so that its password reaches no message, log or process list.
 */
import {PyAgentError} from '../../errors.js'

export const isPostgresUrl = (database: string) => /^postgres(?:ql)?:\/\//i.test(database)

const MASK = '***'

/** The URL with its password (in the authority or as a `password=` parameter) masked; what does not parse is masked by pattern. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = MASK
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', MASK)
    return parsed.toString().replace(encodeURIComponent(MASK), MASK)
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, `$1${MASK}@`).replace(/(password=)[^&]*/gi, `$1${MASK}`)
  }
}

/** The password a URL carries, so that a message quoting a server's words can be masked too. */
export function urlPassword(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || undefined
  } catch {
    return undefined
  }
}

/** Masks the URL and its password in any text (a driver's message, a stack). */
export function redactText(text: string, url: string): string {
  const password = urlPassword(url)
  let masked = text.split(url).join(redactDatabaseUrl(url))
  if (password && password.length >= 4) masked = masked.split(password).join(MASK)
  return masked
}

export class FleetDatabaseUrlError extends PyAgentError {
  override name = 'FleetDatabaseUrlError'
  constructor(message: string) {
    super('E_FLEET_DATABASE_URL', message)
  }
}

/** Refuses a URL that cannot name a PostgreSQL database, naming it masked. */
export function checkPostgresUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new FleetDatabaseUrlError(
      `--database ${redactDatabaseUrl(url)} is not a URL PostgreSQL can be reached at; write it as postgres://USER@HOST:PORT/DATABASE (the password in PGPASSWORD or ~/.pgpass rather than in the URL).`,
    )
  }
  if (parsed.pathname.length <= 1) {
    throw new FleetDatabaseUrlError(`--database ${redactDatabaseUrl(url)} names no database; end it with /DATABASE (postgres://USER@HOST:PORT/DATABASE).`)
  }
  return url
}
