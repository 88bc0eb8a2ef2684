import {execa} from 'execa'
import {TASKS} from '/work/main/bench/tasks/catalog/index.js'
import {layOut} from '/work/main/bench/tasks/repo.js'
const task = TASKS.find((t) => t.id === process.argv[2])!
const root = layOut(task, undefined)
const run = await execa(process.execPath, ['/work/main/bin/run.js', 'run', '--task', task.task, '--json', '--cwd', root, '--max-steps', process.argv[3] ?? '8', '--timeout', '180'], {reject: false, stdin: 'ignore'})
for (const line of String(run.stdout).split('\n')) {
  try { const e = JSON.parse(line); if (true) console.log(JSON.stringify(e).slice(0, 300)) } catch {}
}
console.log(root)
