#!/usr/bin/env node
/**
 * An MCP server (the official SDK's, over stdio) whose tools misbehave on purpose: one that
 * crashes the process, one that never answers, one that returns 50 MB, one whose input schema is
 * not JSON Schema, and a well-behaved echo to show the others did not take the server down.
 */
import {Server} from '@modelcontextprotocol/sdk/server/index.js'
import {StdioServerTransport} from '@modelcontextprotocol/sdk/server/stdio.js'
import {CallToolRequestSchema, ListToolsRequestSchema} from '@modelcontextprotocol/sdk/types.js'

const object = (properties = {}) => ({type: 'object', properties})
const TOOLS = [
  {name: 'echo', description: 'Echo the text', inputSchema: {...object({text: {type: 'string'}}), required: ['text']}},
  {name: 'crash', description: 'Exit the server process', inputSchema: object()},
  {name: 'hang', description: 'Never answer', inputSchema: object()},
  {name: 'huge', description: 'Return 50 MB of text', inputSchema: object()},
  {name: 'broken', description: 'A tool whose schema is invalid', inputSchema: object({x: {type: 'nonsense'}})},
  {name: 'env', description: 'Say whether a variable is set', inputSchema: {...object({name: {type: 'string'}}), required: ['name']}},
]

const server = new Server({name: 'misbehaving', version: '1.0.0'}, {capabilities: {tools: {}}})
server.setRequestHandler(ListToolsRequestSchema, async () => ({tools: TOOLS}))
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {}
  switch (request.params.name) {
    case 'echo':
      return {content: [{type: 'text', text: `echo: ${args.text}`}]}
    case 'crash':
      process.stderr.write('misbehaving server: crashing on purpose\n')
      process.exit(3)
    case 'hang':
      return new Promise(() => {})
    case 'huge':
      return {content: [{type: 'text', text: `${'x'.repeat(50 * 1024 * 1024)}THE END`}]}
    case 'env':
      return {content: [{type: 'text', text: `${args.name} is ${process.env[args.name] === undefined ? 'unset' : 'set'}`}]}
    default:
      return {isError: true, content: [{type: 'text', text: `no tool ${request.params.name}`}]}
  }
})
await server.connect(new StdioServerTransport())
