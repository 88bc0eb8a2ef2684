/**
 * Issue 15: a hook a team keeps. What the false alarms and misses were, and what adopting the
 * hook on a repository that already holds test credentials takes: allow markers, a baseline,
 * binary files scanned too.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runReview} from '../../src/review/review.js'
import {runCli} from '../support/cli.js'
import {tempRepo} from '../support/temp-repo.js'
import {checksummedToken, randomFrom} from '../support/tokens.js'
import {DEFAULT_CONFIG} from './support.js'

async function secretFindings(root: string) {
  const report = await runReview({repoRoot: root, target: {kind: 'staged'}, config: DEFAULT_CONFIG})
  return report.findings.filter((finding) => finding.ruleId === 'secret/added')
}

describe('the secret review on real code', () => {
  it('passes code that only names tokens and passwords (the hook that cried wolf)', async () => {
    const repo = tempRepo({})
    repo.write(
      'lexer.ts',
      [
        'export class Lexer {',
        '  constructor(private tokenize: (text: string) => string[]) {',
        '    this.tokenize = tokenize;',
        '    const oldTokens = this.removeEmpty(this.tokenize("a b"))',
        '    const password = getPassword()',
        '    const secretName = "prod/db/password"',
        '    const apiKey = process.env.API_KEY',
        '    if (authType == "v4-unsigned-body") return',
        '  }',
        '}',
      ].join('\n'),
    )
    repo.git('add', '.')
    expect(await secretFindings(repo.root)).toEqual([])
  })

  it('catches the formats the old rules missed: a bare AWS key id, a Google API key, a JWT, an Azure connection string, Stripe', async () => {
    const jwtPart = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const planted = {
      'aws.ts': `const id = "AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}"`,
      'google.py': `maps = "AIza${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-', 35)}"`,
      'jwt.txt': `token ${jwtPart({alg: 'HS256', typ: 'JWT'})}.${jwtPart({sub: 'u1', iat: 1})}.${randomFrom('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789', 43)}`,
      'azure.cfg': `conn = DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${Buffer.from(randomFrom('abcdef0123456789', 64)).toString('base64').slice(0, 86)}==;EndpointSuffix=core.windows.net`,
      'pay.js': `charge(${JSON.stringify(`sk_live_${randomFrom('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789', 32)}`)})`,
    }
    const repo = tempRepo({})
    for (const [path, text] of Object.entries(planted)) repo.write(path, `${text}\n`)
    repo.git('add', '.')
    const flagged = (await secretFindings(repo.root)).map((finding) => finding.path).sort()
    expect(flagged).toEqual(Object.keys(planted).sort())
  })

  it('scans a staged binary file for the credentials inside it', async () => {
    const repo = tempRepo({})
    const token = checksummedToken()
    repo.write('assets/app.dat', Buffer.concat([Buffer.from([0, 159, 146, 150, 0]), Buffer.from(token), Buffer.from([0, 1, 2])]))
    repo.git('add', '.')
    const findings = await secretFindings(repo.root)
    expect(findings).toEqual([expect.objectContaining({path: 'assets/app.dat', message: expect.stringContaining('binary file holds what looks like a secret (github-pat)')})])
    expect(JSON.stringify(findings)).not.toContain(token)
  })

  it('names the detector rule in SARIF, as a tag of the secret/added result', async () => {
    const repo = tempRepo({})
    repo.write('deploy.sh', `export NPM_TOKEN=${checksummedToken('npm')}\n`)
    repo.git('add', '.')
    const review = await runCli(['review', '--format', 'sarif'], {cwd: repo.root})
    expect(review.exitCode).toBe(1)
    const [result] = (JSON.parse(review.stdout) as {runs: {results: {ruleId: string; properties?: {tags?: string[]}}[]}[]}).runs[0]!.results
    expect(result).toMatchObject({ruleId: 'secret/added', properties: {tags: ['npm-access-token']}})
  })

  it('scans a binary file whose name holds " and ", which the diff\'s "Binary files … differ" line cannot split', async () => {
    const repo = tempRepo({'docs/a and b.dat': Buffer.from([0, 1, 2])})
    repo.write('docs/a and b.dat', Buffer.concat([Buffer.from([0, 1]), Buffer.from(checksummedToken()), Buffer.from([0])]))
    repo.git('add', '.')
    expect((await secretFindings(repo.root)).map((finding) => finding.path)).toEqual(['docs/a and b.dat'])
  })

  it('lets a line marked pyagent:allow-secret or gitleaks:allow through, and nothing else', async () => {
    const repo = tempRepo({})
    repo.write('fixtures.ts', `export const a = "${checksummedToken()}" // pyagent:allow-secret\nexport const b = "${checksummedToken()}" // gitleaks:allow\nexport const c = "${checksummedToken()}"\n`)
    repo.git('add', '.')
    expect((await secretFindings(repo.root)).map((finding) => finding.line)).toEqual([3])
  })
})

describe('pyagent review --baseline', {timeout: 60_000}, () => {
  it('records the secrets the tree holds without their values; later reviews report only new ones', async () => {
    const known = checksummedToken()
    const repo = tempRepo({'test/fixture.ts': `export const token = "${known}"\n`})
    const recorded = await runCli(['review', '--baseline', '--json'], {cwd: repo.root})
    expect(recorded.exitCode).toBe(0)
    expect(JSON.parse(recorded.stdout)).toMatchObject({findings: 1, files: ['test/fixture.ts']})
    const baseline = readFileSync(join(repo.root, '.pyagent-secrets-baseline.json'), 'utf8')
    expect(baseline).not.toContain(known)
    expect(baseline).not.toContain(known.slice(4, 20))

    // The known token moves to another file; a new one arrives beside it.
    const fresh = checksummedToken()
    repo.write('src/copy.ts', `export const again = "${known}"\nexport const fresh = "${fresh}"\n`)
    repo.git('add', '.')
    const review = await runCli(['review', '--format', 'json'], {cwd: repo.root})
    expect(review.exitCode).toBe(1)
    const findings = (JSON.parse(review.stdout) as {findings: {path: string; line: number}[]}).findings
    expect(findings.map((finding) => [finding.path, finding.line])).toEqual([['src/copy.ts', 2]])
  })

  it('refuses a damaged baseline with what to do, exit 2', async () => {
    const repo = tempRepo({})
    repo.write('.pyagent-secrets-baseline.json', '{"version": 7}')
    repo.write('a.ts', 'export const a = 1\n')
    repo.git('add', 'a.ts')
    const review = await runCli(['review'], {cwd: repo.root})
    expect(review.exitCode).toBe(2)
    expect(review.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')).toContain('is not a PyAgent secrets baseline; delete it and run `pyagent review --baseline`')
    expect(existsSync(join(repo.root, '.pyagent-secrets-baseline.json'))).toBe(true)
  })
})
