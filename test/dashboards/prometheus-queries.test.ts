// Every PromQL expression in dashboards/*.json (panels and annotations) parses and returns data in a real Prometheus
// scraping a running guard that has judged deploys — including a rollback and a blind metric source.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../integration/guard-process.js';
import { requirePrometheus } from '../integration/prometheus-rig.js';
import { CI, ROOT, startReviewRig, waitFor, type ReviewRig } from '../e2e/review-rig.js';

interface Expr {
  file: string;
  where: string;
  expr: string;
}

function dashboardExpressions(): Expr[] {
  const dir = path.join(ROOT, 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const d = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
        panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
        annotations?: { list: Array<{ name: string; expr?: string }> };
      };
      return [
        ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ file, where: `panel "${p.title}"`, expr: t.expr }))),
        ...(d.annotations?.list ?? []).filter((a) => a.expr).map((a) => ({ file, where: `annotation "${a.name}"`, expr: a.expr as string })),
      ];
    });
}

let rig: ReviewRig;
let prometheus: ChildProcess;
let promUrl: string;
let dir: string;

async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  return (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
    status: string;
    error?: string;
    data?: { result: unknown[] };
  };
}

async function postDeploy(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${rig.url}/v1/deploys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CI}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  await waitFor(`verdict of ${String(body.id)}`, async () => (await rig.get(String(body.id))).verdict);
}

beforeAll(async () => {
  await requirePrometheus();
  rig = await startReviewRig();
  await postDeploy({ id: 'flaky-1', service: 'demo-shop', environment: 'canary', version: 'v2', labels: { demo: 'flaky-source' } });
  dir = mkdtempSync(path.join(tmpdir(), 'rg-prom-'));
  const port = await freePort();
  const target = new URL(rig.url).host;
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: release-guard\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  promUrl = `http://127.0.0.1:${port}`;
  await waitFor('prometheus scraping the guard', async () => {
    const r = await query('count_over_time(up{job="release-guard"}[1m]) >= 3').catch(() => null);
    return (r?.data?.result.length ?? 0) > 0;
  });
  // Judged while Prometheus watches, so the verdict and rollback counters visibly increase (the annotations).
  await postDeploy({ id: 'broken-2', service: 'demo-shop', environment: 'production', version: 'v1.3.1', labels: { demo: 'broken-errors' } });
  await postDeploy({ id: 'healthy-2', service: 'demo-shop', environment: 'staging', version: 'v1.3.1', labels: { demo: 'healthy' } });
  await new Promise((r) => setTimeout(r, 3000));
}, 120_000);

afterAll(async () => {
  prometheus?.kill('SIGKILL');
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('every dashboard expression parses and returns data', async () => {
  const exprs = dashboardExpressions();
  expect(exprs.length).toBeGreaterThanOrEqual(11);
  expect(exprs.filter((e) => e.where.startsWith('annotation')).map((e) => e.where)).toEqual(['annotation "Verdicts"', 'annotation "Rollbacks"']);
  const problems: string[] = [];
  for (const e of exprs) {
    const r = await query(e.expr);
    if (r.status !== 'success') problems.push(`${e.file} ${e.where}: ${e.expr}: ${r.error}`);
    else if ((r.data?.result.length ?? 0) === 0) problems.push(`${e.file} ${e.where}: ${e.expr}: no data`);
  }
  expect(problems).toEqual([]);
});

it('a broken expression is caught (the check can fail)', async () => {
  expect((await query('sum by (verdict (release_guard_verdicts_total')).status).toBe('error');
  expect((await query('release_guard_no_such_metric')).data?.result).toEqual([]);
});
