/** `pyagent skills list`: the Agent Skills a run here would offer, and the folders that are not valid skills. */
import {discoverSkills, skillFolders} from '../skills/agent-skills.js'

export function listSkills(root: string) {
  return {...discoverSkills(root), searched: skillFolders(root)}
}
