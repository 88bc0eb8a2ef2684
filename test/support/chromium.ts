/**
 * Debian's chromium for the dashboard's browser tests, driven by playwright-core (which ships no
 * browser of its own). Without it the tests skip and say why; under CI they fail instead, since
 * .ci/run installs it.
 */
import {existsSync} from 'node:fs'

import {type Browser, chromium} from 'playwright-core'
import {onTestFinished} from 'vitest'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

export const chromiumPath = CANDIDATES.find((path) => existsSync(path))

export const chromiumMissing = chromiumPath ? undefined : `skipped: Debian's chromium is not installed (${CANDIDATES.join(' or ')}); apt-get install chromium`

if (chromiumMissing && process.env.CI) throw new Error(`The dashboard's browser tests need chromium, and .ci/run should have installed it: ${chromiumMissing}`)

/** A headless chromium, closed when the test ends. `--no-sandbox`: the tests run as root, where chromium's sandbox refuses to start. */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({executablePath: chromiumPath, headless: true, args: ['--no-sandbox']})
  onTestFinished(() => browser.close())
  return browser
}
