/** Request parts checked against the fleet's zod schemas: a refusal is a FleetRequestError naming the field, never a 500. */
import type {z} from 'zod'

import {FleetRequestError} from '../fleet/errors.js'

export type RequestPart = 'body' | 'query' | 'path' | 'header'

function fieldOf(issue: z.core.$ZodIssue, part: RequestPart): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path
  return [part, ...path.map(String)].join('.')
}

export function parseRequest<T extends z.ZodType>(schema: T, value: unknown, part: RequestPart): z.infer<T> {
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}))
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = fieldOf(issue, part)
  const message = issue.code === 'unrecognized_keys' ? `${field} is not a field of this request` : `${field}: ${issue.message}`
  throw new FleetRequestError(`${message}. The API's schemas are at /openapi.json.`, field)
}
