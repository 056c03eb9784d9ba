// `release-guard sources check` as a user runs it (a real child process) against the Datadog contract server.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSourcesCheck } from '../../src/cli/sources.js';
import { startContractServer, type ContractServer } from '../sources/datadog/contract-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const KEYS = { DD_API_KEY: 'cli-api-key', DD_APP_KEY: 'cli-app-key' };
let dir: string;
let server: ContractServer;

/** Runs the CLI without blocking this process (the contract server lives here). */
function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, path.join(ROOT, 'src/cli/index.ts'), ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...KEYS }, timeout: 30_000 },
      (err, out, errOut) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: errOut });
      },
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-cli-sources-'));
  const tags = { service: 'shop', env: 'production' };
  server = await startContractServer({
    apiKey: KEYS.DD_API_KEY,
    appKey: KEYS.DD_APP_KEY,
    series: [
      { metric: 'trace.http.request.hits', tags, value: () => 600 },
      { metric: 'trace.http.request.errors', tags, value: () => 3 },
      { metric: 'trace.http.request', tags, value: () => 0.25 },
    ],
  });
  await mkdir(path.join(dir, 'rules'));
  const example = await readFile(path.join(ROOT, 'rules/examples/datadog.yaml'), 'utf8');
  await writeFile(
    path.join(dir, 'rules/default.yaml'),
    `version: 1\nrules:\n  - {name: spike, metric: error_rate, severity: P1, when: ratio > 5}\n  - {name: slow, metric: latency_p95, severity: P2, when: value > 1000}\n${example}`,
  );
  await writeFile(path.join(dir, 'release-guard.yaml'), `defaultSource: dd\nsources:\n  dd:\n    type: datadog\n    url: ${server.url}\n    retries: 0\n`);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('release-guard sources check', () => {
  it('prints each pre-flight query and exits 0 when every metric answers', async () => {
    const r = await cli(['sources', 'check', '--service', 'shop', '--environment', 'production']);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      [
        'source dd (datadog) for shop/production: last 1h at 1m steps',
        '  ok       error_rate   61 points, last 0.005 fraction',
        '  ok       latency_p95  61 points, last 250 ms',
        '  ok       throughput   61 points, last 600 req/s',
        'ok: all 3 metrics answered',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('exits 1 and says which metrics would leave a watch blind', async () => {
    const r = await cli(['sources', 'check', '--service', 'ghost', '--config', 'release-guard.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('  no data  error_rate   the query returned no points: check the metric names and labels in its template\n');
    expect(r.out).toContain("FAILED: 3 of 3 metrics would make a deploy's watch blind\n");
  });

  it('exits 2 when the config file does not exist', async () => {
    const r = await cli(['sources', 'check', '--service', 'shop', '--rules', 'rules', '--config', 'missing.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('config file');
  });
});

describe('formatSourcesCheck', () => {
  it('shows errors with their message', () => {
    const text = formatSourcesCheck({
      ok: false,
      source: 'p',
      sourceType: 'prometheus',
      service: 's',
      environment: 'e',
      range: 3600,
      step: 60,
      checks: [{ metric: 'cpu', unit: 'fraction', status: 'error', points: 0, last: null, message: 'boom' }],
    });
    expect(text).toBe("source p (prometheus) for s/e: last 1h at 1m steps\n  error    cpu  boom\nFAILED: 1 of 1 metrics would make a deploy's watch blind");
  });
});
