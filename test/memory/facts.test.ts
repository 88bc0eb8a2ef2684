/**
 * Learned facts over simulated time: decay, reinforcement by use, pruning, duplicate merging and
 * redaction, checked against a model of the policy that knows nothing of SQL.
 */
import fc from 'fast-check'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'

import {relevantFacts} from '../../src/memory/fact-search.js'
import {type FactKind, forgetFact, learnFact, listFacts, markUsed, type MemorySettings, memoryStats, pruneWeakFacts} from '../../src/memory/facts.js'
import {openStateAt, schemaVersion, type StateDb} from '../../src/state/db.js'
import {LATEST_SCHEMA_VERSION, MIGRATIONS} from '../../src/state/migrations.js'
import {tempDir} from '../support/temp-repo.js'
import {checksummedToken} from '../support/tokens.js'

const DAY = 86_400_000
const HALF_LIFE_DAYS = 10
const PRUNE_BELOW = 0.1
/** How long a fact used once survives: its strength 1 halves until it is under the threshold. */
const LIFETIME_DAYS = HALF_LIFE_DAYS * Math.log2(1 / PRUNE_BELOW)

function memory(): {db: StateDb; settings: MemorySettings; advance(days: number): void} {
  const db = openStateAt(join(tempDir(), 'state.db'))
  onTestFinished(() => db.close())
  let now = Date.UTC(2025, 0, 1)
  return {
    db,
    settings: {halfLifeDays: HALF_LIFE_DAYS, pruneBelow: PRUNE_BELOW, redactAllow: [], now: () => now},
    advance: (days) => {
      now += days * DAY
    },
  }
}

const note = (text: string, kind: FactKind = 'note') => ({text, kind, source: 'user' as const})

/** The policy, with nothing of SQL: strength 1 per use, halved every half-life, gone under the threshold. */
class Model {
  readonly facts = new Map<string, {strength: number; at: number}>()
  now = 0
  strength(text: string): number {
    const fact = this.facts.get(text)!
    return fact.strength * 0.5 ** ((this.now - fact.at) / (HALF_LIFE_DAYS * DAY))
  }
  use(text: string): void {
    const known = this.facts.get(text)
    this.facts.set(text, {strength: known ? this.strength(text) + 1 : 1, at: this.now})
  }
  prune(): void {
    for (const text of [...this.facts.keys()]) if (this.strength(text) < PRUNE_BELOW) this.facts.delete(text)
  }
}

type Step = {op: 'wait'; days: number} | {op: 'learn'; fact: number} | {op: 'use'; fact: number} | {op: 'prune'}

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({op: fc.constant('wait' as const), days: fc.double({min: 0, max: 3 * LIFETIME_DAYS, noNaN: true})}),
  fc.record({op: fc.constant('learn' as const), fact: fc.nat(5)}),
  fc.record({op: fc.constant('use' as const), fact: fc.nat(5)}),
  fc.record({op: fc.constant('prune' as const)}),
)

describe('learned facts over time', () => {
  it('keep exactly the facts, and the strengths, that decay and reinforcement by use predict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, {maxLength: 40}), async (steps) => {
        const {db, settings, advance} = memory()
        const model = new Model()
        model.now = settings.now!()
        const ids = new Map<string, number>()
        for (const next of steps) {
          if (next.op === 'wait') {
            advance(next.days)
            model.now = settings.now!()
          } else if (next.op === 'learn') {
            const text = `fact number ${next.fact}`
            ids.set(text, (await learnFact(db, note(text), settings)).fact.id)
            model.use(text)
            model.prune()
          } else if (next.op === 'use') {
            const text = `fact number ${next.fact}`
            const id = ids.get(text)
            if (id === undefined) continue
            markUsed(db, [id], settings)
            if (model.facts.has(text)) model.use(text)
          } else {
            pruneWeakFacts(db, settings)
            model.prune()
          }
          const stored = listFacts(db, {limit: 100}, settings)
          expect(stored.map((fact) => fact.text).sort()).toEqual([...model.facts.keys()].sort())
          for (const fact of stored) expect(fact.strength).toBeCloseTo(model.strength(fact.text), 9)
        }
        db.close()
      }),
      {numRuns: 60},
    )
  })

  it('prunes a fact used once when, and only when, its lifetime is over', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({min: 0, max: 4 * LIFETIME_DAYS, noNaN: true}), async (days) => {
        fc.pre(Math.abs(days - LIFETIME_DAYS) > 1e-6)
        const {db, settings, advance} = memory()
        await learnFact(db, note('the tests need a running postgres'), settings)
        advance(days)
        expect(pruneWeakFacts(db, settings)).toEqual(days > LIFETIME_DAYS ? {pruned: 1, remaining: 0} : {pruned: 0, remaining: 1})
        db.close()
      }),
      {numRuns: 40},
    )
  })

  it('never prunes a fact that is used at least once per lifetime, however long it lives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({min: 0, max: LIFETIME_DAYS * 0.999, noNaN: true}), {minLength: 1, maxLength: 60}), async (gaps) => {
        const {db, settings, advance} = memory()
        const {fact} = await learnFact(db, note('generated files live in dist/'), settings)
        for (const gap of gaps) {
          advance(gap)
          expect(pruneWeakFacts(db, settings).pruned).toBe(0)
          markUsed(db, [fact.id], settings)
        }
        expect(listFacts(db, {limit: 10}, settings)).toHaveLength(1)
        db.close()
      }),
      {numRuns: 40},
    )
  })

  it('halves a strength every half-life and adds 1 for each use', async () => {
    const {db, settings, advance} = memory()
    const {fact} = await learnFact(db, note('npm test takes four minutes', 'duration'), settings)
    expect(fact.strength).toBe(1)
    advance(HALF_LIFE_DAYS)
    expect(listFacts(db, {limit: 1}, settings)[0]!.strength).toBeCloseTo(0.5, 12)
    markUsed(db, [fact.id], settings)
    const used = listFacts(db, {limit: 1}, settings)[0]!
    expect(used.strength).toBeCloseTo(1.5, 12)
    expect(used.uses).toBe(2)
    expect(used.lastUsedAt).toBe(new Date(settings.now!()).toISOString())
    advance(2 * HALF_LIFE_DAYS)
    expect(listFacts(db, {limit: 1}, settings)[0]!.strength).toBeCloseTo(0.375, 12)
  })

  it('does not let a use dated before the last one (a clock set back) raise or lower the strength by decay', async () => {
    const {db, settings, advance} = memory()
    const {fact} = await learnFact(db, note('the linter is ruff'), settings)
    advance(-5)
    expect(listFacts(db, {limit: 1}, settings)[0]!.strength).toBe(1)
    markUsed(db, [fact.id], settings)
    expect(listFacts(db, {limit: 1}, settings)[0]).toMatchObject({strength: 2, lastUsedAt: fact.lastUsedAt})
  })
})

describe('learning a fact', () => {
  it('merges an exact repeat (surrounding spaces aside) into the fact already stored, reinforcing it', async () => {
    const {db, settings, advance} = memory()
    const first = await learnFact(db, note('Run the tests with `npm run test:unit`.', 'test-command'), settings)
    advance(HALF_LIFE_DAYS)
    const again = await learnFact(db, {...note('  Run the tests with `npm run test:unit`.\n', 'test-command'), source: 'agent'}, settings)
    expect(first.merged).toBe(false)
    expect(again).toMatchObject({merged: true, fact: {id: first.fact.id, uses: 2, source: 'user'}})
    expect(again.fact.strength).toBeCloseTo(1.5, 12)
    const otherKind = await learnFact(db, note('Run the tests with `npm run test:unit`.'), settings)
    expect(otherKind.merged).toBe(false)
    const differentCase = await learnFact(db, note('run the tests with `npm run test:unit`.', 'test-command'), settings)
    expect(differentCase.merged).toBe(false)
    expect(listFacts(db, {limit: 10}, settings)).toHaveLength(3)
  })

  it('masks a secret before the text is stored, and merges on the masked text', async () => {
    const {db, settings} = memory()
    const token = checksummedToken()
    const learnt = await learnFact(db, note(`deploys use the token ${token}`), settings)
    expect(learnt.masked).toBe(true)
    expect(learnt.fact.text).toBe('deploys use the token [REDACTED:github-pat]')
    const raw = db.prepare('SELECT text FROM facts').all() as {text: string}[]
    expect(JSON.stringify(raw)).not.toContain(token)
    const again = await learnFact(db, note(`deploys use the token ${checksummedToken()}`), settings)
    expect(again).toMatchObject({merged: true, masked: true})
  })

  it('refuses empty and overlong text with E_MEMORY_INVALID, storing nothing', async () => {
    const {db, settings} = memory()
    await expect(learnFact(db, note('  \n'), settings)).rejects.toMatchObject({code: 'E_MEMORY_INVALID'})
    await expect(learnFact(db, note('x'.repeat(2001)), settings)).rejects.toMatchObject({code: 'E_MEMORY_INVALID', message: expect.stringContaining('2000')})
    expect(listFacts(db, {limit: 10}, settings)).toEqual([])
  })

  it('prunes faded facts when a new one is learnt, and counts what is weak', async () => {
    const {db, settings, advance} = memory()
    await learnFact(db, note('old and unused'), settings)
    advance(LIFETIME_DAYS * 0.9)
    await learnFact(db, note('recent'), settings)
    advance(LIFETIME_DAYS * 0.2)
    expect(memoryStats(db, settings)).toMatchObject({facts: 2, weak: 1, byKind: {note: 2}, bySource: {user: 2}})
    await learnFact(db, note('newest'), settings)
    expect(listFacts(db, {limit: 10}, settings).map((fact) => fact.text)).toEqual(['newest', 'recent'])
  })

  it('forgets a fact by id, and says when there is none', async () => {
    const {db, settings} = memory()
    const {fact} = await learnFact(db, note('dist/ is generated'), settings)
    expect(forgetFact(db, fact.id, settings)?.text).toBe('dist/ is generated')
    expect(forgetFact(db, fact.id, settings)).toBeUndefined()
    expect(memoryStats(db, settings)).toMatchObject({facts: 0, weak: 0, oldest: null, meanStrength: 0})
  })

  // Found by the property above (learn, wait a lifetime, prune, learn another, use the first):
  // SQLite gives a new row the id of the last one deleted unless told never to reuse ids.
  it('never gives a new fact the id of one forgotten or pruned, so a stale id touches nothing', async () => {
    const {db, settings, advance} = memory()
    await learnFact(db, note('the old one'), settings)
    const {fact: last} = await learnFact(db, note('the one to go'), settings)
    expect(forgetFact(db, last.id, settings)?.text).toBe('the one to go')
    const {fact: next} = await learnFact(db, note('a new one'), settings)
    expect(next.id).not.toBe(last.id)
    advance(2 * LIFETIME_DAYS)
    expect(pruneWeakFacts(db, settings)).toEqual({pruned: 2, remaining: 0})
    const {fact: after} = await learnFact(db, note('after the prune'), settings)
    expect(after.id).toBeGreaterThan(next.id)
    markUsed(db, [last.id, next.id], settings)
    expect(forgetFact(db, next.id, settings)).toBeUndefined()
    expect(listFacts(db, {limit: 10}, settings)).toMatchObject([{id: after.id, text: 'after the prune', uses: 1}])
  })

  it('keeps the ids, the strengths and the search of facts stored before ids were never reused', async () => {
    const path = join(tempDir(), 'state.db')
    const settings: MemorySettings = {halfLifeDays: HALF_LIFE_DAYS, pruneBelow: PRUNE_BELOW, redactAllow: [], now: () => Date.UTC(2025, 0, 1)}
    const before = openStateAt(path, MIGRATIONS.filter((migration) => migration.version <= 10))
    const {fact: postgres} = await learnFact(before, note('the tests need a running postgres'), settings)
    const {fact: gone} = await learnFact(before, note('the build writes dist'), settings)
    const {fact: last} = await learnFact(before, note('run make lint before committing'), settings)
    forgetFact(before, gone.id, settings)
    markUsed(before, [postgres.id], settings)
    const kept = listFacts(before, {limit: 10}, settings)
    before.close()

    const db = openStateAt(path)
    onTestFinished(() => db.close())
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION)
    expect(listFacts(db, {limit: 10}, settings)).toEqual(kept)
    expect(relevantFacts(db, 'postgres tests', {limit: 5}, settings).map((fact) => fact.id)).toEqual([postgres.id])
    forgetFact(db, last.id, settings)
    const {fact: next} = await learnFact(db, note('a fact after the migration'), settings)
    expect(next.id).toBeGreaterThan(last.id)
    expect(relevantFacts(db, 'migration', {limit: 5}, settings).map((fact) => fact.id)).toEqual([next.id])
  })
})
