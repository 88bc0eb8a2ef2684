/**
 * The agent's tools, one file each, and what the loop and the roles need of them. Edits go to the
 * task's transaction; commands run in the scratch tree that shows the staged edits.
 */
export {applyPatchTool} from './apply-patch.js'
export {dependencyLicensesTool} from './dependency-licenses.js'
export {editTool} from './edit.js'
export {finishTool} from './finish.js'
export {listFilesTool} from './list-files.js'
export {readFileTool} from './read-file.js'
export {rememberTool} from './remember.js'
export {runCommandTool} from './run-command.js'
export {scratchFor} from './run-in-scratch.js'
export {runTests, runTestsTool} from './run-tests.js'
export {searchTool} from './search.js'
export {searchCodeTool} from './search-code.js'
export {type ApprovalKind, defineTool, type Tool, type ToolContext, ToolError, ToolRefused} from './tool.js'
export {writeFileTool} from './write-file.js'
