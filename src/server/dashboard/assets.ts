/**
 * The dashboard, served by the fleet server from the package: the page, and the script and style
 * sheet that `npm run build` bundles from client/ into dist/dashboard/. Every answer carries a
 * strict Content-Security-Policy: only this server's own script, styles and API, no inline code,
 * no framing, and Trusted Types required, so no string can reach an HTML sink.
 */
import {readFileSync} from 'node:fs'

import type {FastifyInstance, FastifyReply} from 'fastify'

import {DASHBOARD_PAGE} from './page.js'

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ')

/** The same path under src/server/dashboard/ (tests) and dist/server/dashboard/ (the package): both three levels below the root. */
const BUNDLE_DIR = new URL('../../../dist/dashboard/', import.meta.url)

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/><path d="M4 4h5a3 3 0 0 1 0 6H6v2H4z" fill="#fff"/></svg>'

const ASSETS: Record<string, {type: string; body: () => string}> = {
  '/dashboard/app.js': {type: 'text/javascript; charset=utf-8', body: () => bundled('app.js')},
  '/dashboard/app.css': {type: 'text/css; charset=utf-8', body: () => bundled('app.css')},
  '/dashboard/icon.svg': {type: 'image/svg+xml', body: () => ICON},
}

const read = new Map<string, string>()

function bundled(file: string): string {
  let body = read.get(file)
  if (body === undefined) {
    try {
      body = readFileSync(new URL(file, BUNDLE_DIR), 'utf8')
    } catch (error) {
      throw new Error(`The dashboard's ${file} is not in ${BUNDLE_DIR.pathname}: \`npm run build\` bundles it.`, {cause: error})
    }
    read.set(file, body)
  }
  return body
}

/** The dashboard's own files: they hold no data, so a browser may fetch them before it has the token. */
export function isDashboardAsset(url: string): boolean {
  const path = url.split('?')[0]!
  return path === '/' || Object.hasOwn(ASSETS, path)
}

function secured(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache')
}

export function registerDashboard(app: FastifyInstance): void {
  app.get('/', async (_request, reply) => secured(reply, 'text/html; charset=utf-8').send(DASHBOARD_PAGE))
  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => secured(reply, asset.type).send(asset.body()))
  }
}
