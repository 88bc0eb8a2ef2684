/**
 * The embedded engine's process (see host-process.ts for why it is one): loads the cached model,
 * serves it on 127.0.0.1 and says where over IPC. It lives as long as its parent wants it: it
 * ends on SIGTERM or when the parent is gone, and leaves Ctrl-C to the parent, whose run may
 * still need an answer to stop cleanly.
 */
import {EmbeddedEngine} from './engine.js'
import {ModelError} from './errors.js'
import {type EngineHostMessage, engineHostSettings} from './host-process.js'
import {findModel} from './models.js'
import {serveModel} from './server.js'

const send = (message: EngineHostMessage) => {
  if (process.connected) process.send?.(message, undefined, {}, () => {})
}

// The model is read-only and the answers in flight belong to a parent that is leaving: nothing to save.
const stop = () => process.exit(0)
process.on('SIGINT', () => {})
process.once('SIGTERM', stop)
process.once('disconnect', stop)

async function main(): Promise<void> {
  const settings = engineHostSettings.parse(JSON.parse(process.argv[2] ?? 'null'))
  const entry = await findModel(settings.model)
  if (!entry) throw new ModelError(`No model "${settings.model}" in the cache; run \`pyagent model pull\` first.`)
  const engine = await EmbeddedEngine.load(entry, {threads: settings.threads})
  const server = await serveModel(engine, {port: settings.port}).catch((error: Error) => {
    throw new ModelError(`Could not serve the model on 127.0.0.1:${settings.port}: ${error.message}. Choose another port, or 0 for any free one.`)
  })
  send({type: 'ready', url: server.url})
}

main().catch((error: Error) => {
  send({type: 'failed', message: error.message})
  process.disconnect?.()
  process.exitCode = 1
})
