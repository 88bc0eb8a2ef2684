/** A model that cannot be fetched, verified, found or loaded: the message says what to do. */
export class ModelError extends Error {
  override name = 'ModelError'
}
