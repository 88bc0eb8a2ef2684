/**
 * What every tool is: a zod schema (sent to the model as JSON Schema, and used to check what the
 * model sends back) and a function of the arguments and the run's context. The context holds the
 * ports, and tools reach the disk and processes only through them.
 */
import {z} from 'zod'

import type {CommandRunner, MemoryPort, ScratchPort, TextEngine, TransactionPort, WorkspacePort} from '../ports.js'

/** `tool`: a call to a tool from outside PyAgent (an MCP server's) whose policy says ask. */
export type ApprovalKind = 'edit' | 'command' | 'tool'

export interface ToolContext {
  taskId: string
  workspace: WorkspacePort
  tx: TransactionPort
  scratch: ScratchPort
  engine: TextEngine
  runner: CommandRunner
  memory: MemoryPort
  /** Files earlier tasks of this run committed: code the model wrote, in the working tree now, approved by the critic but not by the user. */
  landed: ReadonlySet<string>
  allowedCommands: readonly string[]
  testCommand: string | undefined
  commandTimeoutMs: number
  /** Asks the user (or the --approve policy) whether an edit or command may go ahead. */
  approve(kind: ApprovalKind, subject: string): Promise<boolean>
  /**
   * Reports a staged edit: `before` is the file as the transaction saw it just before the edit,
   * `after` its staged content (null: deleted). The file's whole diff against the repository
   * goes to the UI and the event log; its line counts come back.
   */
  onDiff(path: string, before: string, after: string | null): {added: number; removed: number}
  signal: AbortSignal
}

/** An expected failure of a tool: the model reads the message and tries again. */
export class ToolError extends Error {
  override readonly name = 'ToolError'
}

/** The user (or the approval policy) said no. */
export class ToolRefused extends Error {
  override readonly name = 'ToolRefused'
}

export interface Tool<S extends z.ZodObject = z.ZodObject> {
  name: string
  description: string
  schema: S
  /**
   * The arguments' JSON Schema as the model sees it, for a tool whose schema comes from outside
   * (an MCP server's): `schema` then only checks that they are an object, and run() checks the rest.
   */
  parameters?: Record<string, unknown>
  /** Stages edits in the transaction; read-only roles leave these out. */
  mutates: boolean
  run(args: z.infer<S>, context: ToolContext): Promise<string>
}

/** Keeps each tool's argument types tied to its own schema. */
export function defineTool<S extends z.ZodObject>(tool: Tool<S>): Tool<S> {
  return tool
}

export const pathArg = z.string().min(1).describe('Path relative to the repository root')

/**
 * Refuses a path the guard refuses, before anything reads it: the model is told the rule (a deny
 * rule names itself and how to change it) as a refusal, not as a failure worth retrying.
 */
export function assertMayTouch(context: ToolContext, path: string, verb: 'read' | 'write'): void {
  const refusal = context.workspace.refusal(path)
  if (refusal) throw new ToolRefused(`${refusal}; tools may not ${verb} it`)
}
