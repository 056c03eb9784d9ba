// Public face of the rollback hooks: run a configured hook (exec or http) for a deploy that must be rolled back.
export { runHook } from './run-hook.js';
export { runExecHook, hookEnv } from './exec.js';
export { runHttpHook, hookSignature, type RollbackEvent } from './http.js';
export { OUTPUT_LIMIT } from './output-buffer.js';
export type { HookContext, HookDeps, HookResult } from './types.js';
