/** Python tasks: a module, and test scripts of plain asserts run with `python3`. */
import type {BenchTask} from '../task.js'

/** A test script: each case is `(expression, expected)`, every failure printed, exit 1 if any. */
function testScript(imports: string, cases: [string, string][]): string {
  return [
    'import sys',
    imports,
    'failed = 0',
    'def check(name, run, expected):',
    '    global failed',
    '    try:',
    '        actual = run()',
    '    except Exception as error:',
    "        actual = f'raised {error!r}'",
    '    if actual != expected:',
    '        failed += 1',
    "        print(f'{name}: expected {expected!r}, got {actual!r}', file=sys.stderr)",
    ...cases.map(([expression, expected]) => `check(${JSON.stringify(expression)}, lambda: ${expression}, ${expected})`),
    'sys.exit(1 if failed else 0)',
    '',
  ].join('\n')
}

export const pythonTasks: BenchTask[] = [
  {
    id: 'py-median-missing-case',
    language: 'python',
    kind: 'missing-case',
    task: 'median() in stats.py is wrong for lists of even length: it must average the two middle values',
    files: {
      'stats.py': 'def median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n',
      'test_app.py': testScript('from stats import median', [['median([1, 2, 3, 4])', '2.5'], ['median([3, 1, 2])', '2']]),
    },
    fix: [
      {
        path: 'stats.py',
        search: '    return ordered[len(ordered) // 2]\n',
        replace: '    middle = len(ordered) // 2\n    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n    return ordered[middle]\n',
      },
    ],
    hidden: {'hidden_test.py': testScript('from stats import median', [['median([10, 20])', '15'], ['median([5, 1, 9, 7])', '6'], ['median([4])', '4']])},
  },
  {
    id: 'py-leap-year-missing-case',
    language: 'python',
    kind: 'missing-case',
    task: 'is_leap(1900) in calendar_utils.py says True; centuries are leap years only when divisible by 400',
    files: {
      'calendar_utils.py': 'def is_leap(year):\n    return year % 4 == 0\n',
      'test_app.py': testScript('from calendar_utils import is_leap', [['is_leap(1900)', 'False'], ['is_leap(2024)', 'True']]),
    },
    fix: [{path: 'calendar_utils.py', search: '    return year % 4 == 0\n', replace: '    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n'}],
    hidden: {'hidden_test.py': testScript('from calendar_utils import is_leap', [['is_leap(2000)', 'True'], ['is_leap(2100)', 'False'], ['is_leap(2023)', 'False']])},
  },
  {
    id: 'py-chunks-off-by-one',
    language: 'python',
    kind: 'off-by-one',
    task: 'chunks(items, size) in chunking.py drops the last chunk',
    files: {
      'chunking.py': 'def chunks(items, size):\n    return [items[i:i + size] for i in range(0, len(items) - 1, size)]\n',
      'test_app.py': testScript('from chunking import chunks', [['chunks([1, 2, 3, 4, 5], 2)', '[[1, 2], [3, 4], [5]]']]),
    },
    fix: [{path: 'chunking.py', search: 'range(0, len(items) - 1, size)', replace: 'range(0, len(items), size)'}],
    hidden: {'hidden_test.py': testScript('from chunking import chunks', [['chunks([1, 2, 3], 1)', '[[1], [2], [3]]'], ['chunks([], 3)', '[]'], ['chunks([1, 2, 3], 3)', '[[1, 2, 3]]']])},
  },
  {
    id: 'py-merge-wrong-api',
    language: 'python',
    kind: 'wrong-api',
    task: 'merged(defaults, overrides) in settings.py returns None; it must return a new dict and leave both arguments unchanged',
    files: {
      'settings.py': 'def merged(defaults, overrides):\n    return defaults.update(overrides)\n',
      'test_app.py': testScript('from settings import merged', [["merged({'a': 1}, {'b': 2})", "{'a': 1, 'b': 2}"]]),
    },
    fix: [{path: 'settings.py', search: '    return defaults.update(overrides)\n', replace: '    return {**defaults, **overrides}\n'}],
    hidden: {
      'hidden_test.py': testScript("from settings import merged\nbase = {'a': 1}", [["merged(base, {'a': 2})", "{'a': 2}"], ['base', "{'a': 1}"], ['merged({}, {})', '{}']]),
    },
  },
  {
    id: 'py-fahrenheit-wrong-operator',
    language: 'python',
    kind: 'wrong-operator',
    task: 'to_celsius in temperature.py gives wrong results; 212 F is 100 C',
    files: {
      'temperature.py': 'def to_celsius(fahrenheit):\n    return (fahrenheit + 32) * 5 / 9\n',
      'test_app.py': testScript('from temperature import to_celsius', [['to_celsius(212)', '100']]),
    },
    fix: [{path: 'temperature.py', search: '(fahrenheit + 32)', replace: '(fahrenheit - 32)'}],
    hidden: {'hidden_test.py': testScript('from temperature import to_celsius', [['to_celsius(32)', '0'], ['to_celsius(-40)', '-40']])},
  },
  {
    id: 'py-rename-across-files',
    language: 'python',
    kind: 'rename',
    task: 'Rename calc_tax to compute_tax in tax.py and everywhere it is used',
    files: {
      'tax.py': 'RATE = 0.2\n\n\ndef calc_tax(amount):\n    return round(amount * RATE, 2)\n',
      'invoice.py': 'from tax import calc_tax\n\n\ndef invoice_total(amount):\n    return round(amount + calc_tax(amount), 2)\n',
      'test_app.py': testScript('from tax import compute_tax\nfrom invoice import invoice_total', [['compute_tax(100)', '20.0'], ['invoice_total(10)', '12.0']]),
    },
    fix: [
      {path: 'tax.py', search: 'def calc_tax(amount):', replace: 'def compute_tax(amount):'},
      {path: 'invoice.py', search: 'from tax import calc_tax', replace: 'from tax import compute_tax'},
      {path: 'invoice.py', search: 'amount + calc_tax(amount)', replace: 'amount + compute_tax(amount)'},
    ],
    hidden: {'hidden_test.py': testScript('import tax\nfrom invoice import invoice_total', [["hasattr(tax, 'calc_tax')", 'False'], ['tax.compute_tax(5)', '1.0'], ['invoice_total(0)', '0']])},
  },
  {
    id: 'py-roman-new-function',
    language: 'python',
    kind: 'new-function',
    task: 'Implement to_roman in roman.py as its docstring says',
    files: {
      'roman.py': 'def to_roman(number):\n    """Roman numeral of 1 <= number <= 3999, subtractive form: 4 is IV, 9 is IX, 40 is XL, 1994 is MCMXCIV."""\n    raise NotImplementedError\n',
      'test_app.py': testScript('from roman import to_roman', [['to_roman(1994)', "'MCMXCIV'"]]),
    },
    fix: [
      {
        path: 'roman.py',
        search: '    raise NotImplementedError\n',
        replace:
          "    numerals = [(1000, 'M'), (900, 'CM'), (500, 'D'), (400, 'CD'), (100, 'C'), (90, 'XC'), (50, 'L'), (40, 'XL'), (10, 'X'), (9, 'IX'), (5, 'V'), (4, 'IV'), (1, 'I')]\n    out = ''\n    for value, letters in numerals:\n        while number >= value:\n            out += letters\n            number -= value\n    return out\n",
      },
    ],
    hidden: {'hidden_test.py': testScript('from roman import to_roman', [['to_roman(4)', "'IV'"], ['to_roman(3999)', "'MMMCMXCIX'"], ['to_roman(58)', "'LVIII'"]])},
  },
  {
    id: 'py-strip-prefix-wrong-api',
    language: 'python',
    kind: 'wrong-api',
    task: "without_prefix('abcabc_x', 'abc') in text.py gives '_x'; it must remove the prefix once",
    files: {
      'text.py': 'def without_prefix(text, prefix):\n    return text.lstrip(prefix)\n',
      'test_app.py': testScript('from text import without_prefix', [["without_prefix('abcabc_x', 'abc')", "'abc_x'"]]),
    },
    fix: [{path: 'text.py', search: 'text.lstrip(prefix)', replace: 'text.removeprefix(prefix)'}],
    hidden: {'hidden_test.py': testScript('from text import without_prefix', [["without_prefix('aab', 'a')", "'ab'"], ["without_prefix('apple', 'x')", "'apple'"]])},
  },
  {
    id: 'py-vowels-missing-case',
    language: 'python',
    kind: 'missing-case',
    task: "count_vowels('AEIOU') in vowels.py is 0; capital vowels count too",
    files: {
      'vowels.py': "def count_vowels(text):\n    return sum(1 for char in text if char in 'aeiou')\n",
      'test_app.py': testScript('from vowels import count_vowels', [["count_vowels('AEIOU')", '5']]),
    },
    fix: [{path: 'vowels.py', search: 'for char in text if', replace: 'for char in text.lower() if'}],
    hidden: {'hidden_test.py': testScript('from vowels import count_vowels', [["count_vowels('ApplE')", '2'], ["count_vowels('xyz')", '0']])},
  },
  {
    id: 'py-binary-search-off-by-one',
    language: 'python',
    kind: 'off-by-one',
    task: 'find(values, target) in search.py crashes with IndexError when the target is larger than every value',
    files: {
      'search.py':
        'def find(values, target):\n    """Index of target in the sorted list values, or -1."""\n    low, high = 0, len(values)\n    while low <= high:\n        middle = (low + high) // 2\n        if values[middle] == target:\n            return middle\n        if values[middle] < target:\n            low = middle + 1\n        else:\n            high = middle - 1\n    return -1\n',
      'test_app.py': testScript('from search import find', [['find([1, 3, 5], 9)', '-1'], ['find([1, 3, 5], 3)', '1']]),
    },
    fix: [{path: 'search.py', search: 'low, high = 0, len(values)\n', replace: 'low, high = 0, len(values) - 1\n'}],
    hidden: {'hidden_test.py': testScript('from search import find', [['find([], 1)', '-1'], ['find([2, 4, 6, 8], 8)', '3'], ['find([2, 4, 6, 8], 2)', '0']])},
  },
]
