import {describe, expect, it} from 'vitest'

import {loadConfig} from '../../src/config/load.js'
import {tempDir} from '../support/temp-repo.js'

describe('LLM settings', () => {
  it('have defaults', () => {
    const {config} = loadConfig({repoRoot: tempDir(), env: {}, userConfigPath: '/nonexistent'})
    expect(config).toMatchObject({
      endpoints: [],
      maxRetries: 4,
      structuredOutputsField: 'auto',
      legacyGuidedFields: false,
      tokenEncoding: 'cl100k_base',
      prices: {},
      chatTemplateKwargs: {},
    })
  })

  it('read lists, records and switches from the environment', () => {
    const {config} = loadConfig({
      repoRoot: tempDir(),
      userConfigPath: '/nonexistent',
      env: {
        PYAGENT_ENDPOINTS: 'http://gpu-1:8000/v1, http://gpu-2:8000/v1',
        PYAGENT_PRICES: '{"qwen3": {"inputPerMTok": 0.2, "outputPerMTok": 0.6}}',
        PYAGENT_CHAT_TEMPLATE_KWARGS: '{"enable_thinking": false}',
        PYAGENT_LEGACY_GUIDED_FIELDS: 'true',
        PYAGENT_TOKEN_ENCODING: 'o200k_base',
      },
    })
    expect(config.endpoints).toEqual(['http://gpu-1:8000/v1', 'http://gpu-2:8000/v1'])
    expect(config.prices.qwen3).toEqual({inputPerMTok: 0.2, outputPerMTok: 0.6})
    expect(config.chatTemplateKwargs).toEqual({enable_thinking: false})
    expect(config.legacyGuidedFields).toBe(true)
    expect(config.tokenEncoding).toBe('o200k_base')
  })

  it('name the variable and the expected shape when a price is malformed', () => {
    expect(() =>
      loadConfig({repoRoot: tempDir(), userConfigPath: '/nonexistent', env: {PYAGENT_PRICES: '{"m": {"input": 1}}'}}),
    ).toThrow(/PYAGENT_PRICES.*prices/)
  })
})
