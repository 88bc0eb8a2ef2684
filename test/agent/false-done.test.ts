/**
 * "done" means done (issue 14, defect 8): a role accepted by its tests is done only when they pass
 * on the final tree, a finish that changed nothing says so, and a summary that loops is cut.
 */
import {describe, expect, it} from 'vitest'

import {tidySummary} from '../../src/agent/summary.js'
import {FIXTURE, run} from './harness.js'
import {call, ScriptedModel} from './support.js'

describe('a finish that changed nothing', () => {
  it('with failing tests is sent back as a revision, then ends failed, and says no change was made', async () => {
    const model = new ScriptedModel([call('finish', {summary: 'fixed'}), call('finish', {summary: 'fixed, really'}), call('finish', {summary: 'done now'})])
    const {outcome, events} = await run({model})
    expect(outcome.status).toBe('failed')
    expect(outcome.exitCode).not.toBe(0)
    expect(outcome.results[0]!.summary).toMatch(/^no change made, and the tests still fail after 2 revision\(s\): node test\.js/)
    expect(events.filter((event) => event.type === 'check' && event.name === 'node test.js').map((event) => (event as {passed: boolean}).passed)).toEqual([false, false, false])
    // Each revision request told the model why.
    expect(model.requests[1]!.messages.at(-1)!.content).toMatch(/You finished without changing anything, and the tests fail/)
  })

  it('with passing tests is done, and its summary says no change was made', async () => {
    const passing = {...FIXTURE, 'test.js': "console.log('all tests pass')\n"}
    const model = new ScriptedModel([call('finish', {summary: 'nothing needed'})])
    const {outcome} = await run({model, files: passing})
    expect(outcome.status).toBe('done')
    expect(outcome.results[0]!.summary).toBe('no change made: nothing needed')
  })

  it('by a read-only role is done as before, without running tests', async () => {
    const model = new ScriptedModel([call('finish', {summary: 'the code adds with a minus'})])
    const {outcome, events} = await run({model, role: 'analyst'})
    expect(outcome.status).toBe('done')
    expect(outcome.results[0]!.summary).toBe('the code adds with a minus')
    expect(events.some((event) => event.type === 'check')).toBe(false)
  })
})

describe('a summary that repeats itself', () => {
  it('is cut after its first unit and flagged, in the run and on its own', async () => {
    const looping = `range.js${'.js'.repeat(250)}`
    const passing = {...FIXTURE, 'test.js': "console.log('all tests pass')\n"}
    const {outcome, events} = await run({model: new ScriptedModel([call('finish', {summary: looping})]), files: passing})
    expect(outcome.results[0]!.summary).toBe('no change made: range.js… (the rest repeated itself and was cut)')
    expect(events).toContainEqual(expect.objectContaining({type: 'check', name: 'summary', passed: false}))

    expect(tidySummary('The total is 100. '.repeat(20)).repeated).toBe(true)
    expect(tidySummary('Fixed the off-by-one in range.js: the loop now stops before end; tests pass.')).toEqual({
      text: 'Fixed the off-by-one in range.js: the loop now stops before end; tests pass.',
      repeated: false,
    })
  })

  it('is caught with a sentence-long unit too, and a summary that only holds a repeated line is left whole', () => {
    const sentence = 'I have fixed the off-by-one error in the range function now. '
    expect(tidySummary(`Summary: ${sentence.repeat(8)}`)).toEqual({text: `Summary: ${sentence.trim()}… (the rest repeated itself and was cut)`, repeated: true})
    const ruled = [
      'Fixed the off-by-one in src/range.js.',
      '-'.repeat(40),
      'The loop now stops before end, and test.js covers an empty range and a range of one element.',
    ].join('\n')
    expect(tidySummary(ruled)).toEqual({text: ruled, repeated: false})
  })
})
