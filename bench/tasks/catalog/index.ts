/** Every task of the benchmark, in a stable order. */
import type {BenchTask} from '../task.js'
import {goTasks} from './go.js'
import {javascriptTasks} from './javascript.js'
import {pythonTasks} from './python.js'
import {rustTasks} from './rust.js'

export const TASKS: readonly BenchTask[] = [...javascriptTasks, ...pythonTasks, ...goTasks, ...rustTasks]
