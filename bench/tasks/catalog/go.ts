/** Go tasks: one package `task` in a module of its own; tests are `go test` table tests. */
import type {BenchTask} from '../task.js'

const GO_MOD = 'module example.com/task\n\ngo 1.21\n'

/** A test file: each case is `[expression, expected]` compared with reflect.DeepEqual. */
function testFile(name: string, cases: [string, string][]): string {
  return [
    'package task',
    '',
    'import (',
    '\t"reflect"',
    '\t"testing"',
    ')',
    '',
    `func ${name}(t *testing.T) {`,
    ...cases.flatMap(([expression, expected]) => [
      `\tif got, want := ${expression}, ${expected}; !reflect.DeepEqual(got, want) {`,
      `\t\tt.Errorf("%s: got %v, want %v", ${JSON.stringify(expression)}, got, want)`,
      '\t}',
    ]),
    '}',
    '',
  ].join('\n')
}

export const goTasks: BenchTask[] = [
  {
    id: 'go-reverse-off-by-one',
    language: 'go',
    kind: 'off-by-one',
    task: 'Reverse in reverse.go leaves the first element out',
    files: {
      'go.mod': GO_MOD,
      'reverse.go': 'package task\n\n// Reverse returns a new slice with the items in reverse order.\nfunc Reverse(items []int) []int {\n\tout := []int{}\n\tfor i := len(items) - 1; i > 0; i-- {\n\t\tout = append(out, items[i])\n\t}\n\treturn out\n}\n',
      'reverse_test.go': testFile('TestReverse', [['Reverse([]int{1, 2, 3})', '[]int{3, 2, 1}']]),
    },
    fix: [{path: 'reverse.go', search: 'i > 0; i--', replace: 'i >= 0; i--'}],
    hidden: {'hidden_test.go': testFile('TestHiddenReverse', [['Reverse([]int{7})', '[]int{7}'], ['Reverse([]int{})', '[]int{}']])},
  },
  {
    id: 'go-max-wrong-operator',
    language: 'go',
    kind: 'wrong-operator',
    task: 'Max in max.go returns the smallest value instead of the largest',
    files: {
      'go.mod': GO_MOD,
      'max.go': 'package task\n\n// Max returns the largest of values, which is not empty.\nfunc Max(values []int) int {\n\tbest := values[0]\n\tfor _, v := range values[1:] {\n\t\tif v < best {\n\t\t\tbest = v\n\t\t}\n\t}\n\treturn best\n}\n',
      'max_test.go': testFile('TestMax', [['Max([]int{3, 9, 4})', '9']]),
    },
    fix: [{path: 'max.go', search: 'if v < best {', replace: 'if v > best {'}],
    hidden: {'hidden_test.go': testFile('TestHiddenMax', [['Max([]int{-5, -2, -9})', '-2'], ['Max([]int{1})', '1']])},
  },
  {
    id: 'go-grade-missing-case',
    language: 'go',
    kind: 'missing-case',
    task: 'Grade in grade.go returns "F" for 95; scores of 90 and above are an "A"',
    files: {
      'go.mod': GO_MOD,
      'grade.go': 'package task\n\n// Grade turns a score from 0 to 100 into a letter.\nfunc Grade(score int) string {\n\tswitch {\n\tcase score >= 80:\n\t\treturn "B"\n\tcase score >= 70:\n\t\treturn "C"\n\t}\n\treturn "F"\n}\n',
      'grade_test.go': testFile('TestGrade', [['Grade(95)', '"A"'], ['Grade(85)', '"B"']]),
    },
    fix: [{path: 'grade.go', search: '\tswitch {\n', replace: '\tswitch {\n\tcase score >= 90:\n\t\treturn "A"\n'}],
    hidden: {'hidden_test.go': testFile('TestHiddenGrade', [['Grade(90)', '"A"'], ['Grade(100)', '"A"'], ['Grade(10)', '"F"']])},
  },
  {
    id: 'go-words-wrong-api',
    language: 'go',
    kind: 'wrong-api',
    task: 'Words in words.go returns empty strings when words are separated by several spaces; it must return only the words',
    files: {
      'go.mod': GO_MOD,
      'words.go': 'package task\n\nimport "strings"\n\n// Words splits text into its words.\nfunc Words(text string) []string {\n\treturn strings.Split(text, " ")\n}\n',
      'words_test.go': testFile('TestWords', [['Words("a  b")', '[]string{"a", "b"}']]),
    },
    fix: [{path: 'words.go', search: 'strings.Split(text, " ")', replace: 'strings.Fields(text)'}],
    hidden: {'hidden_test.go': testFile('TestHiddenWords', [['Words(" go\\tis  fun ")', '[]string{"go", "is", "fun"}'], ['len(Words(""))', '0']])},
  },
  {
    id: 'go-rename-across-files',
    language: 'go',
    kind: 'rename',
    task: 'Rename Avg to Mean everywhere in the package (avg.go and report.go)',
    files: {
      'go.mod': GO_MOD,
      'avg.go': 'package task\n\n// Avg is the arithmetic mean of values; 0 for none.\nfunc Avg(values []float64) float64 {\n\tif len(values) == 0 {\n\t\treturn 0\n\t}\n\tsum := 0.0\n\tfor _, v := range values {\n\t\tsum += v\n\t}\n\treturn sum / float64(len(values))\n}\n',
      'report.go': 'package task\n\nimport "fmt"\n\n// Report describes the mean of values.\nfunc Report(values []float64) string {\n\treturn fmt.Sprintf("mean %.1f", Avg(values))\n}\n',
      'avg_test.go': testFile('TestMean', [['Mean([]float64{1, 2, 3})', '2.0'], ['Report([]float64{1, 2})', '"mean 1.5"']]),
    },
    fix: [
      {path: 'avg.go', search: '// Avg is the arithmetic mean of values; 0 for none.\nfunc Avg(', replace: '// Mean is the arithmetic mean of values; 0 for none.\nfunc Mean('},
      {path: 'report.go', search: 'Avg(values)', replace: 'Mean(values)'},
    ],
    hidden: {'hidden_test.go': testFile('TestHiddenMean', [['Mean(nil)', '0.0'], ['Report([]float64{4})', '"mean 4.0"']])},
  },
  {
    id: 'go-palindrome-new-function',
    language: 'go',
    kind: 'new-function',
    task: 'Implement IsPalindrome in palindrome.go as its comment says',
    files: {
      'go.mod': GO_MOD,
      'palindrome.go': 'package task\n\n// IsPalindrome reports whether s reads the same backwards, ignoring case and every\n// character that is not a letter or a digit: "A man, a plan, a canal: Panama" is one.\nfunc IsPalindrome(s string) bool {\n\tpanic("not implemented")\n}\n',
      'palindrome_test.go': testFile('TestIsPalindrome', [['IsPalindrome("A man, a plan, a canal: Panama")', 'true']]),
    },
    fix: [
      {
        path: 'palindrome.go',
        content:
          'package task\n\nimport (\n\t"unicode"\n)\n\n// IsPalindrome reports whether s reads the same backwards, ignoring case and every\n// character that is not a letter or a digit: "A man, a plan, a canal: Panama" is one.\nfunc IsPalindrome(s string) bool {\n\tkept := []rune{}\n\tfor _, r := range s {\n\t\tif unicode.IsLetter(r) || unicode.IsDigit(r) {\n\t\t\tkept = append(kept, unicode.ToLower(r))\n\t\t}\n\t}\n\tfor i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {\n\t\tif kept[i] != kept[j] {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}\n',
      },
    ],
    hidden: {'hidden_test.go': testFile('TestHiddenIsPalindrome', [['IsPalindrome("race a car")', 'false'], ['IsPalindrome("")', 'true'], ['IsPalindrome("No lemon, no melon")', 'true']])},
  },
  {
    id: 'go-abs-missing-case',
    language: 'go',
    kind: 'missing-case',
    task: 'Distance in distance.go can be negative; a distance never is',
    files: {
      'go.mod': GO_MOD,
      'distance.go': 'package task\n\n// Distance is how far apart a and b are on a line.\nfunc Distance(a, b int) int {\n\treturn b - a\n}\n',
      'distance_test.go': testFile('TestDistance', [['Distance(5, 2)', '3']]),
    },
    fix: [{path: 'distance.go', search: '\treturn b - a\n', replace: '\tif a > b {\n\t\treturn a - b\n\t}\n\treturn b - a\n'}],
    hidden: {'hidden_test.go': testFile('TestHiddenDistance', [['Distance(-3, 3)', '6'], ['Distance(3, -3)', '6'], ['Distance(4, 4)', '0']])},
  },
  {
    id: 'go-contains-off-by-one',
    language: 'go',
    kind: 'off-by-one',
    task: 'Contains in contains.go never finds the last element',
    files: {
      'go.mod': GO_MOD,
      'contains.go': 'package task\n\n// Contains reports whether items holds target.\nfunc Contains(items []string, target string) bool {\n\tfor i := 0; i < len(items)-1; i++ {\n\t\tif items[i] == target {\n\t\t\treturn true\n\t\t}\n\t}\n\treturn false\n}\n',
      'contains_test.go': testFile('TestContains', [['Contains([]string{"a", "b"}, "b")', 'true']]),
    },
    fix: [{path: 'contains.go', search: 'i < len(items)-1', replace: 'i < len(items)'}],
    hidden: {'hidden_test.go': testFile('TestHiddenContains', [['Contains([]string{"x"}, "x")', 'true'], ['Contains(nil, "x")', 'false'], ['Contains([]string{"a", "b"}, "c")', 'false']])},
  },
  {
    id: 'go-join-wrong-api',
    language: 'go',
    kind: 'wrong-api',
    task: 'CSVLine in csv.go leaves a trailing comma; fields must be joined with commas between them only',
    files: {
      'go.mod': GO_MOD,
      'csv.go': 'package task\n\n// CSVLine joins fields with commas.\nfunc CSVLine(fields []string) string {\n\tline := ""\n\tfor _, field := range fields {\n\t\tline += field + ","\n\t}\n\treturn line\n}\n',
      'csv_test.go': testFile('TestCSVLine', [['CSVLine([]string{"a", "b"})', '"a,b"']]),
    },
    fix: [
      {
        path: 'csv.go',
        content: 'package task\n\nimport "strings"\n\n// CSVLine joins fields with commas.\nfunc CSVLine(fields []string) string {\n\treturn strings.Join(fields, ",")\n}\n',
      },
    ],
    hidden: {'hidden_test.go': testFile('TestHiddenCSVLine', [['CSVLine(nil)', '""'], ['CSVLine([]string{"one"})', '"one"']])},
  },
  {
    id: 'go-fib-off-by-one',
    language: 'go',
    kind: 'off-by-one',
    task: 'Fib in fib.go is off by one: Fib(0) is 0, Fib(1) is 1, Fib(10) is 55',
    files: {
      'go.mod': GO_MOD,
      'fib.go': 'package task\n\n// Fib is the n-th Fibonacci number, Fib(0) = 0.\nfunc Fib(n int) int {\n\ta, b := 0, 1\n\tfor i := 0; i <= n; i++ {\n\t\ta, b = b, a+b\n\t}\n\treturn a\n}\n',
      'fib_test.go': testFile('TestFib', [['Fib(10)', '55']]),
    },
    fix: [{path: 'fib.go', search: 'i <= n; i++', replace: 'i < n; i++'}],
    hidden: {'hidden_test.go': testFile('TestHiddenFib', [['Fib(0)', '0'], ['Fib(1)', '1'], ['Fib(2)', '1']])},
  },
]
