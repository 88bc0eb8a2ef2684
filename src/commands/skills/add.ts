import {createInterface} from 'node:readline/promises'

import {Args, Flags} from '@oclif/core'

import {keepWrap, proposeWrap} from '../../app/wrap.js'
import {BaseCommand} from '../../cli/base.js'

export default class SkillsAdd extends BaseCommand {
  static override description =
    "Wrap a command-line program as a typed tool: reads its --help (and man page), proposes a JSON Schema of its options and arguments, shows it, and keeps it in .pyagent/tools/ once you approve (--yes approves without asking). The tool runs under the command sandbox and allow-list like any command."
  static override examples = ['<%= config.bin %> skills add rg', '<%= config.bin %> skills add jq --yes --json']
  static override args = {program: Args.string({description: 'The program, on PATH or as a path', required: true})}
  static override flags = {yes: Flags.boolean({description: 'Keep the proposed tool without asking', default: false})}

  async run() {
    const {args, flags} = await this.parse(SkillsAdd)
    const root = this.repoRoot(flags.cwd)
    const proposal = await proposeWrap(root, this.resolveConfig(root).config, args.program)
    if (!this.jsonEnabled()) {
      this.log(`cli__${proposal.tool.name}: ${proposal.tool.summary}`)
      for (const option of proposal.tool.options) this.log(`  ${option.flag}${option.takesValue ? ' VALUE' : ''}  ${option.description}`)
      this.log('  arguments…  (after --)')
      for (const note of proposal.notes) this.notice(note)
    }
    const kept = flags.yes || (await this.confirm(`Keep cli__${proposal.tool.name}? [y/N] `))
    const file = kept ? keepWrap(root, proposal.tool) : undefined
    if (!this.jsonEnabled()) this.log(file ? `Kept in ${file}` : 'Not kept (add --yes to keep it without asking).')
    return {...proposal, kept: file !== undefined, ...(file ? {file} : {})}
  }

  /** Only a person at a terminal can say yes; anywhere else the answer is no. */
  private async confirm(question: string): Promise<boolean> {
    if (this.jsonEnabled() || !process.stdin.isTTY) return false
    const prompt = createInterface({input: process.stdin, output: process.stderr})
    try {
      return /^y(es)?$/i.test((await prompt.question(question)).trim())
    } finally {
      prompt.close()
    }
  }
}
