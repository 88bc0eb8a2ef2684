// spdx-satisfies 6 ships no types and @types/spdx-satisfies describes the 0.x API.
declare module 'spdx-satisfies' {
  /** True when `expression` is satisfied by the simple SPDX ids (or `X+` ranges) in `allowed`; throws on invalid SPDX. */
  function satisfies(expression: string, allowed: string[]): boolean
  export = satisfies
}
