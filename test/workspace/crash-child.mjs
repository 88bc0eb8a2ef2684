// Commits generation after generation of FILE_COUNT files until it is killed.
// Runs the compiled workspace (dist/), as the CLI does; `npm test` builds it first.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {FILE_COUNT, fileContent, fileName, parseGeneration} from './crash-files.mjs'

const {Workspace} = await import(new URL('../../dist/workspace/workspace.js', import.meta.url).href)

const root = process.argv[2]
const workspace = await Workspace.open(root)
let generation = parseGeneration(readFileSync(join(root, fileName(0)), 'utf8'))
process.stdout.write('ready\n')
for (;;) {
  generation += 1
  const tx = workspace.begin({message: `generation ${generation}`})
  for (let index = 0; index < FILE_COUNT; index++) {
    tx.read(fileName(index))
    tx.write(fileName(index), fileContent(index, generation))
  }
  await tx.commit()
}
