/** The fleet's errors, each with a stable code and the HTTP status the server answers it with. */
import {PyAgentError} from '../errors.js'

/** A request the fleet refuses as asked: a field its schema refuses, a setting it does not support. */
export class FleetRequestError extends PyAgentError {
  override name = 'FleetRequestError'
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('E_FLEET_REQUEST', message)
  }
}

/** A task id the fleet does not know. */
export class FleetTaskUnknownError extends PyAgentError {
  override name = 'FleetTaskUnknownError'
  constructor(id: string) {
    super('E_FLEET_TASK_UNKNOWN', `The fleet has no task ${id}; \`pyagent tasks\` lists the ones it has.`)
  }
}

/** An operation the task's state forbids: cancelling a finished task, applying one without a result. */
export class FleetTaskStateError extends PyAgentError {
  override name = 'FleetTaskStateError'
  constructor(message: string) {
    super('E_FLEET_TASK_STATE', message)
  }
}
