/**
 * The retrieval bench's questions: over two code bases nobody here wrote, as installed in
 * node_modules, each asked as a person would ask it and naming the file(s) that answer it.
 */

export interface Question {
  question: string
  answers: string[]
}

export interface Corpus {
  name: string
  module: string
  questions: Question[]
}

export const CORPORA: Corpus[] = [
  {
    name: 'execa 9.6',
    module: 'execa',
    questions: [
      {question: 'kill the subprocess when it runs longer than the timeout', answers: ['lib/terminate/timeout.js']},
      {question: 'send SIGKILL after a delay when the process ignores SIGTERM', answers: ['lib/terminate/kill.js']},
      {question: 'kill the child processes when the parent process exits', answers: ['lib/terminate/cleanup.js']},
      {question: 'fail when the output is larger than the maximum buffer size', answers: ['lib/io/max-buffer.js']},
      {question: 'escape control characters when the command is printed', answers: ['lib/arguments/escape.js']},
      {question: 'better error message when the working directory does not exist', answers: ['lib/arguments/cwd.js']},
      {question: 'how long the command took in milliseconds', answers: ['lib/return/duration.js']},
      {question: 'remove the final newline at the end of stdout', answers: ['lib/io/strip-newline.js']},
      {question: 'split the output into lines in a generator', answers: ['lib/transform/split.js']},
      {question: 'accept a file URL instead of a path as the command', answers: ['lib/arguments/file-url.js']},
      {question: 'stop the subprocess when an AbortSignal is aborted', answers: ['lib/terminate/cancel.js']},
      {question: 'turn a template string literal into the command and its arguments', answers: ['lib/methods/template.js']},
      {question: 'graceful cancellation sent to the subprocess over IPC', answers: ['lib/ipc/graceful.js']},
      {question: 'format verbose log lines with a timestamp and an icon', answers: ['lib/verbose/default.js']},
      {question: 'run the command inside a shell', answers: ['lib/arguments/shell.js']},
      {question: 'build the error message of a failed command', answers: ['lib/return/message.js']},
      {question: 'run a Node.js script with the current node executable', answers: ['lib/methods/node.js']},
      {question: 'decode binary output chunks with a text encoding', answers: ['lib/transform/encoding-transform.js']},
      {question: 'stop piping when the unpipe signal aborts', answers: ['lib/pipe/abort.js']},
    ],
  },
  {
    name: 'dependency-cruiser 17.4',
    module: 'dependency-cruiser',
    questions: [
      {question: 'detect circular dependencies between modules', answers: ['src/analyze/derive/circular.mjs']},
      {question: 'is a module an orphan without dependencies or dependents', answers: ['src/analyze/derive/orphan/is-orphan.mjs']},
      {question: 'which modules can be reached from a module', answers: ['src/analyze/derive/reachable.mjs']},
      {question: 'find the files whose content changed since the cached run', answers: ['src/cache/find-content-changes.mjs', 'src/cache/content-strategy.mjs']},
      {question: 'use the git revision to decide whether the cache is still valid', answers: ['src/cache/metadata-strategy.mjs']},
      {question: 'anonymize the paths in a report with words from a word list', answers: ['src/report/anon/anonymize-path-element.mjs', 'src/report/anon/anonymize-path.mjs']},
      {question: 'is a module name one of node built in modules', answers: ['src/extract/resolve/is-built-in.mjs']},
      {question: "merge an extended configuration's forbidden rules into the base one", answers: ['src/config-utl/extract-depcruise-config/merge-configs.mjs']},
      {question: 'read tsconfig.json with the typescript compiler', answers: ['src/config-utl/extract-ts-config.mjs']},
      {question: 'turn windows paths into posix paths', answers: ['src/utl/path-to-posix.mjs']},
      {question: 'compute the instability metric of each module', answers: ['src/analyze/derive/metrics/get-module-metrics.mjs']},
      {question: 'escape strings for TeamCity service messages', answers: ['src/report/teamcity.mjs']},
      {question: 'count file extensions to guess the languages of a project', answers: ['src/cli/init-config/find-extensions.mjs']},
      {question: 'find the require calls in CommonJS code', answers: ['src/extract/acorn/extract-cjs-deps.mjs']},
      {question: 'output the dependency graph as a CSV matrix', answers: ['src/report/csv.mjs']},
      {question: 'wrap long lines and indent them', answers: ['src/utl/wrap-and-indent.mjs']},
      {question: 'ignore violations listed in the known violations baseline', answers: ['src/analyze/soften-known-violations.mjs']},
      {question: 'sort violations by severity', answers: ['src/graph-utl/compare.mjs']},
    ],
  },
]
