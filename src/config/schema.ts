/**
 * Every PyAgent setting, in one zod schema. Keys are flat so that each has one obvious
 * environment variable (`maxSteps` ↔ `PYAGENT_MAX_STEPS`) and one `pyagent config` name.
 */
import {z} from 'zod'

export const DEFAULT_ALLOWED_COMMANDS = [
  'git status',
  'git diff',
  'git log',
  'git show',
  'npm test',
  'npx tsc --noEmit',
  'pytest',
  'cargo test',
  'go test',
]

/** Permissive licences a dependency may carry without review; the repository's own licence is always allowed too. */
export const DEFAULT_ALLOWED_LICENSES = [
  'MIT',
  'MIT-0',
  'ISC',
  '0BSD',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  'Zlib',
  'Unlicense',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Python-2.0',
  'PSF-2.0',
  'Unicode-3.0',
  'Unicode-DFS-2016',
  'BSL-1.0',
]

/** Files that usually hold credentials: not shown to an LLM nor edited by one unless configured otherwise. */
export const DEFAULT_DENY_PATHS = ['.env', '.env.*', '*.pem', '*.key', 'id_rsa*', 'id_ed25519*', '.npmrc', '.netrc']

export const configSchema = z.strictObject({
  baseUrl: z.url({protocol: /^https?$/, error: 'expected an http:// or https:// URL'}).default('http://localhost:8000/v1').describe("OpenAI-compatible endpoint (vLLM's /v1)"),
  model: z.string().min(1).optional().describe('Model name; default: the first model the endpoint serves'),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('PYAGENT_API_KEY')
    .describe('Name of the environment variable that holds the API key (never the key itself)'),
  requestTimeoutMs: z
    .int()
    .positive()
    .default(120_000)
    .describe('LLM request timeout, in ms: the longest wait for an answer to start, or for its next streamed chunk'),
  maxSteps: z.int().positive().default(50).describe('Budget: agent loop steps per task'),
  maxTokens: z.int().positive().default(500_000).describe('Budget: prompt + completion tokens per task'),
  maxCostUsd: z.number().nonnegative().default(5).describe('Budget: cost per task, in USD'),
  timeoutSec: z.int().positive().default(1800).describe('Budget: wall time per task, in seconds'),
  allowedCommands: z
    .array(z.string().min(1))
    .default(DEFAULT_ALLOWED_COMMANDS)
    .describe('Commands agents may run without asking (a command matches when it starts with an entry)'),
  endpoints: z
    .array(z.url())
    .default([])
    .describe('More OpenAI-compatible endpoints pooled with baseUrl (least outstanding requests, failover)'),
  maxRetries: z.int().nonnegative().default(4).describe('LLM retries after a 429, a 5xx or a dropped connection'),
  retryBaseDelayMs: z.int().positive().default(500).describe('First retry delay in ms; doubles per retry, with full jitter'),
  retryMaxDelayMs: z.int().positive().default(20_000).describe('Ceiling of one retry delay in ms (a longer Retry-After is honoured)'),
  totalDeadlineMs: z.int().positive().default(600_000).describe('Deadline of one LLM call across all its retries, in ms'),
  endpointFailureThreshold: z
    .int()
    .positive()
    .default(2)
    .describe('Consecutive failures after which an endpoint is marked down until its /health answers'),
  endpointProbeIntervalMs: z.int().positive().default(5_000).describe('Wait before probing a down endpoint\'s /health again, in ms'),
  structuredOutputsField: z
    .enum(['auto', 'structured_outputs', 'response_format', 'json_object'])
    .default('auto')
    .describe(
      "How a JSON schema constraint is sent: vLLM's structured_outputs, OpenAI's response_format json_schema, llama.cpp's json_object with a schema; auto picks by the server's owned_by",
    ),
  legacyGuidedFields: z
    .boolean()
    .default(false)
    .describe('Also send guided_json (vLLM < 0.12 only; newer servers ignore it silently)'),
  structuredRepairs: z
    .int()
    .nonnegative()
    .default(1)
    .describe('Times a structured answer that breaks its schema is sent back to the model with the error before the call fails'),
  chatTemplateKwargs: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('chat_template_kwargs passed to vLLM, e.g. {"enable_thinking": false}'),
  tokenEncoding: z
    .enum(['cl100k_base', 'o200k_base', 'p50k_base', 'r50k_base', 'gpt2'])
    .default('cl100k_base')
    .describe('tiktoken encoding for local token counts (reconciled with the server\'s usage)'),
  completionReserveTokens: z
    .int()
    .positive()
    .default(4096)
    .describe('Most tokens one answer may take (sent as max_tokens, at most a quarter of the context window), kept free when fitting a conversation'),
  prices: z
    .record(
      z.string(),
      z.strictObject({
        inputPerMTok: z.number().nonnegative(),
        outputPerMTok: z.number().nonnegative(),
        cachedInputPerMTok: z.number().nonnegative().optional(),
      }),
    )
    .default({})
    .describe('USD per million tokens by model, e.g. {"qwen3": {"inputPerMTok": 0.2, "outputPerMTok": 0.6}}'),
  autoCommit: z.boolean().default(false).describe('Commit to git after a successful task'),
  reviewMaxComplexity: z
    .int()
    .positive()
    .default(15)
    .describe('Review: a changed function whose cyclomatic complexity goes over this is a warning'),
  reviewMaxComplexityGrowth: z
    .int()
    .nonnegative()
    .default(5)
    .describe("Review: a changed function whose complexity grows by more than this is a warning"),
  reviewMaxFunctionLines: z
    .int()
    .positive()
    .default(100)
    .describe('Review: a changed function longer than this many lines is a warning'),
  reviewAllowedLicenses: z
    .array(z.string().min(1))
    .default(DEFAULT_ALLOWED_LICENSES)
    .describe("Review: SPDX ids a new dependency's licence must satisfy (the repository's own licence is allowed too)"),
  reviewFailOn: z
    .enum(['error', 'warning', 'never'])
    .default('error')
    .describe('Review: the lowest finding severity that makes `pyagent review`, `ci` and the hook fail'),
  denyPaths: z
    .array(z.string().min(1))
    .default(DEFAULT_DENY_PATHS)
    .describe('Globs tools may not read or edit, on top of .git/ and .pyagent/ (a pattern without / matches the name anywhere)'),
  commandTimeoutMs: z.int().positive().default(300_000).describe('Timeout of one command an agent runs, in ms'),
  mcpCallTimeoutMs: z.int().positive().default(60_000).describe("Timeout of one call to an MCP server's tool, in ms (a server's own timeoutMs in mcp.json wins)"),
  commandOutputBytes: z
    .int()
    .min(1024)
    .default(65_536)
    .describe("Bytes of a command's stdout and of its stderr kept for the agent (head and tail)"),
  commandSandbox: z
    .enum(['auto', 'bwrap', 'none'])
    .default('auto')
    .describe('Run commands in bubblewrap: auto (when bwrap works), bwrap (required), none'),
  redactAllow: z
    .array(z.string().min(1))
    .default([])
    .describe('Values redaction leaves alone: exact strings, or /regex/ for patterns (false positives)'),
  structuredWhitespace: z
    .string()
    .default('[ \\t\\n\\r]*')
    .describe('Regex of the whitespace structured outputs may put between JSON tokens (client-side validation, token masks)'),
  structuredMaxAnyDepth: z
    .int()
    .min(0)
    .max(6)
    .default(2)
    .describe('How deep arrays/objects may nest where a structured-output schema leaves a value unconstrained, and how often a recursive $ref is unrolled'),
  actionProtocol: z
    .enum(['auto', 'tools', 'json'])
    .default('auto')
    .describe('How the model acts: native tool calls, JSON actions under a schema constraint, or auto (tools, JSON when the server has no tool parser)'),
  maxRevisions: z.int().nonnegative().default(2).describe('Rounds of revision after failing tests or a review asking for changes'),
  concurrency: z.int().positive().default(3).describe('Sub-tasks of a plan (--role auto) running at once'),
  maxDepth: z.int().positive().default(2).describe('How deep sub-tasks may nest below the task'),
  fleetUrl: z.url().default('http://127.0.0.1:7800').describe('The fleet server `pyagent submit`, `tasks`, `logs`, `cancel` and `apply` talk to'),
  fleetHeartbeatSec: z.number().positive().default(2).describe('How often a fleet worker renews its claim on the task it runs (`pyagent serve`)'),
  fleetLapseSec: z
    .number()
    .positive()
    .default(20)
    .describe("A fleet task whose worker has not renewed its claim for this long is retried from a fresh worktree (or marked interrupted once fleetMaxAttempts are spent)"),
  fleetMaxAttempts: z.int().positive().default(3).describe('Attempts a fleet task gets when its worker dies under it'),
  fleetScrapeSec: z
    .number()
    .positive()
    .default(15)
    .describe("How often `pyagent serve` reads each LLM endpoint's Prometheus /metrics (vLLM's KV-cache usage, prefix-cache hits, speculative decoding, queue)"),
  fleetRepositoryRoots: z
    .array(z.string().regex(/^(?:\/|~(?:\/|$))/, 'an absolute path, or ~ for the home directory'))
    .default(['~'])
    .describe(
      'Directories a fleet task\'s repository must lie in (its path, or a file:// URL\'s), symlinks resolved; default: the home directory of the user running `pyagent serve`, whose files its tasks could reach anyway, and no one else\'s',
    ),
  testCommand: z.string().min(1).optional().describe("The repository's test command; default: what package.json, Cargo.toml, go.mod or pyproject.toml declare"),
  benchmarkCommand: z.string().min(1).optional().describe('Command the perf role times before and after its change'),
  perfMarginPct: z.number().nonnegative().default(5).describe('The perf role keeps a change only when the benchmark is at least this many percent faster'),
  cheaperModel: z.string().min(1).optional().describe('Model the cost role moves to when 80% of the token or cost budget is spent'),
  engineThreads: z.int().nonnegative().default(0).describe('Threads the embedded engine evaluates with; 0: every core of this machine'),
  constrainEdits: z
    .boolean()
    .default(true)
    .describe("With the embedded engine, decode each edit's search as text that occurs once in the file as last read, so that every edit applies"),
  memory: z
    .boolean()
    .default(true)
    .describe('Give each task the repository map and the learned facts that bear on it, and learn from its outcome (run --no-memory: off for one run)'),
  mapTokens: z
    .int()
    .nonnegative()
    .default(1024)
    .describe("Tokens of the repository map in a task's first prompt (0: no map); the embedded model gets at most 512"),
  memoryHalfLifeDays: z
    .number()
    .positive()
    .default(30)
    .describe("Days after which a learned fact's strength has halved, unless it is used again (each use adds 1)"),
  memoryPruneBelow: z
    .number()
    .positive()
    .max(1)
    .default(0.1)
    .describe('Learned facts weaker than this are forgotten (a new fact starts at 1: unused, it goes after log2(1/this) half-lives)'),
  embeddingsUrl: z
    .url({protocol: /^https?$/, error: 'expected an http:// or https:// URL'})
    .optional()
    .describe("OpenAI-compatible embeddings endpoint (vLLM's /v1) for code search by meaning; unset: code search ranks by words (BM25) alone"),
  embeddingsModel: z.string().min(1).optional().describe('Embeddings model name; default: the first model the embeddings endpoint serves'),
  otlpEndpoint: z
    .url({protocol: /^https?$/, error: 'expected an http:// or https:// URL'})
    .optional()
    .describe('OpenTelemetry collector (OTLP/HTTP) that receives a trace and metrics per task, e.g. http://localhost:4318; unset: the standard OTEL_EXPORTER_OTLP_* variables decide, and with none set telemetry is off'),
  telemetryContent: z
    .boolean()
    .default(false)
    .describe("Put the task's text, the model's answers and tool arguments on the spans (redacted as in the task log); off: only names, figures and ids leave"),
})

export type Config = z.infer<typeof configSchema>
export type ConfigKey = keyof Config
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[]

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(configSchema.shape, key)
}

/** `maxSteps` → `PYAGENT_MAX_STEPS`; `baseUrl` → `PYAGENT_BASE_URL`. */
export function envVarFor(key: ConfigKey): string {
  return `PYAGENT_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`
}
