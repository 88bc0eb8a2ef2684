/** A client wired to test servers with small delays, so reliability tests run in milliseconds. */
import {onTestFinished} from 'vitest'

import {type Config, configSchema} from '../../src/config/schema.js'
import {LlmClient, type LlmClientOptions} from '../../src/llm/client.js'
import {TokenCounter} from '../../src/llm/tokens.js'
import {startOpenAiServer, type OpenAiServerOptions, type OpenAiTestServer} from '../support/openai-server.js'

export async function server(options: OpenAiServerOptions = {}): Promise<OpenAiTestServer> {
  const started = await startOpenAiServer(options)
  onTestFinished(() => started.close())
  return started
}

/** Loading an encoding takes ~0.5 s; tests share one instead of paying that per client. */
let sharedTokens: TokenCounter | undefined
export function tokens(): TokenCounter {
  sharedTokens ??= new TokenCounter('cl100k_base')
  return sharedTokens
}

export function client(
  servers: OpenAiTestServer[],
  config: Partial<Config> = {},
  options: Omit<LlmClientOptions, 'config'> = {},
): LlmClient {
  const [primary, ...rest] = servers
  const created = new LlmClient({
    config: configSchema.parse({
      baseUrl: primary!.baseUrl,
      endpoints: rest.map((s) => s.baseUrl),
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 50,
      requestTimeoutMs: 5_000,
      endpointProbeIntervalMs: 50,
      ...config,
    }),
    env: {},
    tokens: tokens(),
    ...options,
  })
  onTestFinished(() => created.close())
  return created
}
