/**
 * Roles by composition: a role is a system prompt, a subset of the tools and an acceptance
 * rule (plus, for the cost monitor, a budget policy). The loop is the same for all of them.
 */
import {
  applyPatchTool,
  dependencyLicensesTool,
  editTool,
  finishTool,
  listFilesTool,
  readFileTool,
  rememberTool,
  runCommandTool,
  runTestsTool,
  searchCodeTool,
  searchTool,
  type Tool,
  writeFileTool,
} from './tools/index.js'

export const ROLE_NAMES = ['coder', 'analyst', 'perf', 'legal', 'cost'] as const
export type RoleName = (typeof ROLE_NAMES)[number]

/**
 * What must hold before a transaction may commit:
 * - `tests`: the repository's tests pass on the staged edits (when it declares a test command);
 * - `read-only`: nothing to accept, the role cannot edit;
 * - `faster`: the benchmark command is faster by the configured margin after the edits, and the tests pass.
 */
export type AcceptanceRule = 'tests' | 'read-only' | 'faster'

/** `hard`: stop when a budget runs out. `downshift`: near the limit, move to the cheaper model, or stop early when there is none. */
export type BudgetPolicy = 'hard' | 'downshift'

export interface Role {
  name: RoleName
  prompt: string
  tools: readonly Tool[]
  acceptance: AcceptanceRule
  budgetPolicy: BudgetPolicy
}

const READ_TOOLS = [readFileTool, listFilesTool, searchTool, searchCodeTool]
const EDIT_TOOLS = [editTool, applyPatchTool, writeFileTool, runCommandTool, runTestsTool]
/** Every role may learn: a fact is kept in PyAgent's state, not in the repository, so read-only roles keep theirs too. */
const CLOSING_TOOLS = [rememberTool, finishTool]

const ROLES: Record<RoleName, Role> = {
  coder: {
    name: 'coder',
    prompt:
      'You are a careful software engineer. Read the code you change before changing it, make the smallest change that ' +
      'does the task, keep the style of the file, and run the tests before you finish.',
    tools: [...READ_TOOLS, ...EDIT_TOOLS, ...CLOSING_TOOLS],
    acceptance: 'tests',
    budgetPolicy: 'hard',
  },
  analyst: {
    name: 'analyst',
    prompt:
      'You answer questions about this code base. You cannot edit files. Read what you need, cite files and line ' +
      'numbers, and give the answer as the summary of finish.',
    tools: [...READ_TOOLS, ...CLOSING_TOOLS],
    acceptance: 'read-only',
    budgetPolicy: 'hard',
  },
  perf: {
    name: 'perf',
    prompt:
      'You are a performance engineer. Find where the time goes, change the code to make it faster without changing ' +
      'its behaviour, and keep the tests passing. Your change is kept only if the benchmark gets faster by the ' +
      'required margin and the tests pass; otherwise it is rolled back.',
    tools: [...READ_TOOLS, ...EDIT_TOOLS, ...CLOSING_TOOLS],
    acceptance: 'faster',
    budgetPolicy: 'hard',
  },
  legal: {
    name: 'legal',
    prompt:
      'You audit licences: of the dependencies the project declares and of the files added to it. Report every ' +
      'licence that is unknown, missing, or incompatible with the project licence, with the evidence. You cannot edit files.',
    tools: [...READ_TOOLS, dependencyLicensesTool, ...CLOSING_TOOLS],
    acceptance: 'read-only',
    budgetPolicy: 'hard',
  },
  cost: {
    name: 'cost',
    prompt:
      'You are a software engineer working under a tight budget of tokens and money. Read only what you need, prefer ' +
      'targeted searches and line ranges to whole files, make the change, run the tests and finish.',
    tools: [...READ_TOOLS, ...EDIT_TOOLS, ...CLOSING_TOOLS],
    acceptance: 'tests',
    budgetPolicy: 'downshift',
  },
}

export function roleNamed(name: RoleName): Role {
  return ROLES[name]
}
