// Runs an http rollback hook: POSTs the rollback event as JSON, optionally HMAC-signed, and classifies the answer.
import { createHmac } from 'node:crypto';
import { signRequest } from '../../api/signature.js';
import type { HttpHook } from '../../rules/schema.js';
import type { HookContext, HookDeps, HookResult } from './types.js';

/** How much of the response body is kept in the result. */
const BODY_LIMIT = 4096;
const SENSITIVE_HEADER = /auth|token|key|secret|password|signature/i;

/** The JSON body every http hook receives. */
export interface RollbackEvent {
  event: 'rollback';
  deploy: HookContext['deploy'];
  reason: string;
  findings: HookContext['findings'];
  verdictUrl: string | null;
}

/** `sha256=<hex HMAC-SHA256 of body>`: the body-only form, kept for callers; hooks are sent with {@link signRequest}. */
export function hookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs the rollback event to `hook.url`. 2xx is success; 5xx, 429, timeouts and network errors are
 * retryable; any other answer is not. Never throws for hook failure; secrets never reach output or error.
 */
export async function runHttpHook(hook: HttpHook, ctx: HookContext, deps: HookDeps = {}): Promise<HookResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const where = `http hook "${hook.name}" (${originOf(hook.url)})`;
  const env = deps.env ?? process.env;
  const secret = hook.secretEnv ? env[hook.secretEnv]?.trim() : undefined;
  const result = (r: Omit<HookResult, 'durationMs'>): HookResult => ({ ...scrub(r, hook, secret, deps.redact ?? ((t) => t)), durationMs: now() - started });
  if (hook.secretEnv && !secret) {
    const error = `${where}: environment variable ${hook.secretEnv} (secretEnv) is not set; set it to the HMAC key the receiver expects, or remove secretEnv`;
    return result({ ok: false, output: '', error, retryable: false });
  }
  const event: RollbackEvent = { event: 'rollback', deploy: ctx.deploy, reason: ctx.reason, findings: ctx.findings, verdictUrl: ctx.verdictUrl ?? null };
  const body = JSON.stringify(event);
  const headers = requestHeaders(hook, body, secret, Math.floor(now() / 1000));
  try {
    const res = await (deps.fetch ?? fetch)(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(hook.timeout * 1000) });
    const output = `HTTP ${res.status} ${res.statusText}\n${await readBodyStart(res)}`;
    if (res.ok) return result({ ok: true, output, error: null, retryable: false, httpStatus: res.status });
    const retryable = res.status >= 500 || res.status === 429;
    const advice = retryable ? 'will retry' : 'not retrying; check the hook URL, headers and secret';
    return result({ ok: false, output, error: `${where}: answered HTTP ${res.status} (${advice})`, retryable, httpStatus: res.status });
  } catch (err) {
    return result({ ok: false, output: '', error: `${where}: ${requestProblem(err, hook.timeout)}`, retryable: true });
  }
}

function requestHeaders(hook: HttpHook, body: string, secret: string | undefined, unixSeconds: number): Headers {
  const headers = new Headers({ 'content-type': 'application/json', 'user-agent': 'release-guard' });
  for (const [name, value] of Object.entries(hook.headers ?? {})) headers.set(name, value);
  if (secret) {
    // The same scheme the guard verifies on its own API: the signature covers timestamp, method, path and body.
    const url = new URL(hook.url);
    const signed = signRequest(secret, { timestamp: unixSeconds, method: 'POST', path: `${url.pathname}${url.search}`, body });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  }
  return headers;
}

/** The first BODY_LIMIT bytes of the response as text; the rest is not downloaded. */
async function readBodyStart(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let note = '';
  try {
    while (size <= BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (err) {
    note = `\n[body incomplete: ${err instanceof Error ? err.message : String(err)}]`;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (size > BODY_LIMIT) note = '\n[body truncated at 4 KiB]';
  return Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8') + note;
}

function requestProblem(err: unknown, timeoutSeconds: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `timed out after ${timeoutSeconds}s; the receiver may still act on the request, so keep it idempotent`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : null;
  const message = err instanceof Error ? err.message : String(err);
  return `request failed: ${cause ? `${message} (${cause})` : message}; check that the URL is reachable from the guard`;
}

/** Scheme, host and port only: paths and query strings of webhook URLs are often secrets themselves. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}

/** Replaces the signing secret and sensitive header values wherever they appear (e.g. echoed by the receiver). */
function scrub<T extends { output: string; error: string | null }>(r: T, hook: HttpHook, secret: string | undefined, redact: (t: string) => string): T {
  const hidden = Object.entries(hook.headers ?? {})
    .filter(([name, value]) => SENSITIVE_HEADER.test(name) && value.length >= 4)
    .map(([, value]) => value);
  if (secret) hidden.push(secret);
  const clean = (text: string): string => redact(hidden.reduce((acc, value) => acc.split(value).join('[redacted]'), text));
  return { ...r, output: clean(r.output), error: r.error === null ? null : clean(r.error) };
}
