/**
 * The dashboard's calls to the fleet API. Beyond loopback the server asks for its bearer token:
 * the person types it once into the sign-in form, it is kept in this tab's sessionStorage (gone
 * when the tab closes, never in a URL, a cookie or a log) and sent as an Authorization header.
 */
import {ERROR_CODES, type ErrorCode, PyAgentError} from '../../../errors.js'

const TOKEN_KEY = 'pyagent-fleet-token'

/** A refusal of the server, under its own code. */
export class ApiError extends PyAgentError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(code, message)
  }
}

const knownCode = (code: string | undefined): ErrorCode => (code !== undefined && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : 'E_FLEET_INTERNAL')

let onUnauthorized: () => void = () => {}

export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
}

export function authHeaders(): Record<string, string> {
  const value = token.get()
  return value ? {authorization: `Bearer ${value}`} : {}
}

export async function refused(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as {error?: {code?: string; message?: string; field?: string}} | undefined
  if (response.status === 401) onUnauthorized()
  return new ApiError(response.status, knownCode(body?.error?.code), body?.error?.message ?? `The server answered ${response.status}.`, body?.error?.field)
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {...authHeaders(), ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw await refused(response)
  return (await response.json()) as T
}
