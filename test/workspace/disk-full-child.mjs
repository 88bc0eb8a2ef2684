// Fills the tmpfs at argv[2] until argv[3] KB are left, then commits an edit too large for that
// space; prints what happened as one JSON line. Runs the compiled workspace (dist/).
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statfsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const {Workspace} = await import(new URL('../../dist/workspace/workspace.js', import.meta.url).href)

const root = process.argv[2]
const freeKb = Number(process.argv[3])
execFileSync('git', ['init', '-q', root])
writeFileSync(join(root, 'a.txt'), 'small\n')
let workspace = await Workspace.open(root)
// Warm the database up so its pages exist before the disk fills.
const warm = workspace.begin()
warm.write('w.txt', 'warm\n')
await warm.commit()

const stats = statfsSync(root)
const fill = stats.bavail * stats.bsize - freeKb * 1024
writeFileSync(join(root, 'filler.bin'), Buffer.alloc(Math.max(0, fill)))

let error = null
let tx
try {
  tx = workspace.begin()
  tx.write('a.txt', 'x'.repeat(200 * 1024))
  await tx.commit()
} catch (caught) {
  error = `${caught.name}: ${caught.message}`
}
const after = readFileSync(join(root, 'a.txt'), 'utf8')
const tempFiles = readdirSync(root).filter((name) => name.endsWith('.tmp'))
const txId = tx.id
workspace.db.prepare('UPDATE transactions SET pid = ? WHERE id = ? AND status IN (?, ?)').run(2 ** 22 + 12345, txId, 'open', 'committing')
workspace.close()
// The person frees space; the next command runs recovery.
execFileSync('rm', [join(root, 'filler.bin')])
workspace = await Workspace.open(root)
const recoveredStatus = workspace.journal.transaction(txId).status
const afterRecovery = readFileSync(join(root, 'a.txt'), 'utf8')
workspace.close()
process.stdout.write(JSON.stringify({error, after, tempFiles, recoveredStatus, afterRecovery}) + '\n')
