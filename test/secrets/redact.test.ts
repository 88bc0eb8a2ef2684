import {generateKeyPairSync, randomBytes} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {redact, redactText} from '../../src/secrets/redact.js'
import {ALNUM, checksummedToken, randomFrom} from '../support/tokens.js'

const SECRETS = {
  github: checksummedToken(),
  aws: `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  slack: ['xoxb', '1234567890', '1234567890123', randomFrom(ALNUM, 24)].join('-'),
  openai: ['sk', 'proj', `${randomFrom(ALNUM, 74)}${'T3Blbk'}FJ${randomFrom(ALNUM, 74)}`].join('-'),
  npm: checksummedToken('npm'),
  privateKey: generateKeyPairSync('rsa', {modulusLength: 1024}).privateKey.export({type: 'pkcs1', format: 'pem'}).toString(),
}

describe('redact: secrets (gitleaks rule data, natively)', () => {
  it.each(Object.entries(SECRETS))('masks a %s credential and reports the rule, never the value', async (name, secret) => {
    const text = `context before\n${name === 'aws' ? 'aws_access_key_id = ' : 'value: '}${secret}\ncontext after`
    const {text: masked, findings} = await redact(text)
    expect(masked).not.toContain(secret.trim().split('\n')[1] ?? secret)
    expect(masked).not.toContain(secret)
    expect(masked).toContain('context before')
    expect(masked).toContain('context after')
    expect(masked).toMatch(/\[REDACTED:[a-z0-9-]+\]/)
    expect(findings.length).toBeGreaterThan(0)
    expect(JSON.stringify(findings)).not.toContain(secret.slice(8, 24))
  })

  it('masks a database URL password and key=value secrets no vendor format covers', async () => {
    const password = 'q8Zt3xLw9VbN2kPr'
    const {text} = await redact(`DATABASE_URL=postgres://app:${password}@db.internal:5432/app\nDB_PASSWORD="${password}x"\nclient_secret: ${password}y`)
    expect(text).not.toContain(password)
    expect(text).toContain('DB_PASSWORD="[REDACTED:generic-api-key]"')
    expect(text).toContain('postgres://app:[REDACTED:url-credentials]')
  })

  it('rejects a GitHub token whose checksum is wrong: that is no token GitHub issued', async () => {
    const token = checksummedToken()
    const forged = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`
    expect((await redact(`token ${forged}`, {pii: false})).findings).toEqual([])
    expect((await redact(`token ${token}`, {pii: false})).findings.map((finding) => finding.rule)).toEqual(['github-pat'])
  })

  it('leaves a line marked pyagent:allow-secret or gitleaks:allow alone', async () => {
    const token = checksummedToken()
    expect(await redactText(`const fixture = "${token}" // pyagent:allow-secret`, {pii: false})).toContain(token)
    expect(await redactText(`const fixture = "${token}" # gitleaks:allow`, {pii: false})).toContain(token)
  })

  it('masks all of an AWS secret access key', async () => {
    const secret = randomFrom(`${ALNUM}/+`, 40)
    const {text} = await redact(`aws_secret_access_key = "${secret}"`)
    for (let offset = 0; offset + 8 <= secret.length; offset += 8) expect(text).not.toContain(secret.slice(offset, offset + 8))
  })

  it('leaves placeholders and ordinary code alone', async () => {
    const code = 'const password = process.env.DB_PASSWORD\napi_key: ${API_KEY}\ntoken = <your-token>\nfunction tokenize(text) { return text.split(" ") }\n'
    const result = await redact(code)
    expect(result.findings).toEqual([])
    expect(result.text).toBe(code)
  })
})

describe('redact: code is not a secret (issue 15, the hook that cried wolf)', () => {
  it.each([
    'this.tokenize = tokenize;',
    'const oldTokens = this.removeEmpty(tokens)',
    'password = getPassword()',
    'token: tokens[i]',
    'db.password = config.dbPassword',
    'const secretName = "prod/db/password"',
  ])('leaves %s alone', async (line) => {
    expect(await redactText(line, {pii: false})).toBe(line)
  })

  it('still masks a .env entry whatever its entropy, a random value assigned to a key, and a bare AWS access key id', async () => {
    const id = ['AKIA', 'Z7Q2', 'XK4M', 'P6WB', 'T3LR'].join('')
    expect(await redactText(`PASSWORD=correcthorsebattery\napi_key: "q8Zt3xLw9VbN2kPr"\nconst key = "${id}"`, {pii: false})).toBe(
      'PASSWORD=[REDACTED:env-secret]\napi_key: "[REDACTED:generic-api-key]"\nconst key = "[REDACTED:aws-access-token]"',
    )
  })
})

describe('redact: values the rule set let through in the planted corpus (a 1-in-10 CI failure)', () => {
  it('masks a curl -u password that merely starts like a placeholder word', async () => {
    const line = 'curl -sS -u "deploy:xZ6TcAtPSRJN2uQp9z4K" https://artifacts.example.com/upload'
    expect(await redactText(line, {pii: false})).not.toContain('xZ6TcAtPSRJN2uQp9z4K')
    const placeholder = 'curl -u "deploy:xxxx" https://artifacts.example.com/upload'
    expect(await redactText(placeholder, {pii: false})).toBe(placeholder)
  })

  it('masks a Kubernetes Secret pasted into a task, where no .yaml path scopes the rule, whatever base64 character starts its value', async () => {
    for (const value of ['/te7tZJ/TiO8rpGgIZMTem6p6Ft6CaA1', '+iwaBfwu28KPZSss5iFLRquk5P14ZE9g', 'nRtqQs9zmAKEHrzYfSMC5sVLuHwXXm']) {
      const manifest = `kind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  password: ${value}\n`
      expect(await redactText(manifest, {pii: false})).not.toContain(value)
    }
  })

  it('masks a quoted password of letters only, and still leaves names that read as words', async () => {
    expect(await redactText('const dbPassword = "HwuJQEELpWjOlKmwnACb"', {pii: false})).toBe('const dbPassword = "[REDACTED:generic-letters-secret]"')
    for (const line of ['const secretName = "DatabaseCredentials"', 'authToken: "requiredFieldMissing"', 'PASSWORD_FIELD = "passwordConfirmation"']) {
      expect(await redactText(line, {pii: false})).toBe(line)
    }
  })

  it('masks a Discord bot token by its shape, as detect-secrets does, wherever it stands', async () => {
    for (const token of ['MbeCBnsyNCngqmJdSOG9EK16.2nUjOy._2HLM6tWDmlSn8bBQOgU3ZKjA81', 'MyeR19S8sUqVz9dBASEPxesS.ys1ECU.s138meisnQ7hfEA1o_qidhZzk0q']) {
      expect(await redactText(`bot = Client("${token}")`, {pii: false})).toBe('bot = Client("[REDACTED:discord-bot-token]")')
    }
  })
})

describe('redact: JSON Web Tokens (issue 15: one in the task text reached the model)', () => {
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const jwt = [segment({alg: 'HS256', typ: 'JWT'}), segment({sub: 'user-1', iat: 1_700_000_000}), randomBytes(32).toString('base64url')].join('.')

  it('masks a signed JWT anywhere in a text, and leaves look-alikes whose header is not one', async () => {
    expect(await redactText(`Fix the auth bug; my token is ${jwt} and it expires`, {pii: false})).toBe('Fix the auth bug; my token is [REDACTED:jwt] and it expires')
    const notAHeader = [segment({kind: 'note', text: 'x'}), segment({sub: 'user-1'}), 'A'.repeat(20)].join('.')
    expect(await redactText(notAHeader, {pii: false})).toBe(notAHeader)
  })
})

describe('redact: personal data', () => {
  it('masks emails, phone numbers, Luhn-valid cards and IP addresses', async () => {
    const text = [
      'mail jane.doe+work@example.co.uk',
      'call +1 (415) 555-2671 or +44 20 7946 0958',
      'card 4111 1111 1111 1111 and 5500-0000-0000-0004',
      'host 203.0.113.42 and 2001:db8:85a3::8a2e:370:7334',
    ].join('\n')
    const {text: masked, findings} = await redact(text)
    expect(masked).toBe(
      [
        'mail [REDACTED:email]',
        'call [REDACTED:phone] or [REDACTED:phone]',
        'card [REDACTED:card] and [REDACTED:card]',
        'host [REDACTED:ip] and [REDACTED:ip]',
      ].join('\n'),
    )
    expect(findings.map((finding) => finding.kind).sort()).toEqual(['card', 'card', 'email', 'ip', 'ip', 'phone', 'phone'])
  })

  it('does not take numbers that fail Luhn, versions, loopback or code for personal data', async () => {
    const text = 'order 4111 1111 1111 1112, version 1.2.3, listen on 127.0.0.1:8080 and ::1, std::vector<int>, id 1234567890, a::b::c'
    const result = await redact(text)
    expect(result.findings).toEqual([])
  })

  it('can leave personal data alone when asked', async () => {
    expect((await redact('mail jane@example.com', {pii: false})).text).toBe('mail jane@example.com')
  })
})

describe('redact: allow-list', () => {
  it('keeps exact strings and /regex/ matches the user declared harmless', async () => {
    const text = 'ops@example.com, noreply@example.com, bob@corp.example and 198.51.100.7'
    const {text: masked} = await redact(text, {allow: ['ops@example.com', '/.*@example\\.com/', '/198\\.51\\.100\\.\\d+/']})
    expect(masked).toBe('ops@example.com, noreply@example.com, [REDACTED:email] and 198.51.100.7')
  })
})

describe('redactText', () => {
  it('masks like redact and leaves its own output unchanged when it passes again', async () => {
    const text = `token ${SECRETS.github} for a@b.io`
    const masked = await redactText(text)
    expect(masked).toBe((await redact(text)).text)
    expect(masked).toBe('token [REDACTED:github-pat] for [REDACTED:email]')
    expect(await redactText(masked)).toBe(masked)
  })

  it('honours the allow-list of the call, not of an earlier call with the same text', async () => {
    const text = 'write to ops@example.com'
    expect(await redactText(text)).toBe('write to [REDACTED:email]')
    expect(await redactText(text, {allow: ['ops@example.com']})).toBe(text)
  })
})
