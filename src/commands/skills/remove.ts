import {Args} from '@oclif/core'

import {forgetWrap} from '../../app/wrap.js'
import {BaseCommand} from '../../cli/base.js'

export default class SkillsRemove extends BaseCommand {
  static override description = 'Remove a wrapped program\'s tool (by the name `pyagent skills list` shows, without cli__)'
  static override examples = ['<%= config.bin %> skills remove rg', '<%= config.bin %> skills remove jq --json']
  static override args = {name: Args.string({description: 'The wrapped tool\'s name', required: true})}

  async run() {
    const {args, flags} = await this.parse(SkillsRemove)
    forgetWrap(this.repoRoot(flags.cwd), args.name.replace(/^cli__/, ''))
    if (!this.jsonEnabled()) this.log(`Removed cli__${args.name.replace(/^cli__/, '')}`)
    return {removed: args.name.replace(/^cli__/, '')}
  }
}
