/** What `pyagent run` says when no LLM endpoint answers: what it tried, how to start vLLM, how to point PyAgent elsewhere. */

/** The vLLM command line the README and this message recommend: a coder model with tool calling on. */
export const VLLM_SERVE_LINE =
  'vllm serve Qwen/Qwen2.5-Coder-7B-Instruct --enable-auto-tool-choice --tool-call-parser hermes --port 8000'

/** `failures` names each endpoint tried and what went wrong there. */
export function noEndpointMessage(failures: string): string {
  return (
    `No LLM endpoint answered: PyAgent tried ${failures}. ` +
    `Start vLLM's OpenAI-compatible server with tool calling enabled, for example \`${VLLM_SERVE_LINE}\`, ` +
    'or point PyAgent at a server that is already running with `export PYAGENT_BASE_URL=http://<host>:8000/v1` ' +
    '(or `pyagent config set baseUrl http://<host>:8000/v1`); `pyagent doctor` checks the connection.'
  )
}

/** `pyagent run` falls back to a cached model: with none cached, it also says how to get one. */
export function noEndpointNoModelMessage(failures: string): string {
  return `${noEndpointMessage(failures)} To try PyAgent without a server, \`npx pyagent model pull\` fetches a small model that \`pyagent run\` then uses.`
}
