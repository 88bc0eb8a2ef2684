/**
 * Agent Skills as one agent tool, `use_skill`: its description lists each skill's name and what it
 * is for (so they are in the prompt, and nothing more of them), and a call reads a skill's
 * instructions or one of its files when the agent decides it needs them.
 */
import {z} from 'zod'

import {defineTool, type Tool, ToolError, ToolRefused} from '../agent/tools/index.js'
import {type AgentSkill, discoverSkills, skillFile, skillInstructions} from '../skills/agent-skills.js'

function skillTool(skills: readonly AgentSkill[]): Tool {
  const byName = new Map(skills.map((skill) => [skill.name, skill]))
  const catalogue = skills.map((skill) => `- ${skill.name}: ${skill.description.replaceAll('\n', ' ')}`).join('\n')
  return defineTool({
    name: 'use_skill',
    description: `Read an Agent Skill's instructions before doing what it is for (or, with file, one of the files they mention). Skills here:\n${catalogue}`,
    schema: z.object({
      name: z.enum(skills.map((skill) => skill.name) as [string, ...string[]]).describe('The skill'),
      file: z.string().min(1).optional().describe("A file of the skill's folder, as its instructions name it"),
    }),
    mutates: false,
    async run({name, file}) {
      const skill = byName.get(name)
      if (!skill) throw new ToolError(`no skill named ${name}`)
      if (file !== undefined) {
        const read = skillFile(skill, file)
        if ('refused' in read) throw new ToolRefused(read.refused)
        return read.text
      }
      const {body, files} = skillInstructions(skill)
      return files.length === 0 ? body : `${body}\n\nFiles of this skill (read one with use_skill and file): ${files.join(', ')}`
    },
  })
}

/** The skills tool for a run, none when there is no skill; a folder that is not a valid skill is a notice. */
export function skillTools(root: string, notice: (text: string) => void): Tool[] {
  let found: ReturnType<typeof discoverSkills>
  try {
    found = discoverSkills(root)
  } catch (error) {
    notice(`Agent Skills are left out of this run: ${(error as Error).message}`)
    return []
  }
  for (const problem of found.problems) notice(`An Agent Skill is left out: ${problem.problem}`)
  return found.skills.length === 0 ? [] : [skillTool(found.skills)]
}
