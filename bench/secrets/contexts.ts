/**
 * The files a planted secret is written into: the places secrets really turn up (source code,
 * config files, .env, JSON, YAML, shell scripts, notebooks), each with ordinary lines around the
 * secret so that it is neither the file's first line nor its last.
 */

export const CONTEXTS = ['javascript', 'typescript', 'python', 'go', 'rust', 'ini', 'toml', 'env', 'json', 'yaml', 'shell', 'notebook'] as const
export type ContextId = (typeof CONTEXTS)[number]

export interface Plant {
  /** The name a person gives the secret, in UPPER_SNAKE case: `STRIPE_SECRET_KEY`. */
  name: string
  value: string
  /** The value is recognisable without its name, so it may stand alone as a call's argument. */
  selfIdentifying: boolean
  /** Lines that carry the secret as they are (an .npmrc line, a curl command, a manifest), instead of `name = value`. */
  snippet?: string
  /** Picks between the ways a context can hold a secret (an assignment or a call's argument, an export or a curl header). */
  variant: number
}

export interface RenderedFile {
  fileName: string
  text: string
}

const words = (name: string) => name.toLowerCase().split('_').filter(Boolean)
const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)
const camelCase = (name: string) => words(name).map((word, index) => (index === 0 ? word : capitalise(word))).join('')
const pascalCase = (name: string) => words(name).map(capitalise).join('')
const snakeCase = (name: string) => words(name).join('_')
/** The client class a call would construct for this secret: `STRIPE_SECRET_KEY` → `StripeClient`. */
const clientClass = (name: string) => `${capitalise(words(name)[0] ?? 'api')}Client`
const headerName = (name: string) => `X-${words(name).map(capitalise).join('-')}`
const isMultiline = (value: string) => value.includes('\n')

/** A double-quoted string in most languages; a multi-line value needs each language's own long-string form. */
function codeString(value: string, multiline: (value: string) => string): string {
  return isMultiline(value) ? multiline(value) : `"${value}"`
}

function javascript(plant: Plant, typed: boolean): RenderedFile {
  const literal = codeString(plant.value, (value) => `\`${value}\``)
  const holder = plant.variant % 2 === 0
    ? `${typed ? 'export ' : ''}const ${camelCase(plant.name)}${typed ? ': string' : ''} = ${literal}`
    : `${typed ? 'export ' : ''}const client = new ${clientClass(plant.name)}(${plant.selfIdentifying ? literal : `{${camelCase(plant.name)}: ${literal}}`})`
  const lines = typed
    ? ["import {readFileSync} from 'node:fs'", '', 'const retries: number = 3', holder, '', 'export function loadSettings(path: string): unknown {', "  return JSON.parse(readFileSync(path, 'utf8'))", '}']
    : ["'use strict'", "const path = require('node:path')", '', 'const timeoutMs = 30_000', holder, '', 'module.exports = {timeoutMs, root: path.resolve(__dirname, "..")}']
  return {fileName: typed ? 'settings.ts' : 'config.js', text: `${lines.join('\n')}\n`}
}

function python(plant: Plant): RenderedFile {
  const literal = codeString(plant.value, (value) => `"""${value}"""`)
  const holder = plant.variant % 2 === 0
    ? `${plant.name} = ${literal}`
    : `client = ${clientClass(plant.name)}(${plant.selfIdentifying ? literal : `${snakeCase(plant.name)}=${literal}`})`
  const lines = ['"""Settings for the reporting job."""', 'import os', 'from pathlib import Path', '', 'BASE_DIR = Path(__file__).resolve().parent', 'DEBUG = os.environ.get("DEBUG") == "1"', holder, '', 'def data_dir():', '    return BASE_DIR / "data"']
  return {fileName: 'settings.py', text: `${lines.join('\n')}\n`}
}

function go(plant: Plant): RenderedFile {
  const literal = codeString(plant.value, (value) => `\`${value}\``)
  const holder = plant.variant % 2 === 0
    ? `\t${camelCase(plant.name)} := ${literal}`
    : `\tclient := api.New${clientClass(plant.name)}(${plant.selfIdentifying ? literal : `api.Options{${pascalCase(plant.name)}: ${literal}}`})`
  const use = plant.variant % 2 === 0 ? `\t_ = ${camelCase(plant.name)}` : '\t_ = client'
  const lines = ['package main', '', 'import (', '\t"fmt"', '\t"os"', '', '\t"example.com/app/api"', ')', '', 'func main() {', '\tport := os.Getenv("PORT")', holder, use, '\tfmt.Println("listening on", port)', '}']
  return {fileName: 'main.go', text: `${lines.join('\n')}\n`}
}

function rust(plant: Plant): RenderedFile {
  const literal = codeString(plant.value, (value) => `r#"${value}"#`)
  const holder = plant.variant % 2 === 0
    ? `    let ${snakeCase(plant.name)} = ${literal};`
    : `    let client = ${clientClass(plant.name)}::new(${plant.selfIdentifying ? literal : `Credentials { ${snakeCase(plant.name)}: ${literal}.into() }`});`
  const lines = ['use std::env;', '', 'use app::api::*;', '', 'fn main() {', '    let port = env::var("PORT").unwrap_or_else(|_| "8080".into());', holder, '    println!("listening on {port}");', '}']
  return {fileName: 'main.rs', text: `${lines.join('\n')}\n`}
}

/** An .ini file, or an .npmrc (the same syntax) when the secret comes as a registry line. */
function ini(plant: Plant): RenderedFile {
  if (plant.snippet) return {fileName: '.npmrc', text: `registry=https://registry.npmjs.org/\n${plant.snippet}\nfund=false\n`}
  const lines = ['; settings for the worker', '[server]', 'host = 0.0.0.0', 'port = 8080', '', '[service]', `${snakeCase(plant.name)} = ${plant.value}`, 'timeout = 30']
  return {fileName: 'app.ini', text: `${lines.join('\n')}\n`}
}

function toml(plant: Plant): RenderedFile {
  const literal = isMultiline(plant.value) ? `"""\n${plant.value}"""` : `"${plant.value}"`
  const lines = ['# settings for the worker', '[server]', 'host = "0.0.0.0"', 'port = 8080', '', '[service]', `${snakeCase(plant.name)} = ${literal}`, 'timeout = 30']
  return {fileName: 'config.toml', text: `${lines.join('\n')}\n`}
}

function env(plant: Plant): RenderedFile {
  const value = isMultiline(plant.value) ? `"${plant.value}"` : plant.value
  const lines = ['# local settings, not committed', 'NODE_ENV=production', 'PORT=8080', 'LOG_LEVEL=info', `${plant.name}=${value}`, 'FEATURE_FLAGS=search,export']
  return {fileName: '.env', text: `${lines.join('\n')}\n`}
}

function json(plant: Plant): RenderedFile {
  const document = {name: 'reporting-job', version: '1.4.2', server: {host: '0.0.0.0', port: 8080}, service: {[camelCase(plant.name)]: plant.value, timeout: 30}, features: ['search', 'export']}
  return {fileName: 'config.json', text: `${JSON.stringify(document, null, 2)}\n`}
}

/** A plain scalar when YAML would read it back unchanged, a double-quoted one otherwise. */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][\w.\/+=~:|@-]*$/.test(value) && !value.includes(': ') ? value : JSON.stringify(value)
}

function yaml(plant: Plant): RenderedFile {
  if (plant.snippet) return {fileName: 'secret.yaml', text: `# generated by the deploy pipeline\n${plant.snippet}\n`}
  const entry = isMultiline(plant.value)
    ? `  ${snakeCase(plant.name)}: |\n${plant.value.split('\n').map((line) => `    ${line}`).join('\n')}`
    : `  ${snakeCase(plant.name)}: ${yamlScalar(plant.value)}`
  const lines = ['# deployment settings', 'server:', '  host: 0.0.0.0', '  port: 8080', 'service:', entry, '  timeout: 30', 'features:', '  - search', '  - export']
  return {fileName: 'config.yaml', text: `${lines.join('\n')}\n`}
}

function shell(plant: Plant): RenderedFile {
  const body = plant.snippet
    ?? (plant.variant % 2 === 0 || isMultiline(plant.value)
      ? `export ${plant.name}="${plant.value}"`
      : plant.selfIdentifying
        ? `curl -sS -H "Authorization: Bearer ${plant.value}" https://api.example.com/v1/deployments`
        : `curl -sS -H "${headerName(plant.name)}: ${plant.value}" https://api.example.com/v1/deployments`)
  const lines = ['#!/usr/bin/env bash', 'set -euo pipefail', '', 'cd "$(dirname "$0")/.."', body, 'npm run build', 'echo "deployed"']
  return {fileName: 'deploy.sh', text: `${lines.join('\n')}\n`}
}

/** A notebook whose code cell sets the secret: the file is JSON, one source line per JSON string, as Jupyter writes it. */
function notebook(plant: Plant): RenderedFile {
  const literal = codeString(plant.value, (value) => `"""${value}"""`)
  const code = plant.variant % 2 === 0
    ? `import os\nos.environ["${plant.name}"] = ${literal}\n`
    : `client = ${clientClass(plant.name)}(${plant.selfIdentifying ? literal : `${snakeCase(plant.name)}=${literal}`})\n`
  const sourceLines = (text: string) => text.split(/(?<=\n)/)
  const document = {
    cells: [
      {cell_type: 'markdown', metadata: {}, source: sourceLines('# Weekly report\nPulls last week\'s orders.\n')},
      {cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: sourceLines(`${code}orders = client.orders(days=7) if "client" in dir() else []\n`)},
      {cell_type: 'code', execution_count: 2, metadata: {}, outputs: [], source: sourceLines('len(orders)\n')},
    ],
    metadata: {kernelspec: {display_name: 'Python 3', language: 'python', name: 'python3'}},
    nbformat: 4,
    nbformat_minor: 5,
  }
  return {fileName: 'report.ipynb', text: `${JSON.stringify(document, null, 1)}\n`}
}

export function render(context: ContextId, plant: Plant): RenderedFile {
  switch (context) {
    case 'javascript': return javascript(plant, false)
    case 'typescript': return javascript(plant, true)
    case 'python': return python(plant)
    case 'go': return go(plant)
    case 'rust': return rust(plant)
    case 'ini': return ini(plant)
    case 'toml': return toml(plant)
    case 'env': return env(plant)
    case 'json': return json(plant)
    case 'yaml': return yaml(plant)
    case 'shell': return shell(plant)
    case 'notebook': return notebook(plant)
  }
}
