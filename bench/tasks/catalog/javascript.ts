/** JavaScript tasks: ES modules, tests are plain `node` scripts that exit non-zero on failure. */
import type {BenchTask} from '../task.js'

const PKG = '{"type": "module"}\n'

/** A test script: each case is `[expression, expected]`, compared as JSON. */
function testScript(imports: string, cases: [string, string][]): string {
  const checks = cases.map(
    ([expression, expected]) =>
      `check(${JSON.stringify(expression)}, () => ${expression}, ${expected})`,
  )
  return [
    imports,
    'let failed = 0',
    'function check(name, run, expected) {',
    '  let actual',
    '  try { actual = run() } catch (error) { actual = `threw ${error.message}` }',
    '  if (JSON.stringify(actual) !== JSON.stringify(expected)) { failed++; console.error(`${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`) }',
    '}',
    ...checks,
    "if (failed) process.exit(1)",
    "console.log('ok')",
    '',
  ].join('\n')
}

export const javascriptTasks: BenchTask[] = [
  {
    id: 'js-range-off-by-one',
    language: 'javascript',
    kind: 'off-by-one',
    task: 'Fix the off-by-one in src/range.js: range(start, end) must not include end',
    files: {
      'package.json': PKG,
      'src/range.js': 'export function range(start, end) {\n  const out = []\n  for (let i = start; i <= end; i++) out.push(i)\n  return out\n}\n',
      'test.js': testScript("import {range} from './src/range.js'", [['range(0, 3)', '[0, 1, 2]']]),
    },
    fix: [{path: 'src/range.js', search: 'i <= end', replace: 'i < end'}],
    hidden: {'hidden.test.js': testScript("import {range} from './src/range.js'", [['range(2, 5)', '[2, 3, 4]'], ['range(1, 1)', '[]']])},
  },
  {
    id: 'js-total-wrong-operator',
    language: 'javascript',
    kind: 'wrong-operator',
    task: 'cartTotal in src/cart.js returns a negative total; it should add up price times quantity',
    files: {
      'package.json': PKG,
      'src/cart.js': 'export function cartTotal(items) {\n  let total = 0\n  for (const item of items) total -= item.price * item.quantity\n  return total\n}\n',
      'test.js': testScript("import {cartTotal} from './src/cart.js'", [['cartTotal([{price: 2, quantity: 3}])', '6']]),
    },
    fix: [{path: 'src/cart.js', search: 'total -= item.price', replace: 'total += item.price'}],
    hidden: {'hidden.test.js': testScript("import {cartTotal} from './src/cart.js'", [['cartTotal([{price: 2, quantity: 3}, {price: 5, quantity: 1}])', '11'], ['cartTotal([])', '0']])},
  },
  {
    id: 'js-fizzbuzz-missing-case',
    language: 'javascript',
    kind: 'missing-case',
    task: 'fizzbuzz(15) should be "FizzBuzz" but src/fizzbuzz.js returns "Fizz"',
    files: {
      'package.json': PKG,
      'src/fizzbuzz.js': "export function fizzbuzz(n) {\n  if (n % 3 === 0) return 'Fizz'\n  if (n % 5 === 0) return 'Buzz'\n  return String(n)\n}\n",
      'test.js': testScript("import {fizzbuzz} from './src/fizzbuzz.js'", [['fizzbuzz(15)', '"FizzBuzz"'], ['fizzbuzz(3)', '"Fizz"']]),
    },
    fix: [{path: 'src/fizzbuzz.js', search: "  if (n % 3 === 0) return 'Fizz'", replace: "  if (n % 15 === 0) return 'FizzBuzz'\n  if (n % 3 === 0) return 'Fizz'"}],
    hidden: {'hidden.test.js': testScript("import {fizzbuzz} from './src/fizzbuzz.js'", [['fizzbuzz(30)', '"FizzBuzz"'], ['fizzbuzz(10)', '"Buzz"'], ['fizzbuzz(7)', '"7"']])},
  },
  {
    id: 'js-sort-numbers-wrong-api',
    language: 'javascript',
    kind: 'wrong-api',
    task: 'sortScores in src/scores.js sorts 10 before 9; scores must sort numerically, highest first',
    files: {
      'package.json': PKG,
      'src/scores.js': 'export function sortScores(scores) {\n  return [...scores].sort().reverse()\n}\n',
      'test.js': testScript("import {sortScores} from './src/scores.js'", [['sortScores([9, 10, 1])', '[10, 9, 1]']]),
    },
    fix: [{path: 'src/scores.js', search: '[...scores].sort().reverse()', replace: '[...scores].sort((a, b) => b - a)'}],
    hidden: {'hidden.test.js': testScript("import {sortScores} from './src/scores.js'", [['sortScores([100, 25, 3, 250])', '[250, 100, 25, 3]'], ['sortScores([])', '[]']])},
  },
  {
    id: 'js-rename-across-files',
    language: 'javascript',
    kind: 'rename',
    task: 'Rename getUsr to getUser everywhere (src/users.js and src/greeting.js); the tests use the new name',
    files: {
      'package.json': PKG,
      'src/users.js': "const USERS = {1: 'ada', 2: 'grace'}\n\nexport function getUsr(id) {\n  return USERS[id] ?? null\n}\n",
      'src/greeting.js': "import {getUsr} from './users.js'\n\nexport function greeting(id) {\n  const name = getUsr(id)\n  return name ? `hello ${name}` : 'hello stranger'\n}\n",
      'test.js': testScript("import {getUser} from './src/users.js'\nimport {greeting} from './src/greeting.js'", [['getUser(1)', '"ada"'], ['greeting(2)', '"hello grace"']]),
    },
    fix: [
      {path: 'src/users.js', search: 'export function getUsr(id)', replace: 'export function getUser(id)'},
      {path: 'src/greeting.js', search: "import {getUsr} from './users.js'", replace: "import {getUser} from './users.js'"},
      {path: 'src/greeting.js', search: 'const name = getUsr(id)', replace: 'const name = getUser(id)'},
    ],
    hidden: {'hidden.test.js': testScript("import * as users from './src/users.js'\nimport {greeting} from './src/greeting.js'", [['typeof users.getUsr', '"undefined"'], ['users.getUser(3)', 'null'], ['greeting(3)', '"hello stranger"']])},
  },
  {
    id: 'js-slugify-new-function',
    language: 'javascript',
    kind: 'new-function',
    task: 'Implement slugify in src/slug.js as its comment describes',
    files: {
      'package.json': PKG,
      'src/slug.js': "/**\n * slugify('Hello, World!') === 'hello-world': lower case, every run of characters other than\n * a-z and 0-9 becomes one '-', and no '-' at either end.\n */\nexport function slugify(text) {\n  throw new Error('not implemented')\n}\n",
      'test.js': testScript("import {slugify} from './src/slug.js'", [["slugify('Hello, World!')", '"hello-world"']]),
    },
    fix: [{path: 'src/slug.js', search: "  throw new Error('not implemented')", replace: "  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')"}],
    hidden: {'hidden.test.js': testScript("import {slugify} from './src/slug.js'", [["slugify('  Ready -- Set   Go  ')", '"ready-set-go"'], ["slugify('ABC123')", '"abc123"'], ["slugify('!!!')", '""']])},
  },
  {
    id: 'js-clamp-wrong-operator',
    language: 'javascript',
    kind: 'wrong-operator',
    task: 'clamp(value, low, high) in src/clamp.js returns the wrong bound; fix it',
    files: {
      'package.json': PKG,
      'src/clamp.js': 'export function clamp(value, low, high) {\n  return Math.max(high, Math.min(low, value))\n}\n',
      'test.js': testScript("import {clamp} from './src/clamp.js'", [['clamp(5, 0, 10)', '5'], ['clamp(-1, 0, 10)', '0']]),
    },
    fix: [{path: 'src/clamp.js', search: 'Math.max(high, Math.min(low, value))', replace: 'Math.min(high, Math.max(low, value))'}],
    hidden: {'hidden.test.js': testScript("import {clamp} from './src/clamp.js'", [['clamp(11, 0, 10)', '10'], ['clamp(0, 0, 10)', '0'], ['clamp(7, 5, 6)', '6']])},
  },
  {
    id: 'js-parse-list-wrong-api',
    language: 'javascript',
    kind: 'wrong-api',
    task: 'parseList("1,2,3") in src/parse.js gives [1, NaN, NaN]; it must give [1, 2, 3]',
    files: {
      'package.json': PKG,
      'src/parse.js': "export function parseList(text) {\n  return text.split(',').map(parseInt)\n}\n",
      'test.js': testScript("import {parseList} from './src/parse.js'", [["parseList('1,2,3')", '[1, 2, 3]']]),
    },
    fix: [{path: 'src/parse.js', search: ".map(parseInt)", replace: ".map((part) => parseInt(part, 10))"}],
    hidden: {'hidden.test.js': testScript("import {parseList} from './src/parse.js'", [["parseList('10,20,30,40')", '[10, 20, 30, 40]'], ["parseList('7')", '[7]']])},
  },
  {
    id: 'js-last-n-off-by-one',
    language: 'javascript',
    kind: 'off-by-one',
    task: 'lastN(items, n) in src/last.js returns one item too many',
    files: {
      'package.json': PKG,
      'src/last.js': 'export function lastN(items, n) {\n  if (n <= 0) return []\n  return items.slice(-n - 1)\n}\n',
      'test.js': testScript("import {lastN} from './src/last.js'", [['lastN([1, 2, 3, 4], 2)', '[3, 4]']]),
    },
    fix: [{path: 'src/last.js', search: 'items.slice(-n - 1)', replace: 'items.slice(-n)'}],
    hidden: {'hidden.test.js': testScript("import {lastN} from './src/last.js'", [['lastN([1, 2, 3], 1)', '[3]'], ['lastN([1, 2], 5)', '[1, 2]'], ['lastN([1], 0)', '[]']])},
  },
  {
    id: 'js-same-list-missing-case',
    language: 'javascript',
    kind: 'missing-case',
    task: 'sameList in src/same.js says [1, 2] and [1, 2, 3] are the same; lists of different lengths differ',
    files: {
      'package.json': PKG,
      'src/same.js': 'export function sameList(a, b) {\n  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false\n  return true\n}\n',
      'test.js': testScript("import {sameList} from './src/same.js'", [['sameList([1, 2], [1, 2, 3])', 'false'], ['sameList([1, 2], [1, 2])', 'true']]),
    },
    fix: [{path: 'src/same.js', search: 'export function sameList(a, b) {\n', replace: 'export function sameList(a, b) {\n  if (a.length !== b.length) return false\n'}],
    hidden: {'hidden.test.js': testScript("import {sameList} from './src/same.js'", [['sameList([1], [1, 2])', 'false'], ['sameList([], [])', 'true'], ['sameList([1], [2])', 'false']])},
  },
]
