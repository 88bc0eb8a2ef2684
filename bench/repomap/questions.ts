/**
 * Questions over the repository map bench's own corpora (zod's sources, Python's standard library),
 * for bench/map-quality.ts beside the retrieval bench's: each asked as a person would ask it and
 * naming the file(s) that answer it, repository-relative as the corpus lays them out (zod under
 * src/, the standard library under lib/). Written from the code before either map was run on them.
 */
import type {Question} from '../retrieval/questions.js'

export const ZOD_QUESTIONS: Question[] = [
  {question: 'turn a ZodError into a nested tree of error messages', answers: ['src/v4/core/errors.ts']},
  {question: 'convert a schema to JSON Schema', answers: ['src/v4/core/to-json-schema.ts', 'src/v4/core/json-schema-processors.ts']},
  {question: 'the regular expression an email address must match', answers: ['src/v4/core/regexes.ts']},
  {question: 'coerce the input to a number or a date before validating it', answers: ['src/v4/classic/coerce.ts']},
  {question: 'attach metadata such as a description to a schema in a registry', answers: ['src/v4/core/registries.ts']},
  {question: 'error messages translated into German', answers: ['src/v4/locales/de.ts']},
  {question: 'check that a string or an array has a minimum length', answers: ['src/v4/core/checks.ts']},
  {question: 'parse without throwing and get either the data or the error', answers: ['src/v4/core/parse.ts']},
  {question: 'pick the branch of a union by the value of a discriminator key', answers: ['src/v4/core/schemas.ts']},
  {question: 'make every property of an object and of its nested objects optional', answers: ['src/v4/classic/deep-partial.ts']},
  {question: 'the Standard Schema interface that other validation libraries accept', answers: ['src/v4/core/standard-schema.ts']},
  {question: 'validate ISO 8601 date and time strings', answers: ['src/v4/classic/iso.ts']},
]

export const STDLIB_QUESTIONS: Question[] = [
  {question: 'split a URL into its scheme, host, path and query string', answers: ['lib/urllib/parse.py']},
  {question: 'show the differences between two lists of lines as a unified diff', answers: ['lib/difflib.py']},
  {question: 'encode bytes as base64 text and decode it back', answers: ['lib/base64.py']},
  {question: 'run callables on a pool of worker threads and get futures for their results', answers: ['lib/concurrent/futures/thread.py']},
  {question: 'parse command line options and print a usage message', answers: ['lib/argparse.py']},
  {question: 'copy a directory tree recursively with its permissions', answers: ['lib/shutil.py']},
  {question: 'keep a priority queue as a binary heap in a list', answers: ['lib/heapq.py']},
  {question: 'serialize Python objects to a byte stream and load them back', answers: ['lib/pickle.py']},
  {question: 'send an email through an SMTP server with login and TLS', answers: ['lib/smtplib.py']},
  {question: 'read the status line and headers of an HTTP response', answers: ['lib/http/client.py']},
  {question: 'match file names against shell wildcard patterns', answers: ['lib/fnmatch.py']},
  {question: 'wrap a long paragraph of text to a given width', answers: ['lib/textwrap.py']},
  {question: 'rotate log files when they grow past a size', answers: ['lib/logging/handlers.py']},
  {question: 'decode a JSON document into Python dicts and lists', answers: ['lib/json/decoder.py']},
  {question: 'check whether an IP address belongs to a network', answers: ['lib/ipaddress.py']},
]
