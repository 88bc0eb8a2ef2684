/** A loopback OpenAI-compatible embeddings endpoint: deterministic vectors, each word hashed into one of 64 dimensions. */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {onTestFinished} from 'vitest'

export interface FakeEmbeddings {
  url: string
  /** Every text it was asked to embed, in order. */
  inputs: string[]
  /** The input_type each text was sent with (query or passage), in the same order. */
  inputTypes: (string | undefined)[]
  close(): Promise<void>
}

function vector(text: string): number[] {
  const values = new Array<number>(64).fill(0)
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let hash = 0
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) % 64
    values[hash]! += 1
  }
  return values
}

export async function fakeEmbeddings(): Promise<FakeEmbeddings> {
  const inputs: string[] = []
  const inputTypes: (string | undefined)[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      if (request.url?.endsWith('/models')) {
        response.end(JSON.stringify({object: 'list', data: [{id: 'fake-embed', object: 'model'}]}))
        return
      }
      const {input, input_type: inputType} = JSON.parse(body) as {input: string[]; input_type?: string}
      inputs.push(...input)
      inputTypes.push(...input.map(() => inputType))
      response.end(JSON.stringify({object: 'list', data: input.map((text, index) => ({object: 'embedding', index, embedding: vector(text)}))}))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  let open = true
  const close = () =>
    new Promise<void>((resolve) => {
      if (!open) return resolve()
      open = false
      server.closeAllConnections()
      server.close(() => resolve())
    })
  onTestFinished(close)
  return {url: `http://127.0.0.1:${port}/v1`, inputs, inputTypes, close}
}
