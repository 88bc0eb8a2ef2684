/** A git patch drawn as the terminal draws it: a header per file, hunk headers, added lines green and removed ones red, all as text. */
import {h} from './dom.js'

function lineClass(line: string, inHeader: boolean): string {
  if (line.startsWith('diff --git ')) return 'diff-file'
  if (inHeader) return 'diff-meta'
  if (line.startsWith('@@')) return 'diff-hunk'
  if (line.startsWith('+')) return 'diff-add'
  if (line.startsWith('-')) return 'diff-del'
  return 'diff-context'
}

export function renderPatch(patch: string): HTMLElement {
  const block = h('pre', {class: 'diff', 'aria-label': 'The task\'s change'})
  let inHeader = false
  for (const line of patch.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('diff --git ')) inHeader = true
    else if (line.startsWith('@@')) inHeader = false
    block.append(h('span', {class: lineClass(line, inHeader && !line.startsWith('diff --git '))}, line), '\n')
  }
  return block
}
