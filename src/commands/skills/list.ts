import {listSkills} from '../../app/skills.js'
import {BaseCommand} from '../../cli/base.js'

export default class SkillsList extends BaseCommand {
  static override description =
    'List the Agent Skills a run offers (folders with a SKILL.md in .pyagent/skills, .claude/skills, .agents/skills, and the same in your user folders) and the wrapped programs, and any that cannot be used, with why'
  static override examples = ['<%= config.bin %> skills list', '<%= config.bin %> skills list --json']

  async run() {
    const {flags} = await this.parse(SkillsList)
    const found = listSkills(this.repoRoot(flags.cwd))
    if (!this.jsonEnabled()) {
      for (const skill of found.skills) this.log(`${skill.name}  ${skill.description.replaceAll('\n', ' ')}  (${skill.dir})`)
      if (found.skills.length === 0) this.log(`No Agent Skills found in ${found.searched.join(', ')}.`)
      for (const tool of found.wrapped) this.log(`cli__${tool.name}  wraps ${tool.program} (${tool.options.length} options)`)
      for (const problem of found.problems) this.notice(problem.problem)
      for (const problem of found.wrappedProblems) this.notice(problem)
    }
    return found
  }
}
