/**
 * The layers of src/ (README, "Architecture"): arrows go down only.
 * commands, cli, server → app → agent, review, doctor, engine, fleet → llm, workspace, memory, mcp → secrets, state, native, config, errors.
 * `npm test` runs this (npm run lint:imports); a violation names the rule and both files.
 */
const service = '^src/(agent|llm|workspace|memory|mcp|skills|state|secrets|review|engine|config|doctor|fleet|telemetry)/'
module.exports = {
  forbidden: [
    {name: 'no-cycles', severity: 'error', comment: 'An import cycle: two modules that cannot be understood (or loaded) one without the other.', from: {}, to: {circular: true}},
    {
      name: 'services-stay-below-the-ui',
      severity: 'error',
      comment: 'Services never reach up: the agent emits events and whoever runs it renders them.',
      from: {path: service},
      to: {path: '^src/(ui|commands|cli|app|server)/'},
    },
    {name: 'app-renders-nothing', severity: 'error', comment: 'The app layer is shared by the CLI and the servers: it never imports a renderer, a command or a server.', from: {path: '^src/app/'}, to: {path: '^src/(ui|commands|cli|server)/'}},
    {name: 'fleet-runs-nothing', severity: 'error', comment: 'The fleet\'s store and schemas are read by the server, its workers and the client; running a task is app/\'s.', from: {path: '^src/fleet/'}, to: {path: '^src/(workspace|llm|memory|review|engine|doctor)/'}},
    {name: 'ui-renders-only', severity: 'error', comment: 'The UI renders events; it runs nothing.', from: {path: '^src/ui/'}, to: {path: '^src/(commands|cli|workspace|llm|state|review|engine)/'}},
    {name: 'agent-is-not-a-reviewer', severity: 'error', comment: 'The review is used by the agent\'s callers, never the other way.', from: {path: '^src/review/'}, to: {path: '^src/agent/'}},
    {name: 'llm-touches-no-files', severity: 'error', comment: 'The LLM client talks to servers; files are the workspace\'s.', from: {path: '^src/llm/'}, to: {path: '^src/(workspace|memory|agent|review|engine)/'}},
    {
      name: 'mcp-and-skills-know-no-agent',
      severity: 'error',
      comment: 'MCP servers and Agent Skills become agent tools in app/: below it, they know nothing of the loop.',
      from: {path: '^src/(mcp|skills)/'},
      to: {path: '^src/(agent|llm|memory|review|engine)/'},
    },
    {name: 'workspace-knows-no-agent', severity: 'error', from: {path: '^src/workspace/'}, to: {path: '^src/(agent|llm|memory|review|engine)/'}},
    {
      name: 'memory-serves-the-agent',
      severity: 'error',
      comment: 'Memory reads the repository and the state for the agent: of the LLM client it needs only the token counter.',
      from: {path: '^src/memory/'},
      to: {path: ['^src/(agent|review|engine|doctor)/', '^src/llm/(?!tokens\\.ts$)']},
    },
    {
      name: 'leaves-know-no-behaviour',
      severity: 'error',
      comment: 'state, secrets and config are leaves: they import only each other, native.ts and errors.ts.',
      from: {path: '^src/(state|secrets|config)/'},
      to: {path: '^src/(agent|llm|workspace|memory|review|engine|doctor)/'},
    },
    {
      name: 'telemetry-listens-from-outside',
      severity: 'error',
      comment: 'Telemetry is a listener the app layer attaches: the agent, the client and the workspace never import it or the OpenTelemetry SDK.',
      from: {path: '^src/(agent|llm|workspace|memory|state|secrets|config|review|engine|doctor)/'},
      to: {path: ['^src/telemetry/', '@opentelemetry/']},
    },
    {name: 'errors-is-a-leaf', severity: 'error', from: {path: '^src/errors\\.ts$'}, to: {path: '^src/'}},
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsConfig: {fileName: 'tsconfig.json'},
    tsPreCompilationDeps: true,
    // Type-only imports count: a cycle through types is still two modules that cannot be read apart.
    exclude: {path: '^src/.*\\.d\\.ts$'},
  },
}
