// Rollback hooks as outbox deliveries: the stored payload names the hook; its config (and secrets) are read at send time.
import { z } from 'zod';
import type { Deploy, Finding } from '../judge/types.js';
import type { Hook, RuleSet } from '../rules/schema.js';
import type { DeliveryRecord } from '../store/records.js';
import { runHook, type HookDeps } from './hooks/index.js';
import type { SendResult } from './notify/types.js';

/** What is stored for a hook call: never the hook's headers or secrets, only its name and the rollback facts. */
export const HookPayload = z
  .object({
    hook: z.string(),
    type: z.enum(['exec', 'http']),
    reason: z.string(),
    verdictUrl: z.string().nullable(),
    deploy: z.custom<Deploy>((v) => typeof v === 'object' && v !== null),
    findings: z.array(z.custom<Finding>()),
  })
  .strict();
export type HookPayload = z.infer<typeof HookPayload>;

/** Extra seconds an attempt may take beyond the hook's timeout (kill grace, pipes). */
const HOOK_SLACK_S = 10;

export interface HookSenderDeps {
  /** The hooks that apply to a deploy now (rules are reloadable). */
  hooksFor(deploy: Deploy): RuleSet['hooks']['rollback'];
  hookDeps?: HookDeps;
}

/** Runs the stored hook call once and answers like a notifier. */
export async function sendHook(d: DeliveryRecord, deps: HookSenderDeps): Promise<SendResult> {
  const parsed = HookPayload.safeParse(d.payload);
  if (!parsed.success) return { ok: false, retryable: false, error: `rollback hook delivery ${d.id}: the stored payload is not a hook call`, detail: null };
  const p = parsed.data;
  const hook = findHook(deps, p);
  if (!hook) {
    const error = `rollback hook "${p.hook}" is no longer in the rules for ${p.deploy.service}/${p.deploy.environment}; it was not run — roll back by hand or restore the hook`;
    return { ok: false, retryable: false, error, detail: null };
  }
  const result = await runHook(hook, { deploy: p.deploy, reason: p.reason, verdictUrl: p.verdictUrl ?? undefined, findings: p.findings }, deps.hookDeps);
  const answered = result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus };
  if (result.ok) return { ok: true, detail: result.output, ...answered };
  return { ok: false, retryable: result.retryable, error: result.error ?? `rollback hook "${p.hook}" failed`, detail: result.output, ...answered };
}

/**
 * Seconds an attempt of a hook delivery may take: the hook's own timeout (its schema default when unset) plus a
 * margin. A hook no longer in the rules is not run (send answers at once), so the margin alone bounds that attempt.
 */
export function hookTimeout(d: DeliveryRecord, deps: HookSenderDeps): number {
  const parsed = HookPayload.safeParse(d.payload);
  const hook = parsed.success ? findHook(deps, parsed.data) : undefined;
  return (hook?.timeout ?? 0) + HOOK_SLACK_S;
}

function findHook(deps: HookSenderDeps, p: HookPayload): Hook | undefined {
  return deps.hooksFor(p.deploy).find((h) => h.name === p.hook && h.type === p.type);
}
