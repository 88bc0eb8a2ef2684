/** SPDX expressions: validity, policy checks, and naming a licence from its text. */
import parse from 'spdx-expression-parse'
import satisfies from 'spdx-satisfies'

export function isValidSpdx(expression: string): boolean {
  try {
    parse(expression)
    return true
  } catch {
    return false
  }
}

/** The licence ids an expression mentions: `MIT OR (Apache-2.0 AND BSD-3-Clause)` → all three. */
export function licenceIds(expression: string): string[] {
  const ids: string[] = []
  const visit = (node: parse.Info) => {
    if ('license' in node) ids.push(node.plus ? `${node.license}+` : node.license)
    else {
      visit(node.left)
      visit(node.right)
    }
  }
  visit(parse(expression))
  return ids
}

export type Verdict = 'allowed' | 'denied' | 'invalid'

export function judge(expression: string, allowed: readonly string[]): Verdict {
  if (!isValidSpdx(expression)) return 'invalid'
  try {
    return satisfies(expression, [...allowed]) ? 'allowed' : 'denied'
  } catch {
    return 'invalid'
  }
}

const TEXT_SIGNATURES: readonly {id: string; pattern: RegExp}[] = [
  {id: 'AGPL-3.0-or-later', pattern: /GNU AFFERO GENERAL PUBLIC LICENSE/i},
  {id: 'LGPL-3.0-or-later', pattern: /GNU LESSER GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 3/i},
  {id: 'LGPL-2.1-or-later', pattern: /GNU (?:LESSER|LIBRARY) GENERAL PUBLIC LICENSE/i},
  {id: 'GPL-3.0-or-later', pattern: /GNU GENERAL PUBLIC LICENSE[\s\S]{0,200}Version 3/i},
  {id: 'GPL-2.0-or-later', pattern: /GNU GENERAL PUBLIC LICENSE/i},
  {id: 'MPL-2.0', pattern: /Mozilla Public License,? (?:Version|v\.?) ?2\.0/i},
  {id: 'Apache-2.0', pattern: /Apache License,?\s+Version 2\.0/i},
  {id: 'MIT', pattern: /Permission is hereby granted, free of charge/i},
  {id: 'ISC', pattern: /Permission to use, copy, modify, and\/or distribute this software for any/i},
  {id: 'BSD-3-Clause', pattern: /Redistribution and use in source and binary forms[\s\S]*Neither the name/i},
  {id: 'BSD-2-Clause', pattern: /Redistribution and use in source and binary forms/i},
  {id: 'Unlicense', pattern: /This is free and unencumbered software released into the public domain/i},
]

/** Names the licence of a LICENSE file or a header comment from its wording, when it is a common one. */
export function licenceFromText(text: string): string | undefined {
  const spdxTag = /SPDX-License-Identifier:\s*([^\n*]+?)\s*(?:\*\/|-->|#}|$)/m.exec(text)?.[1]
  if (spdxTag && isValidSpdx(spdxTag)) return spdxTag
  return TEXT_SIGNATURES.find(({pattern}) => pattern.test(text))?.id
}
