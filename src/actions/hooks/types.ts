// What a rollback hook is given and what it answers, shared by the exec and http runners.
import type { Deploy, Finding } from '../../judge/types.js';

/** Why a hook is firing and for which deploy. */
export interface HookContext {
  deploy: Deploy;
  /** One line for people, e.g. the summary of the finding that triggered the rollback. */
  reason: string;
  /** Link to the verdict in the review UI, when the guard knows its public URL. */
  verdictUrl?: string;
  findings: Finding[];
}

/** The outcome of one hook run. Hook failure is a value: runners never throw for it. */
export interface HookResult {
  ok: boolean;
  /** Captured output (exec: stdout and stderr interleaved; http: status line and body start), truncated. */
  output: string;
  /** What went wrong and where, or null when ok. Never contains a secret. */
  error: string | null;
  durationMs: number;
  /** Whether running the hook again may succeed (timeouts, 5xx, 429, network errors, non-zero exits). */
  retryable: boolean;
  /** http hooks: the receiver's HTTP status, when it answered. */
  httpStatus?: number;
}

/** Injected edges; every field has a production default. */
export interface HookDeps {
  /** Read for `secretEnv`; exec hooks get only its PATH, HOME, RG_* and the names in their `env`. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Variables the config names as secrets (channel `…Env`, `secretEnv`): withheld from exec hooks even if RG_*. */
  secretEnvNames?: () => string[];
  /** Replaces configured secrets in output and errors before they are returned (and stored). Default: identity. */
  redact?: (text: string) => string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Directory a relative exec `cwd` resolves against (e.g. the rules directory). Default: process.cwd(). */
  baseDir?: string;
  /** Wall clock in milliseconds, for durations and the signature timestamp. Default: Date.now. */
  now?: () => number;
  /** Milliseconds between SIGTERM and SIGKILL when an exec hook times out. Default: 5000. */
  killGraceMs?: number;
}
