/** `pyagent skills list`: the Agent Skills and wrapped programs a run here would offer, and what is wrong with the rest. */
import {discoverSkills, skillFolders} from '../skills/agent-skills.js'
import {loadWrappedTools} from '../skills/wrapped-tools.js'

export function listSkills(root: string) {
  const wrapped = loadWrappedTools(root)
  return {...discoverSkills(root), searched: skillFolders(root), wrapped: wrapped.tools, wrappedProblems: wrapped.problems}
}
