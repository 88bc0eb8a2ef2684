import {describe, expect, it} from 'vitest'

import {parseUnifiedDiff} from '../../src/review/changes.js'
import {licenceFromPythonMetadata} from '../../src/review/licence/installed.js'
import {parseDependencies} from '../../src/review/licence/manifests.js'
import {judge, licenceFromText} from '../../src/review/licence/spdx.js'
import {scanAddedLines} from '../../src/review/secrets.js'

describe('parseUnifiedDiff', () => {
  it('reads added lines, renames, new files, binaries and quoted paths', () => {
    const diff = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1..2 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -2,0 +3,2 @@ context',
      '+++counter',
      '+--x',
      '@@ -9 +11 @@',
      '-old',
      '+new',
      'diff --git a/old.py b/new.py',
      'similarity index 90%',
      'rename from old.py',
      'rename to new.py',
      '--- a/old.py',
      '+++ b/new.py',
      '@@ -1 +1 @@',
      '-x = 1',
      '+x = 2',
      'diff --git "a/caf\\303\\251 \\"x\\".md" "b/caf\\303\\251 \\"x\\".md"',
      'new file mode 100644',
      '--- /dev/null',
      '+++ "b/caf\\303\\251 \\"x\\".md"',
      '@@ -0,0 +1 @@',
      '+hello',
      'diff --git a/logo.png b/logo.png',
      'new file mode 100644',
      'Binary files /dev/null and b/logo.png differ',
      '',
    ].join('\n')
    expect(parseUnifiedDiff(diff)).toEqual([
      {path: 'src/a.ts', status: 'modified', binary: false, addedLines: [{line: 3, text: '++counter'}, {line: 4, text: '--x'}, {line: 11, text: 'new'}]},
      {path: 'new.py', oldPath: 'old.py', status: 'renamed', binary: false, addedLines: [{line: 1, text: 'x = 2'}]},
      {path: 'café "x".md', status: 'added', binary: false, addedLines: [{line: 1, text: 'hello'}]},
      {path: 'logo.png', status: 'added', binary: true, addedLines: []},
    ])
  })
})

describe('dependency manifests', () => {
  it('reads Cargo.toml tables, renamed crates and target-specific dependencies', () => {
    const toml = [
      '[dependencies]',
      'serde = { version = "1.0", features = ["derive"] }',
      'regex = "1.11"',
      'http1 = { package = "hyper", version = "1" }',
      '[target.\'cfg(unix)\'.dependencies]',
      'libc = "0.2"',
      '[dev-dependencies]',
      'proptest = "1"',
    ].join('\n')
    expect(Object.fromEntries(parseDependencies('cargo', 'Cargo.toml', toml) ?? [])).toEqual({
      serde: '1.0',
      regex: '1.11',
      hyper: '1',
      libc: '0.2',
      proptest: '1',
    })
  })

  it('reads pyproject.toml (PEP 621, dependency groups, Poetry) and go.mod', () => {
    const pyproject = [
      '[project]',
      'dependencies = ["Requests[socks] >=2.31 ; python_version >= \'3.9\'", "attrs"]',
      '[project.optional-dependencies]',
      'docs = ["Sphinx_Book.Theme==1.0"]',
      '[dependency-groups]',
      'test = ["pytest>=8"]',
      '[tool.poetry.dependencies]',
      'python = "^3.11"',
      'rich = "^13"',
    ].join('\n')
    expect(Object.fromEntries(parseDependencies('python', 'pyproject.toml', pyproject) ?? [])).toEqual({
      requests: '>=2.31',
      attrs: '',
      'sphinx-book-theme': '==1.0',
      pytest: '>=8',
      rich: '^13',
    })
    const goMod = 'module example.com/x\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\nrequire (\n\tgolang.org/x/text v0.14.0 // indirect\n)\n'
    expect(Object.fromEntries(parseDependencies('go', 'go.mod', goMod) ?? [])).toEqual({
      'github.com/pkg/errors': 'v0.9.1',
      'golang.org/x/text': 'v0.14.0',
    })
  })

  it('returns undefined for a manifest that does not parse', () => {
    expect(parseDependencies('npm', 'package.json', '{"dependencies": ')).toBeUndefined()
    expect(parseDependencies('cargo', 'Cargo.toml', '[dependencies\n')).toBeUndefined()
  })
})

describe('licences', () => {
  it('judges SPDX expressions against an allowed list', () => {
    expect(judge('MIT OR GPL-3.0-only', ['MIT'])).toBe('allowed')
    expect(judge('MIT AND GPL-3.0-only', ['MIT'])).toBe('denied')
    expect(judge('GPL-3.0-or-later', ['GPL-2.0+'])).toBe('allowed')
    expect(judge('SEE LICENSE IN LICENSE.txt', ['MIT'])).toBe('invalid')
  })

  it('names a licence from an SPDX tag or from its wording', () => {
    expect(licenceFromText('/*\n * SPDX-License-Identifier: Apache-2.0 OR MIT\n */')).toBe('Apache-2.0 OR MIT')
    expect(licenceFromText('                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007')).toBe('GPL-3.0-or-later')
    expect(licenceFromText('Redistribution and use in source and binary forms ... Neither the name of')).toBe('BSD-3-Clause')
    expect(licenceFromText('just code')).toBeUndefined()
  })

  it('reads Python metadata: License-Expression, then classifiers, then a short License field', () => {
    expect(licenceFromPythonMetadata('Name: a\nLicense-Expression: BSD-3-Clause\nLicense: whatever\n\nbody')).toBe('BSD-3-Clause')
    expect(licenceFromPythonMetadata('Name: b\nClassifier: License :: OSI Approved :: MIT License\n')).toBe('MIT')
    expect(licenceFromPythonMetadata('Name: c\nLicense: Apache-2.0\n')).toBe('Apache-2.0')
    expect(licenceFromPythonMetadata('Name: d\n\nLicense-Expression: MIT in the body does not count\n')).toBeUndefined()
  })
})

describe('scanAddedLines', () => {
  it("maps a detector's offsets in the joined added text back to lines and columns, one finding per line", async () => {
    const changes = {
      target: {kind: 'staged' as const},
      files: [
        {
          path: 'a.env',
          status: 'modified' as const,
          binary: false,
          addedLines: [
            {line: 4, text: 'A=1'},
            {line: 9, text: 'TOKEN=abc KEY=def'},
            {line: 10, text: 'KEY=ghi'},
          ],
        },
      ],
      before: new Map<string, string>(),
      after: new Map<string, string>(),
      binaryAfter: new Map([['logo.png', Buffer.from([0, 1, 75, 69, 89, 61, 0])]]),
    }
    const seen: unknown[] = []
    const detector = (content: string | Uint8Array, path?: string) => {
      seen.push([path, typeof content === 'string' ? content : 'binary'])
      const text = typeof content === 'string' ? content : Buffer.from(content).toString('latin1')
      return [...text.matchAll(/(TOKEN|KEY)=(\w*)/g)].map((match) => ({kind: match[1] ?? '', index: match.index, fingerprint: match[2] ?? ''}))
    }
    const findings = scanAddedLines(changes, detector, new Set(['ghi']))
    expect(seen).toEqual([['logo.png', 'binary'], ['a.env', 'A=1\nTOKEN=abc KEY=def\nKEY=ghi']])
    expect(findings.map((finding) => [finding.path, finding.line, finding.message.match(/\((.*?)(?:, column (\d+))?\)/)?.slice(1)])).toEqual([
      ['logo.png', undefined, ['KEY', undefined]],
      ['a.env', 9, ['TOKEN, KEY', '1']],
    ])
  })
})
