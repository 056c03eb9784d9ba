// `release-guard backtest` and `export --labelled` read the store of a (running) guard directly.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backtestCommand } from '../../src/cli/backtest.js';
import { exportLabelled } from '../../src/cli/export.js';
import { openStore } from '../../src/store/open.js';
import { ADMIN, startReviewRig, type ReviewRig } from '../e2e/review-rig.js';

let rig: ReviewRig;
let dir: string;
beforeAll(async () => {
  rig = await startReviewRig();
  dir = mkdtempSync(path.join(tmpdir(), 'rg-cli-backtest-'));
});
afterAll(async () => {
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  return { stream, text: () => text };
}

it('prints the same diff as the API, as a table and as JSON', async () => {
  const candidate = path.join(dir, 'candidate');
  cpSync(rig.rulesDir, candidate, { recursive: true });
  writeFileSync(
    path.join(candidate, 'demo-shop.yaml'),
    `${readFileSync(path.join(candidate, 'demo-shop.yaml'), 'utf8')}\nrules:\n  - name: error-rate-ceiling\n    metric: error_rate\n    severity: P1\n    when: value > 0.002\n`,
  );
  const config = path.join(dir, 'release-guard.yaml');
  writeFileSync(config, `dataDir: ${rig.dataDir}\nrulesDir: ${rig.rulesDir}\n`);

  const json = capture();
  expect(await backtestCommand({ rules: candidate, since: '1d', config, json: true }, json.stream, json.stream)).toBe(0);
  const result = JSON.parse(json.text()) as {
    judged: number;
    rejudged: number;
    changed: Array<{ deployId: string; current: { verdict: string }; candidate: { verdict: string } }>;
  };
  expect(result.judged).toBe(2);
  expect(result.rejudged).toBe(2);
  expect(result.changed.find((c) => c.deployId === rig.ids.healthy)).toMatchObject({ current: { verdict: 'pass' }, candidate: { verdict: 'fail' } });

  const api = (await (
    await fetch(`${rig.url}/v1/backtest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ file: 'demo-shop.yaml', text: readFileSync(path.join(candidate, 'demo-shop.yaml'), 'utf8'), since: '1d' }),
    })
  ).json()) as typeof result;
  expect(api.changed).toEqual(result.changed);

  const table = capture();
  expect(await backtestCommand({ rules: candidate, since: '1d', config }, table.stream, table.stream)).toBe(0);
  expect(table.text()).toMatch(
    new RegExp(`${rig.ids.healthy}\\s+demo-shop/staging\\s+pass -\\s+fail P1 rollback@\\d+s\\s+verdict,severity,rollback,timeToRollback`),
  );
  expect(table.text()).toMatch(new RegExp(`${rig.ids.broken}\\s+demo-shop/production\\s+fail P1 rollback@\\d+s\\s+fail P1 rollback@\\d+s\\s+timeToRollback`));
  expect(table.text()).toContain('of 2 deploys change');

  const bad = capture();
  expect(await backtestCommand({ rules: candidate, since: 'yesterday', config }, bad.stream, bad.stream)).toBe(2);
  expect(bad.text()).toContain('--since yesterday is not a duration');
});

it('export --labelled writes a recording per labelled deploy and labels.json', async () => {
  await fetch(`${rig.url}/v1/deploys/${rig.ids.broken}/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'correct', note: 'real', by: 'sre' }),
  });
  const store = await openStore({ kind: 'sqlite' }, { dataDir: rig.dataDir });
  const out = path.join(dir, 'corpus');
  try {
    expect(await exportLabelled(store, out)).toBe(1);
  } finally {
    await store.close();
  }
  expect(readdirSync(out).sort()).toEqual([`${rig.ids.broken}.json`, 'labels.json']);
  const labels = JSON.parse(readFileSync(path.join(out, 'labels.json'), 'utf8')) as { format: string; labels: Array<Record<string, unknown>> };
  expect(labels.format).toBe('release-guard/labels@1');
  expect(labels.labels).toEqual([
    expect.objectContaining({ deployId: rig.ids.broken, file: `${rig.ids.broken}.json`, label: 'correct', note: 'real', actor: 'sre' }),
  ]);
  const recording = JSON.parse(readFileSync(path.join(out, `${rig.ids.broken}.json`), 'utf8')) as { format: string; series: Record<string, unknown[]> };
  expect(recording.format).toBe('release-guard/recording@1');
  expect(recording.series.error_rate?.length).toBeGreaterThan(60);
});
