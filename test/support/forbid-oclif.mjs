// `node --import` this file to make loading @oclif/core fail: proof that a command was answered
// by bin/run.js's fast path alone.
import {register} from 'node:module'

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === '@oclif/core' || specifier.startsWith('@oclif/core/')) throw new Error('@oclif/core was loaded')
  return next(specifier, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`)
