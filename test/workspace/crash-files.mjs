// The files the crash child commits: generation g of file i is recognisable byte for byte.
export const FILE_COUNT = 50

export function fileName(index) {
  return `f${String(index).padStart(2, '0')}.txt`
}

export function fileContent(index, generation) {
  return `file ${index} generation ${generation}\n${'x'.repeat(200 + ((index * 37 + generation * 11) % 300))}\n`
}

export function parseGeneration(content) {
  const match = /^file \d+ generation (\d+)\n/.exec(content)
  return match ? Number(match[1]) : 0
}
