/**
 * Price of the transactional workspace: committing 1, 100 and 1000 small files through a
 * Transaction (journal in SQLite, temp + fsync + rename + directory fsync) against, in the same
 * run, plain fs.writeFileSync of the same files (no durability) and writing them then
 * `git add -A && git commit` (the change recorded the way a developer would).
 * Median of interleaved runs. Run: `npx tsx bench/txfs.ts [runs]`.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Workspace} from '../src/workspace/workspace.js'

const runs = Number(process.argv[2] ?? 5)
const SIZES = [1, 100, 1000]

function fileName(index: number): string {
  return `src/module-${Math.floor(index / 100)}/file-${index}.ts`
}

function content(index: number, generation: number): string {
  return `export const value${index} = ${generation}\n// ${'padding '.repeat(20)}\n`
}

function git(root: string, ...args: string[]): void {
  execFileSync('git', args, {cwd: root, stdio: 'ignore', env: {...process.env, GIT_CONFIG_NOSYSTEM: '1'}})
}

function freshRepo(count: number): string {
  const root = mkdtempSync(join(tmpdir(), 'pyagent-txfs-'))
  git(root, 'init', '-q', '-b', 'main')
  git(root, 'config', 'user.email', 'bench@example.com')
  git(root, 'config', 'user.name', 'bench')
  git(root, 'config', 'commit.gpgsign', 'false')
  for (let index = 0; index < count; index++) {
    mkdirSync(join(root, fileName(index), '..'), {recursive: true})
    writeFileSync(join(root, fileName(index)), content(index, 0))
  }
  git(root, 'add', '-A')
  git(root, 'commit', '-q', '-m', 'initial')
  return root
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function time(work: () => unknown): Promise<number> {
  const start = performance.now()
  await work()
  return performance.now() - start
}

const rows: Record<string, string>[] = []
for (const count of SIZES) {
  const plainRoot = freshRepo(count)
  const gitRoot = freshRepo(count)
  const txRoot = freshRepo(count)
  const workspace = await Workspace.open(txRoot)
  const samples = {plain: [] as number[], git: [] as number[], tx: [] as number[]}
  for (let run = 1; run <= runs; run++) {
    samples.plain.push(
      await time(() => {
        for (let index = 0; index < count; index++) writeFileSync(join(plainRoot, fileName(index)), content(index, run))
      }),
    )
    samples.git.push(
      await time(() => {
        for (let index = 0; index < count; index++) writeFileSync(join(gitRoot, fileName(index)), content(index, run))
        git(gitRoot, 'add', '-A')
        git(gitRoot, 'commit', '-q', '-m', `run ${run}`)
      }),
    )
    samples.tx.push(
      await time(async () => {
        const tx = workspace.begin({message: `run ${run}`})
        for (let index = 0; index < count; index++) tx.write(fileName(index), content(index, run))
        await tx.commit()
      }),
    )
  }
  workspace.close()
  for (const root of [plainRoot, gitRoot, txRoot]) rmSync(root, {recursive: true, force: true})
  const [plain, viaGit, tx] = [median(samples.plain), median(samples.git), median(samples.tx)]
  rows.push({
    files: String(count),
    'writeFileSync ms': plain.toFixed(1),
    'git add+commit ms': viaGit.toFixed(1),
    'transaction ms': tx.toFixed(1),
    'tx / writeFileSync': `${(tx / plain).toFixed(1)}x`,
    'tx / git': `${(tx / viaGit).toFixed(2)}x`,
  })
}
console.log(`txfs, median of ${runs} runs (node ${process.version})`)
console.table(rows)
