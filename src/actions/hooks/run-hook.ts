// Dispatches a rollback hook to the runner for its type.
import type { Hook } from '../../rules/schema.js';
import { runExecHook } from './exec.js';
import { runHttpHook } from './http.js';
import type { HookContext, HookDeps, HookResult } from './types.js';

/** Runs one rollback hook. Never throws for hook failure: the result says whether it worked and if a retry may help. */
export function runHook(hook: Hook, ctx: HookContext, deps: HookDeps = {}): Promise<HookResult> {
  switch (hook.type) {
    case 'exec':
      return runExecHook(hook, ctx, deps);
    case 'http':
      return runHttpHook(hook, ctx, deps);
  }
}
