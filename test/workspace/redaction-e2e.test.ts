import {checksummedToken} from '../support/tokens.js'
import {describe, expect, it} from 'vitest'

import {collectChat} from '../../src/llm/collect.js'
import {redactMessages} from '../../src/secrets/redact.js'
import {Workspace} from '../../src/workspace/workspace.js'
import {client, server} from '../llm/helpers.js'
import {tempRepo} from '../support/temp-repo.js'

const TOKEN = checksummedToken()
const EMAIL = 'maintainer.private@example.org'

describe('a secret in a file the agent reads', () => {
  it('never appears in any request body the LLM server receives', async () => {
    const repo = tempRepo({'src/config.ts': `export const github = '${TOKEN}'\n// contact ${EMAIL}\nexport const retries = 3\n`})
    const workspace = await Workspace.open(repo.root)
    const tx = workspace.begin()
    const source = tx.readText('src/config.ts')
    tx.rollback()
    workspace.close()
    expect(source).toContain(TOKEN)

    const llm = await server()
    llm.enqueue(
      {type: 'completion', toolCalls: [{name: 'read_file', arguments: JSON.stringify({path: 'src/config.ts'})}], finishReason: 'tool_calls'},
      {type: 'completion', text: 'The token should move to an environment variable.'},
    )
    const chat = client([llm])
    const messages = [
      {role: 'system' as const, content: 'You are a careful coding agent.'},
      {role: 'user' as const, content: 'Review src/config.ts'},
    ]
    const first = await collectChat(chat.chat({messages}))
    const call = first.toolCalls[0]!
    await collectChat(
      chat.chat({
        messages: [
          ...messages,
          {role: 'assistant', content: null, tool_calls: [{id: call.id, type: 'function', function: {name: call.name, arguments: call.arguments}}]},
          {role: 'tool', tool_call_id: call.id, content: source},
          {role: 'user', content: `Also, the earlier value was ${TOKEN}; mail ${EMAIL} if unsure.`},
        ],
      }),
    )

    const bodies = llm.chatRequests().map((request) => JSON.stringify(request.body))
    expect(bodies).toHaveLength(2)
    for (const body of bodies) {
      expect(body).not.toContain(TOKEN)
      expect(body).not.toContain(TOKEN.slice(4, 20))
      expect(body).not.toContain(EMAIL)
    }
    expect(bodies[1]).toContain('[REDACTED:github-pat]')
    expect(bodies[1]).toContain('[REDACTED:email]')
    // The rest of the file still reaches the model, and the tool result still pairs with its call.
    expect(bodies[1]).toContain('export const retries = 3')
    expect(bodies[1]).toContain(`"tool_call_id":"${call.id}"`)
  })

  it('reaches the server unmasked only when redaction is explicitly turned off (the test can fail)', async () => {
    const llm = await server()
    llm.enqueue({type: 'completion', text: 'ok'})
    await collectChat(client([llm], {}, {redact: false}).chat({messages: [{role: 'user', content: `token ${TOKEN}`}]}))
    expect(JSON.stringify(llm.chatRequests()[0]!.body)).toContain(TOKEN)
  })

  it('honours the configured allow-list', async () => {
    const llm = await server()
    llm.enqueue({type: 'completion', text: 'ok'})
    await collectChat(client([llm], {redactAllow: [EMAIL]}).chat({messages: [{role: 'user', content: `mail ${EMAIL}, token ${TOKEN}`}]}))
    const body = JSON.stringify(llm.chatRequests()[0]!.body)
    expect(body).toContain(EMAIL)
    expect(body).not.toContain(TOKEN)
  })
})

describe('redactMessages', () => {
  it('masks text parts and tool-call arguments and keeps roles, ids and names', async () => {
    const [user, assistant] = await redactMessages([
      {role: 'user', content: [{type: 'text', text: `key ${TOKEN}`}, {type: 'image_url', image_url: {url: 'https://x/y.png'}}]},
      {role: 'assistant', content: null, tool_calls: [{id: 'call_1', type: 'function', function: {name: 'write', arguments: `{"text":"${EMAIL}"}`}}]},
    ])
    expect(user).toEqual({role: 'user', content: [{type: 'text', text: 'key [REDACTED:github-pat]'}, {type: 'image_url', image_url: {url: 'https://x/y.png'}}]})
    expect(assistant).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{id: 'call_1', type: 'function', function: {name: 'write', arguments: '{"text":"[REDACTED:email]"}'}}],
    })
  })
})
