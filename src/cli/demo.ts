// `release-guard demo`: posts one healthy and one broken deploy to a guard (running, or started here) and shows both verdicts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import { startGuard, type RunningGuard } from '../main.js';
import type { DeployView } from '../store/records.js';
import { createLogger } from '../telemetry/logger.js';

export interface DemoOptions {
  url?: string;
  token?: string;
  /** Give up after this many seconds (default 150). */
  timeout?: string;
}

type Out = (line: string) => void;

export async function demo(opts: DemoOptions, out: Out = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const loaded = loadConfig();
  const url = opts.url ?? `http://127.0.0.1:${loaded.config.port}`;
  let guard: RunningGuard | null = null;
  let target = { url, token: opts.token ?? loaded.secrets.token ?? readDevToken(loaded.config.dataDir) };
  if (!(await isUp(url))) {
    out(`no guard answers at ${url}; starting one here (dev mode, demo source at 30x speed, data in ${loaded.config.dataDir})`);
    guard = await startGuard({
      config: { ...loaded.config, port: 0, sources: { demo: { type: 'demo', seed: 1, timeScale: 30 } }, defaultSource: 'demo' },
      secrets: loaded.secrets,
      dev: true,
      logger: createLogger({ level: 'warn' }),
      baseDir: loaded.baseDir,
    });
    target = { url: guard.url, token: guard.token };
  } else if (!target.token) {
    out(`a guard answers at ${url} but no token is known: pass --token or set RELEASE_GUARD_TOKEN`);
    return 2;
  }
  try {
    return await runDemo(target.url, target.token as string, Number(opts.timeout ?? 150), out);
  } finally {
    await guard?.close();
  }
}

async function runDemo(url: string, token: string, timeoutSeconds: number, out: Out): Promise<number> {
  const stamp = Date.now().toString(36);
  const deploys = [
    { id: `demo-${stamp}-healthy`, service: 'demo-shop', environment: 'staging', version: 'v1.3.0', previousVersion: 'v1.2.0', labels: { demo: 'healthy' } },
    {
      id: `demo-${stamp}-broken`,
      service: 'demo-shop',
      environment: 'production',
      version: 'v1.3.0',
      previousVersion: 'v1.2.0',
      labels: { demo: 'broken-errors' },
    },
  ];
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  for (const d of deploys) {
    const res = await fetch(`${url}/v1/deploys`, { method: 'POST', headers, body: JSON.stringify(d) });
    if (res.status >= 300) {
      out(`POST /v1/deploys for ${d.id} answered ${res.status}: ${await res.text()}`);
      return 1;
    }
    out(`posted ${d.service}/${d.environment} ${d.version} (${d.labels.demo}) as ${d.id}`);
  }
  const started = Date.now();
  let views: DeployView[] = [];
  while (Date.now() - started < timeoutSeconds * 1000) {
    views = await Promise.all(deploys.map(async (d) => (await (await fetch(`${url}/v1/deploys/${d.id}`, { headers })).json()) as DeployView));
    out(`[${Math.round((Date.now() - started) / 1000)}s] ${views.map(progress).join(' | ')}`);
    if (views.every((v) => v.watch?.status !== 'watching')) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  out('');
  for (const v of views) out(describe(v));
  const [healthy, broken] = views;
  const rolledBack = broken?.actions.some((a) => a.kind === 'rollback' && a.status === 'succeeded');
  const ok = healthy?.verdict?.verdict === 'pass' && broken?.verdict?.verdict === 'fail' && rolledBack;
  out(
    ok
      ? 'demo: as expected — the healthy deploy passed, the broken one failed and was rolled back.'
      : 'demo: the outcome was not the expected pass + fail-with-rollback; see above.',
  );
  return ok ? 0 : 1;
}

function progress(v: DeployView): string {
  const w = v.watch;
  if (!w) return `${v.deploy.id}: ?`;
  if (w.status !== 'watching') return `${v.deploy.environment}: ${w.status}${v.verdict?.severity ? ` ${v.verdict.severity}` : ''}`;
  const minutes = w.evaluatedAt === null ? 0 : Math.round((w.evaluatedAt - v.deploy.startedAt) / 60);
  return `${v.deploy.environment}: watching, ${minutes}/${Math.round((w.windowEnd - v.deploy.startedAt) / 60)} min`;
}

function describe(v: DeployView): string {
  const lines = [
    `${v.deploy.service}/${v.deploy.environment} ${v.deploy.version} (${v.deploy.labels?.demo}): ${v.verdict?.verdict ?? v.watch?.status}${v.verdict?.severity ? ` ${v.verdict.severity}` : ''}${v.verdict?.reason ? ` — ${v.verdict.reason}` : ''}`,
  ];
  for (const f of v.findings) lines.push(`  finding ${f.severity} ${f.rule}: ${f.summary}`);
  for (const a of v.actions)
    lines.push(`  action ${a.kind} → ${a.target}: ${a.status}${a.output ? ` — ${a.output.trim().split('\n')[0]}` : ''}${a.error ? ` — ${a.error}` : ''}`);
  return lines.join('\n');
}

async function isUp(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) })).ok;
  } catch {
    return false;
  }
}

function readDevToken(dataDir: string): string | null {
  const file = path.join(dataDir, 'dev-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}
