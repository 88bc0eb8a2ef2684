/** The LLM client `review --llm` uses, recording its calls in the repository's state; imported lazily. */
import type {Config} from '../config/schema.js'
import type {LlmClient} from '../llm/client.js'

export async function openReviewer(repoRoot: string, config: Config): Promise<{client: LlmClient; close(): void}> {
  const [{createLlmClient}, {openState}] = await Promise.all([import('../llm/index.js'), import('../state/db.js')])
  const state = openState(repoRoot)
  const client = createLlmClient(config, state)
  return {
    client,
    close() {
      client.close()
      state.close()
    },
  }
}
