import {readFileSync} from 'node:fs'
import {join} from 'node:path'

/** The repository's test command: the configured one, else what its manifest declares. */
export function detectTestCommand(root: string): string | undefined {
  const read = (name: string) => {
    try {
      return readFileSync(join(root, name), 'utf8')
    } catch {
      return undefined
    }
  }
  const pkg = read('package.json')
  if (pkg) {
    try {
      if ((JSON.parse(pkg) as {scripts?: {test?: string}}).scripts?.test) return 'npm test'
    } catch {
      // A broken package.json declares nothing.
    }
  }
  if (read('Cargo.toml') !== undefined) return 'cargo test'
  if (read('go.mod') !== undefined) return 'go test ./...'
  if (read('pyproject.toml') !== undefined || read('pytest.ini') !== undefined || read('setup.cfg') !== undefined) return 'pytest'
  return undefined
}
