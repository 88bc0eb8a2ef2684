import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURE} from '../agent/harness.js'
import {chromiumMissing, launchChromium} from '../support/chromium.js'
import {type OpenAiTestServer, startOpenAiServer} from '../support/openai-server.js'
import {tempRepo} from '../support/temp-repo.js'
import {editAdd, editGreet, finish, scriptedByTask, serve, slow, tool} from './support.js'

let model: OpenAiTestServer
beforeAll(async () => {
  model = await startOpenAiServer()
})
afterAll(() => model?.close())

const repository = () => tempRepo({...FIXTURE, 'test.js': "console.log('all tests pass')\n"})

/** What the page must never do: break its Content-Security-Policy, throw, or load anything from anywhere but the server. */
function watch(page: Page, origin: string) {
  const problems: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type/i.test(message.text())) problems.push(`CSP: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`)) problems.push(`request to ${request.url()}`)
  })
  return problems
}

const INJECTED = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
/** A file whose name and content are markup: the diff and the events must show them as text. */
const INJECTED_FILE = 'docs/<img src=x onerror=window.pwned=3>.md'
const writeInjected = tool('write_file', {path: INJECTED_FILE, content: '<script>window.pwned=4</script>\n'})

describe('the fleet dashboard in a real browser', {timeout: 240_000}, () => {
  it.skipIf(chromiumMissing)(`submits a task through the form and watches it finish (events, diff), applies and undoes it, cancels another mid-run${chromiumMissing ? ` (${chromiumMissing})` : ''}`, async () => {
    model.setHandler(
      scriptedByTask({
        'TASK-DASH-DONE': {steps: [slow(editAdd, 20), writeInjected, finish('add adds')]},
        'TASK-DASH-CANCEL': {steps: [editGreet, slow(finish('never gets here'), 5_000)]},
      }),
    )
    const repo = repository()
    const fleet = await serve(model)
    const browser = await launchChromium()
    const page = await browser.newPage()
    const problems = watch(page, fleet.url)
    await page.goto(fleet.url)
    await page.locator('#overview').waitFor()
    await expect.poll(() => page.locator('#submit-priority option').allTextContents()).toEqual(['low', 'normal', 'high', 'highest'])

    // A clumsy submit: the server's refusal names the field.
    await page.fill('#submit-repository', 'relative/path')
    await page.fill('#submit-task', 'TASK-DASH-DONE: fix add')
    await page.click('#submit-form button[type=submit]')
    await expect.poll(() => page.textContent('#flash')).toContain('body.repository')

    await page.fill('#submit-repository', repo.root)
    await page.fill('#submit-task', `TASK-DASH-DONE: make add add ${INJECTED}`)
    await page.selectOption('#submit-priority', 'high')
    await page.click('#submit-form button[type=submit]')
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/)
    const doneId = page.url().split('/').at(-1)!
    await expect.poll(() => page.textContent('#task-status'), {timeout: 90_000}).toBe('done')
    await expect.poll(() => page.locator('#task-events li[data-type="task_finished"]').count()).toBeGreaterThan(0)
    expect(await page.locator('#task-events li[data-type="attempt_started"]').count()).toBe(1)
    expect(await page.locator('#task-events li[data-type="diff"]').first().textContent()).toContain('src/add.js')
    // The diff: a file header, the removed line and the added one, each coloured.
    expect(await page.locator('.diff .diff-file').allTextContents()).toEqual([`diff --git a/${INJECTED_FILE} b/${INJECTED_FILE}`, 'diff --git a/src/add.js b/src/add.js'])
    expect(await page.locator('.diff .diff-meta').allTextContents()).toContain('+++ b/src/add.js')
    expect(await page.locator('.diff .diff-del').allTextContents()).toEqual(['-  return a - b'])
    expect(await page.locator('.diff .diff-add').allTextContents()).toEqual(['+<script>window.pwned=4</script>', '+  return a + b'])
    const colour = (selector: string) => page.locator(selector).first().evaluate((element) => getComputedStyle(element).backgroundColor)
    expect(new Set([await colour('.diff .diff-add'), await colour('.diff .diff-del'), await colour('.diff .diff-context')]).size).toBe(3)
    // The task's text, the file's name and its content were shown as text: no element of them was made, none of their script ran.
    expect(await page.textContent('#task-text')).toContain(INJECTED)
    expect(await page.textContent('#task-facts')).toContain(INJECTED_FILE)
    expect(await page.locator('#task img, #task script').count()).toBe(0)
    expect(await page.evaluate(() => (window as {pwned?: number}).pwned)).toBeUndefined()

    // Apply brings the change into the repository's working tree; undo takes it out again.
    await page.click('#task-apply')
    await expect.poll(() => page.textContent('#task-status')).toBe('done · applied')
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toContain('a + b')
    expect(readFileSync(join(repo.root, INJECTED_FILE), 'utf8')).toBe('<script>window.pwned=4</script>\n')
    await expect.poll(() => page.locator('#task-events li[data-type="applied"]').count()).toBe(1)
    expect(await page.isDisabled('#task-apply')).toBe(true)
    await page.click('#task-undo')
    await expect.poll(() => page.textContent('#task-status')).toBe('done')
    expect(readFileSync(join(repo.root, 'src/add.js'), 'utf8')).toBe(FIXTURE['src/add.js'])
    expect(existsSync(join(repo.root, INJECTED_FILE))).toBe(false)
    await expect.poll(() => page.locator('#task-events li[data-type="undone"]').count()).toBe(1)

    // The overview lists it live, with its usage, and the charts and figures include it.
    await page.click('text=← all tasks')
    const row = page.locator(`tr[data-task="${doneId}"]`)
    await expect.poll(() => row.getAttribute('data-status')).toBe('done')
    expect(await row.locator('td').allTextContents()).toEqual([expect.stringContaining('TASK-DASH-DONE'), 'done', 'coder', 'high', expect.stringMatching(/^\d+[smh]/), expect.stringMatching(/^[1-9][\d,]*$/), expect.stringMatching(/^\$/)])
    await expect.poll(() => page.locator('.tile').allTextContents()).toEqual(expect.arrayContaining(['1tasks ended', '100%success rate']))
    for (const name of ['states', 'usage', 'latency', 'rates']) {
      const box = await page.locator(`#chart-${name}`).boundingBox()
      expect(box?.width, name).toBeGreaterThan(100)
      expect(box?.height, name).toBeGreaterThan(100)
    }

    // Another task, cancelled on its page while it runs: nothing of it is left.
    await page.fill('#submit-task', 'TASK-DASH-CANCEL: make greet say hello')
    await page.click('#submit-form button[type=submit]')
    await page.waitForURL((url) => url.hash.startsWith('#/tasks/') && !url.hash.endsWith(doneId))
    const cancelledId = page.url().split('/').at(-1)!
    await page.locator('#task-events li[data-type="diff"]').waitFor({timeout: 90_000})
    await page.click('#task-cancel')
    await expect.poll(() => page.textContent('#task-status'), {timeout: 60_000}).toBe('cancelled')
    expect(await page.textContent('#task-diff')).toContain('left no change')
    expect(await page.isDisabled('#task-cancel')).toBe(true)
    expect(repo.git('branch', '--list', `pyagent/${cancelledId}`)).toBe('')
    expect(repo.git('status', '--porcelain')).toBe('')

    expect(problems).toEqual([])
  })

  it.skipIf(chromiumMissing)(`beyond loopback: a sign-in form takes the token, keeps it in the tab's sessionStorage and sends it as a header, never in a URL${chromiumMissing ? ` (${chromiumMissing})` : ''}`, async () => {
    const fleet = await serve(model, {workers: 1, args: ['--host', '0.0.0.0']})
    const token = readFileSync(join(fleet.home, 'config', 'pyagent', 'fleet-token'), 'utf8').trim()
    const origin = `http://127.0.0.1:${new URL(fleet.url).port}`
    const browser = await launchChromium()
    const context = await browser.newContext()
    const page = await context.newPage()
    const problems = watch(page, origin)
    const urls: string[] = []
    page.on('request', (request) => urls.push(request.url()))
    await page.goto(origin)
    await page.locator('#login').waitFor()
    expect(await page.isVisible('#overview')).toBe(false)
    await page.fill('#login-token', 'a wrong token')
    await page.click('#login-form button')
    await page.locator('#login').waitFor()
    await page.fill('#login-token', token)
    await page.click('#login-form button')
    await page.locator('#overview').waitFor()
    await expect.poll(() => page.textContent('#health')).toContain('1 workers')
    expect(await page.evaluate(() => sessionStorage.getItem('pyagent-fleet-token'))).toBe(token)
    await page.reload()
    await page.locator('#overview').waitFor()
    const other = await (await browser.newContext()).newPage()
    await other.goto(origin)
    await other.locator('#login').waitFor()
    await page.click('#logout')
    await page.locator('#login').waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('pyagent-fleet-token'))).toBeNull()
    expect(urls.filter((url) => url.includes(token))).toEqual([])
    expect(problems).toEqual([])
  })
})
