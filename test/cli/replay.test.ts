// `replay`: one DESIGN §4 JSON line per recording, in input order; bad recordings get an error line and exit 1.
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recordings');
const STARTED_AT = 1763647200;

const DEFAULT_RULES = `
version: 1
window: 30m
interval: 1m
baseline: { kind: pre-deploy, duration: 1h }
minEvidence: { throughput: 0.1, samples: 3 }
severities:
  P0: { rollback: true, failsVerdict: true }
  P1: { rollback: true, failsVerdict: true }
  P2: { rollback: false, failsVerdict: true }
  P3: { rollback: false, failsVerdict: false }
rules:
  - { name: error-rate-spike, metric: error_rate, severity: P1, when: { all: [value > 0.01, ratio > 5] }, for: 2m }
  - { name: latency-regression, metric: latency_p95, severity: P2, when: change > 20%, for: 2m }
  - { name: latency-drift, metric: latency_p95, severity: P3, when: change > 10%, for: 5m }
`;

let dir: string;
let rulesDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-replay-'));
  rulesDir = await mkdtemp(join(tmpdir(), 'rg-replay-rules-'));
  await writeFile(join(rulesDir, 'default.yaml'), DEFAULT_RULES);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(rulesDir, { recursive: true, force: true });
});

async function replay(paths: string[], rules = rulesDir): Promise<{ code: number; lines: string[]; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errChunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  err.on('data', (c: Buffer) => errChunks.push(c.toString()));
  const code = await runReplay(paths, { rulesDir: rules, err }, out);
  const text = chunks.join('');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return { code, lines: text.split('\n').filter((l) => l !== ''), err: errChunks.join('') };
}

// DESIGN §4's keys exactly, in order; extras only after them.
const LINE_KEYS = ['deployId', 'verdict', 'severity', 'rollback', 'rollbackAt', 'findings', 'reason', 'evaluatedAt', 'windowEnd'];
const FINDING_KEYS = ['rule', 'metric', 'severity', 'at', 'observed', 'baseline', 'condition', 'kind', 'summary', 'clearedAt', 'evidence'];

describe('runReplay', () => {
  it('prints one DESIGN §4 line per recording of a directory, in file-name order', async () => {
    const { code, lines } = await replay([FIXTURES]);
    expect(code).toBe(0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of parsed) {
      expect(Object.keys(line)).toEqual(LINE_KEYS);
      for (const f of line.findings as Array<Record<string, unknown>>) expect(Object.keys(f)).toEqual(FINDING_KEYS);
    }
    expect(parsed.map((l) => [l.deployId, l.verdict, l.severity, l.rollback, l.rollbackAt])).toEqual([
      ['d-broken-error-spike', 'fail', 'P1', true, STARTED_AT + 420],
      ['d-broken-latency', 'fail', 'P2', false, null],
      ['d-healthy-steady', 'pass', null, false, null],
    ]);
    expect(parsed[0]!.findings).toMatchObject([
      {
        rule: 'error-rate-spike',
        metric: 'error_rate',
        severity: 'P1',
        at: STARTED_AT + 420,
        observed: 0.05133,
        baseline: 0.00213,
        condition: 'value > 0.01 and ratio > 5',
        kind: 'breach',
        clearedAt: null,
        evidence: { baseline: { kind: 'pre-deploy', median: 0.00213, count: 60 }, test: null, lookback: 60, points: 1, persistence: 'held 2m at every step' },
      },
    ]);
    expect(parsed[0]!.reason).toBe('rollback: error-rate-spike (P1): error_rate 5.13% vs baseline 0.21% (24.1x baseline) for 2m');
    expect(parsed[2]!.findings).toEqual([]);
  });

  it('ends with a summary table per verdict and per severity on stderr, and no progress bar off a terminal', async () => {
    const { err } = await replay([FIXTURES]);
    expect(err).toBe(
      [
        'replay: 3 recordings',
        'verdict         count   share',
        'pass                1   33.3%',
        'fail                2   66.7%',
        'inconclusive        0    0.0%',
        '  rolled back       1   33.3%',
        'severity        count   share',
        'P0                  0    0.0%',
        'P1                  1   33.3%',
        'P2                  1   33.3%',
        'P3                  0    0.0%',
        'none                1   33.3%',
        '',
      ].join('\n'),
    );
  });

  it('draws a progress bar when stderr is a terminal', async () => {
    const err = Object.assign(new PassThrough(), { isTTY: true });
    const chunks: string[] = [];
    err.on('data', (c: Buffer) => chunks.push(c.toString()));
    await runReplay([join(FIXTURES, 'healthy-steady.json')], { rulesDir, err }, new PassThrough());
    const text = chunks.join('');
    expect(text).toContain('\r\x1b[2K[------------------------------] 0/1   0%  healthy-steady.json');
    expect(text).toContain('replay: 1 recording\n');
  });

  it('passes previous-deploy start times from the deploy label to the judge', async () => {
    const { recordingObservations, PREVIOUS_DEPLOYS_LABEL } = await import('../../src/cli/replay.js');
    const deploy = { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 100, labels: { [PREVIOUS_DEPLOYS_LABEL]: '90,80' } };
    expect(recordingObservations({ format: 'release-guard/recording@1', deploy, series: {} })).toEqual({ series: {}, previousDeploys: [90, 80] });
  });

  it('keeps the order the files are given in', async () => {
    const { lines } = await replay([join(FIXTURES, 'healthy-steady.json'), join(FIXTURES, 'broken-error-spike.json')]);
    expect(lines.map((l) => (JSON.parse(l) as { deployId: string }).deployId)).toEqual(['d-healthy-steady', 'd-broken-error-spike']);
  });

  it('prints an error line for a bad recording, carries on, and exits 1', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'release-guard/recording@0' }));
    const { code, lines } = await replay([bad, join(FIXTURES, 'healthy-steady.json'), join(dir, 'missing.json')]);
    expect(code).toBe(1);
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['deployId', 'file', 'error']);
    expect(first).toMatchObject({ deployId: null, file: bad });
    expect(first.error).toContain(`${bad}: format: expected "release-guard/recording@1", got "release-guard/recording@0"`);
    expect(JSON.parse(lines[1]!)).toMatchObject({ deployId: 'd-healthy-steady', verdict: 'pass' });
    expect(JSON.parse(lines[2]!)).toMatchObject({ deployId: null, file: join(dir, 'missing.json') });
  });

  it('gives the same lines, progress frames and summary with worker threads as on the main thread alone', async () => {
    const fixtures = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));
    // Enough files for the pool to share them out, a bad one among them.
    for (let i = 0; i < 60; i++) await copyFile(join(FIXTURES, fixtures[i % fixtures.length]!), join(dir, `${String(i).padStart(2, '0')}.json`));
    await writeFile(join(dir, '17.json'), '{"format": "release-guard/recording@1"');
    const run = async (workers: number): Promise<{ code: number; out: string; err: string }> => {
      const out = new PassThrough();
      const err = Object.assign(new PassThrough(), { isTTY: true });
      const outChunks: string[] = [];
      const errChunks: string[] = [];
      out.on('data', (c: Buffer) => outChunks.push(c.toString()));
      err.on('data', (c: Buffer) => errChunks.push(c.toString()));
      const code = await runReplay([dir], { rulesDir, err, workers }, out);
      return { code, out: outChunks.join(''), err: errChunks.join('') };
    };
    const alone = await run(0);
    expect(alone.code).toBe(1);
    expect(alone.out.split('\n')).toHaveLength(61);
    expect(alone.err).toContain('[###############---------------] 30/60  50%  30.json');
    expect(await run(1)).toEqual(alone);
    expect(await run(2)).toEqual(alone);
  });

  it('exits 2 for bad rules without judging anything', async () => {
    await writeFile(join(rulesDir, 'default.yaml'), 'window: soon\n');
    const { code, lines, err } = await replay([FIXTURES]);
    expect(code).toBe(2);
    expect(lines).toEqual([]);
    expect(err).toContain(`replay: cannot load rules from ${rulesDir}`);
    expect(err).toContain('default.yaml');
  });
});
