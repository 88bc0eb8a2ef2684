/**
 * Agent Skills: folders holding a SKILL.md whose YAML front matter names the skill and says what
 * it is for, with instructions below and any files beside. They are found where PyAgent and other
 * agents keep them — the repository's `.pyagent/skills`, `.claude/skills` and `.agents/skills`,
 * then the user's `skills` beside the user config, `~/.claude/skills` and `~/.agents/skills` — the
 * first of a name winning. Only the name and description are read up front (progressive
 * disclosure): the body and the files are read when the agent asks for them.
 */
import {existsSync, readdirSync, readFileSync, realpathSync, statSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, join, relative, resolve, sep} from 'node:path'

import {parse as parseYaml} from 'yaml'
import {z} from 'zod'

import {userConfigPath} from '../config/load.js'

export interface AgentSkill {
  name: string
  description: string
  /** The skill's folder. */
  dir: string
}

export interface SkillProblem {
  dir: string
  problem: string
}

/** The Agent Skills specification's limits: a name the model can type, a description that fits a prompt line. */
const frontMatterSchema = z.looseObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens')
    .max(64),
  description: z.string().min(1).max(1024),
})

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/
/** A skill's file is read whole into an observation, which the loop caps far below this anyway. */
const MAX_FILE_BYTES = 1024 * 1024
const MAX_LISTED_FILES = 200

export function skillFolders(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || homedir()
  return [
    join(root, '.pyagent', 'skills'),
    join(root, '.claude', 'skills'),
    join(root, '.agents', 'skills'),
    join(dirname(userConfigPath(env)), 'skills'),
    join(home, '.claude', 'skills'),
    join(home, '.agents', 'skills'),
  ]
}

function splitSkillFile(text: string): {front: string; body: string} | undefined {
  const match = FRONT_MATTER.exec(text)
  return match ? {front: match[1]!, body: text.slice(match[0].length)} : undefined
}

function readSkill(dir: string): AgentSkill | SkillProblem {
  const file = join(dir, 'SKILL.md')
  const split = splitSkillFile(readFileSync(file, 'utf8'))
  if (!split) return {dir, problem: `${file} has no front matter: it must start with a --- block giving name and description`}
  let front: unknown
  try {
    front = parseYaml(split.front)
  } catch (error) {
    return {dir, problem: `${file}: its front matter is not YAML: ${(error as Error).message.split('\n')[0]}`}
  }
  const parsed = frontMatterSchema.safeParse(front)
  if (!parsed.success) {
    return {dir, problem: `${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'front matter'}: ${issue.message}`).join('; ')}`}
  }
  return {name: parsed.data.name, description: parsed.data.description.trim(), dir}
}

/** Every skill found, and each folder with a SKILL.md that is not one (with why). */
export function discoverSkills(root: string, env: NodeJS.ProcessEnv = process.env): {skills: AgentSkill[]; problems: SkillProblem[]} {
  const skills = new Map<string, AgentSkill>()
  const problems: SkillProblem[] = []
  for (const folder of skillFolders(root, env)) {
    if (!existsSync(folder)) continue
    for (const entry of readdirSync(folder, {withFileTypes: true})) {
      const dir = join(folder, entry.name)
      if (!existsSync(join(dir, 'SKILL.md'))) continue
      const found = readSkill(dir)
      if ('problem' in found) problems.push(found)
      else if (!skills.has(found.name)) skills.set(found.name, found)
    }
  }
  return {skills: [...skills.values()], problems}
}

/** The files beside SKILL.md, relative to the skill's folder, hidden ones left out. */
function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = []
  for (const entry of readdirSync(join(dir, prefix), {withFileTypes: true})) {
    if (entry.name.startsWith('.')) continue
    const path = prefix ? `${prefix}/${entry.name}` : entry.name
    if (entry.isDirectory()) files.push(...listFiles(dir, path))
    else if (path !== 'SKILL.md') files.push(path)
    if (files.length >= MAX_LISTED_FILES) break
  }
  return files.slice(0, MAX_LISTED_FILES)
}

/** The skill's instructions (SKILL.md without its front matter) and the files it may point to. */
export function skillInstructions(skill: AgentSkill): {body: string; files: string[]} {
  const text = readFileSync(join(skill.dir, 'SKILL.md'), 'utf8')
  return {body: (splitSkillFile(text)?.body ?? text).trim(), files: listFiles(skill.dir)}
}

/** One file of the skill's folder, or why not: a path that leaves it (through `..` or a link), names no file, or is too large. */
export function skillFile(skill: AgentSkill, path: string): {text: string} | {refused: string} {
  const base = realpathSync(skill.dir)
  let target: string
  try {
    target = realpathSync(resolve(base, path))
  } catch {
    return {refused: `the skill ${skill.name} has no file ${path}`}
  }
  if (relative(base, target).startsWith('..') || !(target + sep).startsWith(base + sep)) return {refused: `${path} is outside the skill ${skill.name}'s folder`}
  const stat = statSync(target)
  if (!stat.isFile()) return {refused: `${path} in the skill ${skill.name} is not a file`}
  if (stat.size > MAX_FILE_BYTES) return {refused: `${path} in the skill ${skill.name} is ${stat.size} bytes, more than a tool result can hold`}
  return {text: readFileSync(target, 'utf8')}
}
