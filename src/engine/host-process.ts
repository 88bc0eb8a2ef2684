/**
 * The embedded engine runs in a process of its own (`host.ts`), forked here, serving the model on
 * 127.0.0.1 for its parent: `pyagent run`, `serve` and `serve-model` all start it this way.
 *
 * Why a process: llama.cpp's OpenMP build makes the thread that calls it the master of a thread
 * team, and node-llama-cpp calls it from whichever of libuv's pool threads is free. With the
 * default pool of four, four teams take turns; with more OpenMP threads than cores libgomp
 * throttles its spin-waits, and the hundreds of barriers in each token's graph sleep on futexes:
 * about 20 ms a token instead of 13 (SmolLM2, two threads, 1,500 tokens of context). One pool
 * thread keeps one team, and only a process can have its own pool: the parent keeps four for
 * parsing, hashing and files. A crash in the engine also ends the engine, not the task's process.
 */
import {type ChildProcess, fork} from 'node:child_process'
import {z} from 'zod'

import {ModelError} from './errors.js'

const HOST_SCRIPT = new URL('./host.js', import.meta.url)

export const engineHostSettings = z.object({
  /** A cached model's name. */
  model: z.string(),
  /** 0: every core. */
  threads: z.int().nonnegative(),
  /** 0: any free port. */
  port: z.int().nonnegative(),
})
export type EngineHostSettings = z.infer<typeof engineHostSettings>

const hostMessage = z.discriminatedUnion('type', [
  z.object({type: z.literal('ready'), url: z.string()}),
  z.object({type: z.literal('failed'), message: z.string()}),
])
export type EngineHostMessage = z.infer<typeof hostMessage>

export interface EngineHost {
  url: string
  /** Settles when the engine's process has ended, for whatever reason: the reason, said for a person. */
  ended: Promise<string>
  close(): Promise<void>
}

function endedBy(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`
}

export function startEngineHost(settings: EngineHostSettings): Promise<EngineHost> {
  const child: ChildProcess = fork(HOST_SCRIPT, [JSON.stringify(settings)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {...process.env, UV_THREADPOOL_SIZE: '1'},
  })
  const ended = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(endedBy(code, signal))))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await ended
  }
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new ModelError(`Could not start the embedded engine's process: ${error.message}`)))
    child.once('message', (raw) => {
      const message = hostMessage.safeParse(raw)
      if (message.success && message.data.type === 'ready') return resolve({url: message.data.url, ended, close})
      void close()
      reject(new ModelError(message.success && message.data.type === 'failed' ? message.data.message : "The embedded engine's process sent a message this version does not read."))
    })
    void ended.then((reason) => reject(new ModelError(`The embedded engine's process ${reason} before it was ready. Run \`pyagent doctor\` to check the engine and the model.`)))
  })
}
