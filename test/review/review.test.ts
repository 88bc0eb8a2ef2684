import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runReview} from '../../src/review/review.js'
import {tempDir, tempRepo} from '../support/temp-repo.js'
import {branchyFunction, DEFAULT_CONFIG, installNpmPackage, mitPackageJson, PLANTED_TOKEN} from './support.js'


async function reviewStaged(root: string, overrides: Partial<typeof DEFAULT_CONFIG> = {}) {
  return runReview({repoRoot: root, target: {kind: 'staged'}, config: {...DEFAULT_CONFIG, ...overrides}})
}

describe('review of a staged change', () => {
  it('flags a secret on the added line it sits on, without repeating it', async () => {
    const repo = tempRepo({'config.ts': 'export const region = "eu"\n'})
    repo.write('config.ts', `export const region = "eu"\nexport const githubToken = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'config.ts')

    const report = await reviewStaged(repo.root)
    expect(report.findings).toEqual([
      expect.objectContaining({ruleId: 'secret/added', severity: 'error', path: 'config.ts', line: 2}),
    ])
    expect(JSON.stringify(report)).not.toContain(PLANTED_TOKEN)
    expect(report.findings[0]?.message).toContain('(github-pat, column 29)')
    expect(report).toMatchObject({failed: true, filesReviewed: 1, addedLines: 1})
  })

  it('leaves values listed in redactAllow alone, as redaction does', async () => {
    const repo = tempRepo({'a.ts': 'export const a = 1\n'})
    repo.write('a.ts', `export const fixtureToken = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'a.ts')
    expect((await reviewStaged(repo.root)).findings).toHaveLength(1)
    expect((await reviewStaged(repo.root, {redactAllow: [PLANTED_TOKEN]})).findings).toEqual([])
  })

  it('only looks at what is staged, not at unstaged edits', async () => {
    const repo = tempRepo({'a.ts': 'export const a = 1\n'})
    repo.write('a.ts', `export const a = "${PLANTED_TOKEN}"\n`)
    expect((await reviewStaged(repo.root)).findings).toEqual([])
  })

  it('fails a GPL dependency in an MIT repo, passes an MIT one, and notes one it cannot see', async () => {
    const repo = tempRepo({'package.json': mitPackageJson({kept: '1.0.0'})})
    installNpmPackage(repo, 'copyleft', 'GPL-3.0-only')
    installNpmPackage(repo, 'permissive', 'MIT')
    installNpmPackage(repo, 'dual', '(GPL-2.0-only OR Apache-2.0)')
    repo.write('package.json', mitPackageJson({kept: '1.0.0', copyleft: '^2.0.0', permissive: '1.0.0', dual: '3.0.0', ghost: '1.0.0'}))
    repo.git('add', 'package.json')

    const report = await reviewStaged(repo.root)
    expect(report.findings.map((finding) => [finding.ruleId, finding.severity, finding.message.split(' ')[1]])).toEqual([
      ['licence/dependency', 'error', 'copyleft'],
      ['licence/unknown', 'note', 'ghost'],
    ])
    expect(report.findings[0]?.line).toBe(7)
  })

  it('allows a copyleft dependency when the repository itself is under that licence', async () => {
    const repo = tempRepo({'package.json': JSON.stringify({name: 'gpl-app', license: 'GPL-3.0-or-later'})})
    installNpmPackage(repo, 'copyleft', 'GPL-3.0-or-later')
    repo.write('package.json', JSON.stringify({name: 'gpl-app', license: 'GPL-3.0-or-later', dependencies: {copyleft: '1'}}))
    repo.git('add', 'package.json')
    expect((await reviewStaged(repo.root)).findings).toEqual([])
  })

  it('reads Python licences from a virtualenv and checks requirements files', async () => {
    const repo = tempRepo({'LICENSE': 'MIT License\n\nPermission is hereby granted, free of charge, to any person\n'})
    const sitePackages = '.venv/lib/python3.12/site-packages'
    repo.write(`${sitePackages}/Strict_Lib-2.0.dist-info/METADATA`, 'Metadata-Version: 2.4\nName: strict-lib\nLicense-Expression: AGPL-3.0-only\n\nBody\n')
    repo.write(`${sitePackages}/requests-2.32.0.dist-info/METADATA`, 'Name: requests\nClassifier: License :: OSI Approved :: Apache Software License\n')
    repo.write('requirements-dev.txt', 'requests>=2.31  # http\nstrict.lib==2.0 ; python_version > "3.8"\n-r base.txt\n')
    repo.git('add', 'requirements-dev.txt')

    const report = await reviewStaged(repo.root)
    expect(report.findings).toEqual([
      expect.objectContaining({ruleId: 'licence/dependency', line: 2, message: expect.stringContaining('strict-lib (==2.0) is licensed AGPL-3.0-only')}),
    ])
  })

  it('reads Cargo licences from the registry cache at the locked version, and Go licences from the module cache', async () => {
    const repo = tempRepo({'Cargo.toml': '[package]\nname = "app"\nlicense = "MIT"\n\n[dependencies]\n', 'go.mod': 'module example.com/app\n\ngo 1.22\n'})
    const home = tempDir()
    const crate = join(home, 'cargo/registry/src/index.crates.io-1949cf8c6b5b557f/copyleft-crate-0.3.1')
    mkdirSync(crate, {recursive: true})
    writeFileSync(join(crate, 'Cargo.toml'), '[package]\nname = "copyleft-crate"\nversion = "0.3.1"\nlicense = "LGPL-3.0-only"\n')
    const goModule = join(home, 'gomod/github.com/!big!corp/strict@v1.2.0')
    mkdirSync(goModule, {recursive: true})
    writeFileSync(join(goModule, 'LICENSE'), '                    GNU AFFERO GENERAL PUBLIC LICENSE\n')
    repo.write('Cargo.toml', '[package]\nname = "app"\nlicense = "MIT"\n\n[dependencies]\ncopyleft-crate = "0.3"\n')
    repo.write('Cargo.lock', 'version = 4\n\n[[package]]\nname = "copyleft-crate"\nversion = "0.3.1"\n')
    repo.write('go.mod', 'module example.com/app\n\ngo 1.22\n\nrequire github.com/BigCorp/strict v1.2.0\n')
    repo.git('add', '-A')

    const report = await runReview({
      repoRoot: repo.root,
      target: {kind: 'staged'},
      config: DEFAULT_CONFIG,
      env: {CARGO_HOME: join(home, 'cargo'), GOMODCACHE: join(home, 'gomod')},
    })
    expect(report.findings.map((finding) => finding.message.split(', which')[0])).toEqual([
      'dependency copyleft-crate (0.3) is licensed LGPL-3.0-only',
      'dependency github.com/BigCorp/strict (v1.2.0) is licensed AGPL-3.0-or-later',
    ])
  })

  it("flags an added file whose licence header conflicts with the repo's", async () => {
    const repo = tempRepo({'package.json': mitPackageJson()})
    repo.write('vendor/gpl.js', '// SPDX-License-Identifier: GPL-2.0-only\nmodule.exports = 1\n')
    repo.write('vendor/ok.js', '/* SPDX-License-Identifier: MIT */\nmodule.exports = 2\n')
    repo.write('vendor/old.py', '# This program is free software; see the GNU General Public License\n')
    repo.git('add', '-A')

    const findings = (await reviewStaged(repo.root)).findings
    expect(findings.map((finding) => [finding.ruleId, finding.path])).toEqual([
      ['licence/file-header', 'vendor/gpl.js'],
      ['licence/file-header', 'vendor/old.py'],
    ])
  })

  it('warns when a changed function crosses the complexity limit or grows too fast, not for untouched legacy', async () => {
    const legacy = branchyFunction('legacy', 20)
    const repo = tempRepo({'src/a.ts': `${branchyFunction('grows', 1)}${legacy}`})
    repo.write('src/a.ts', `${branchyFunction('grows', 8)}${legacy}${branchyFunction('fresh', 16)}`)
    repo.git('add', 'src/a.ts')

    const report = await reviewStaged(repo.root)
    expect(report.findings.map((finding) => [finding.ruleId, finding.message.split(' ')[0]])).toEqual([
      ['metrics/complexity-growth', "grows's"],
      ['metrics/complexity', 'fresh'],
    ])
    expect(report.failed).toBe(false)
    expect((await reviewStaged(repo.root, {reviewFailOn: 'warning'})).failed).toBe(true)
  })

  it('warns about a function that grows past the length limit', async () => {
    const repo = tempRepo({'m.py': 'def short():\n    return 1\n'})
    repo.write('m.py', `def short():\n${'    x = 1\n'.repeat(12)}    return 1\n`)
    repo.git('add', 'm.py')
    const report = await reviewStaged(repo.root, {reviewMaxFunctionLines: 10})
    expect(report.findings).toEqual([
      expect.objectContaining({ruleId: 'metrics/length', path: 'm.py', line: 1, endLine: 14, message: expect.stringContaining('short is 14 lines long, over the limit of 10 (was 2)')}),
    ])
  })

  it('reviews the first commit of a repository', async () => {
    const repo = tempRepo({})
    repo.write('a.py', `password = "Tr0ub4dor-3xQ9v"\n`)
    repo.git('add', 'a.py')
    expect((await reviewStaged(repo.root)).findings.map((finding) => finding.ruleId)).toEqual(['secret/added'])
  })
})

describe('review against a base ref', () => {
  it('covers what the branch adds since its merge base, ignoring what main did meanwhile', async () => {
    const repo = tempRepo({'a.ts': 'export const a = 1\n'})
    repo.git('checkout', '-q', '-b', 'feature')
    repo.write('b.ts', `export const token = "${PLANTED_TOKEN}"\n`)
    repo.git('add', 'b.ts')
    repo.git('commit', '-q', '-m', 'feature')
    repo.git('checkout', '-q', 'main')
    repo.write('c.ts', `export const dbPassword = "s3cret-main-only"\n`)
    repo.git('add', 'c.ts')
    repo.git('commit', '-q', '-m', 'main moves on')
    repo.git('checkout', '-q', 'feature')

    const report = await runReview({repoRoot: repo.root, target: {kind: 'base', ref: 'main'}, config: DEFAULT_CONFIG})
    expect(report.findings.map((finding) => [finding.path, finding.line])).toEqual([['b.ts', 1]])
  })

  it('says how to fix a base ref that does not exist', async () => {
    const repo = tempRepo()
    await expect(runReview({repoRoot: repo.root, target: {kind: 'base', ref: 'origin/nope'}, config: DEFAULT_CONFIG})).rejects.toThrow(
      /--base origin\/nope: no such commit or ref here; fetch it first/,
    )
  })
})
