// Follows one deploy's watch until a verdict or a timeout: new findings and the verdict as lines, progress on a terminal.
import { GATE_EXIT, type GateExit } from './gate-exit-codes.js';
import type { DeployViewWire, GuardClient } from './guard-client.js';
import { printable, sinceStart } from './terminal-text.js';

export type Out = (line: string) => void;

/** A one-line progress display that is redrawn in place (a terminal); absent in CI logs. */
export interface ProgressLine {
  show(text: string): void;
  clear(): void;
}

export interface FollowOptions {
  /** Give up (exit 4) after this many seconds of waiting. */
  timeoutSeconds: number;
  /** Time between polls (ms). */
  pollMs: number;
  out: Out;
  /** Redrawn progress (terminal), or null for plain lines (CI logs: a heartbeat line every `heartbeatMs`). */
  progress: ProgressLine | null;
  heartbeatMs?: number;
  /** Wall clock in ms; injectable for tests. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The exit code for a watch that has ended, by its status. */
export function exitCodeFor(status: string): GateExit {
  if (status === 'pass') return GATE_EXIT.pass;
  if (status === 'fail') return GATE_EXIT.fail;
  if (status === 'inconclusive' || status === 'superseded' || status === 'stopped') return GATE_EXIT.inconclusive;
  return GATE_EXIT.couldNotRun;
}

/** "watching checkout/production v1.2.0: 12 of 30 min, 1 finding". */
export function progressText(v: DeployViewWire): string {
  const d = v.deploy;
  const w = v.watch;
  const done = w?.evaluatedAt == null ? 0 : Math.max(0, Math.floor((w.evaluatedAt - d.startedAt) / 60));
  const total = w ? Math.round((w.windowEnd - d.startedAt) / 60) : 0;
  const open = v.findings.filter((f) => f.clearedAt == null).length;
  return `watching ${printable(d.service, 80)}/${printable(d.environment, 80)} ${printable(d.version, 60)}: ${done} of ${total} min${open ? `, ${open} finding${open > 1 ? 's' : ''}` : ''}`;
}

export function findingLine(f: DeployViewWire['findings'][number], startedAt: number): string {
  return `finding ${printable(f.severity, 4)} ${printable(f.rule, 100)} at ${sinceStart(f.at, startedAt)}: ${printable(f.summary)}`;
}

/** The verdict and what the guard did about it, one line each. */
export function verdictLines(v: DeployViewWire): string[] {
  const status = v.verdict?.verdict ?? v.watch?.status ?? 'unknown';
  const severity = v.verdict?.severity ? ` ${printable(v.verdict.severity, 4)}` : '';
  const reason = v.verdict?.reason ?? v.watch?.reason;
  const lines = [`verdict: ${printable(status, 20)}${severity}${reason ? ` — ${printable(reason)}` : ''}`];
  for (const a of v.actions) {
    if (a.kind !== 'rollback') continue;
    const detail = a.error ?? a.output?.trim().split('\n')[0];
    lines.push(`action ${printable(a.kind, 20)} → ${printable(a.target, 80)}: ${printable(a.status, 20)}${detail ? ` — ${printable(detail, 200)}` : ''}`);
  }
  return lines;
}

/**
 * Polls the deploy until its watch ends and returns the gate's exit code: 0 pass, 1 fail, 3 inconclusive (or
 * superseded/stopped), 4 still watching at the timeout, 2 when the deploy is unknown or the guard stayed unreachable.
 * Network trouble during the wait is retried until the timeout; it is not a verdict.
 */
export async function followWatch(client: GuardClient, id: string, opts: FollowOptions): Promise<GateExit> {
  const clock = opts.clock ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  const deadline = clock() + opts.timeoutSeconds * 1000;
  const seen = new Set<string>();
  let lastHeartbeat = -Infinity;
  let lastView: DeployViewWire | null = null;
  let lastError: string | null = null;
  const say = (line: string) => {
    opts.progress?.clear();
    opts.out(line);
  };

  for (;;) {
    try {
      const got = await client.getDeploy(id);
      if (!got) {
        say(`no deploy with id ${printable(id, 128)} at ${client.url}; check the id (release-guard deploys list)`);
        return GATE_EXIT.couldNotRun;
      }
      lastView = got.view;
      if (lastError) say(`the guard answers again`);
      lastError = null;
    } catch (err) {
      const message = printable((err as Error).message);
      if (message !== lastError) say(`warning: ${message}; still waiting`);
      lastError = message;
    }
    const v = lastView;
    if (v) {
      for (const f of v.findings) {
        const key = `${f.rule}@${f.at}`;
        if (seen.has(key)) continue;
        seen.add(key);
        say(findingLine(f, v.deploy.startedAt));
      }
      const status = v.watch?.status ?? 'watching';
      if (status !== 'watching') {
        for (const line of verdictLines(v)) say(line);
        return exitCodeFor(status);
      }
      if (opts.progress) opts.progress.show(progressText(v));
      else if (clock() - lastHeartbeat >= heartbeatMs) {
        say(progressText(v));
        lastHeartbeat = clock();
      }
    }
    if (clock() >= deadline) {
      if (!v || lastError) {
        say(`could not follow deploy ${printable(id, 128)}: ${lastError ?? 'no answer'}`);
        return GATE_EXIT.couldNotRun;
      }
      say(`timed out: still watching after the timeout (${opts.timeoutSeconds}s); the guard keeps watching — ${progressText(v)}`);
      return GATE_EXIT.timedOut;
    }
    await sleep(Math.max(0, Math.min(opts.pollMs, deadline - clock())));
  }
}
