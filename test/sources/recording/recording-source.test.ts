// The recording source: finds a deploy's recording, shifts it onto the live deploy's start, reports trouble as values.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deploy } from '../../../src/judge/types.js';
import { BUILTIN_METRICS, type MetricDecl } from '../../../src/rules/schema.js';
import { recordingSource } from '../../../src/sources/recording/index.js';
import type { MetricQuery, MetricSource } from '../../../src/sources/types.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const live: Deploy = { id: 'live-1', service: 'checkout', environment: 'production', version: 'v2', startedAt: 5000 };

function recording(id: string, service: string, extra: object = {}) {
  return {
    format: 'release-guard/recording@1',
    deploy: { id, service, environment: 'production', version: 'v1', startedAt: 1000 },
    series: {
      error_rate: [
        [880, 0.001],
        [940, 0.002],
        [1000, 0.003],
        [1060, 0.05],
        [1120, 0.06],
      ],
    },
    control: { error_rate: [[1060, 0.002]] },
    ...extra,
  };
}

let dir: string;
let source: MetricSource;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-recsrc-'));
  source = recordingSource.create('replays', recordingSource.Config.parse({ type: 'recording', dir: basename(dir) }), {
    logger: silentLogger(),
    baseDir: dirname(dir),
  });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const put = (name: string, doc: unknown) => writeFile(join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc));

function query(over: Partial<MetricQuery> = {}): MetricQuery {
  const decl: MetricDecl = BUILTIN_METRICS.error_rate;
  return { metric: 'error_rate', decl, deploy: live, scope: 'deploy', start: 4940, end: 5060, step: 60, ...over };
}

describe('recording source', () => {
  it('is a real-time source of type recording', () => {
    expect([source.type, source.name, source.timeScale]).toEqual(['recording', 'replays', 1]);
    expect(() => recordingSource.Config.parse({ type: 'recording', dir: 'x', extra: 1 })).toThrow();
  });

  it('shifts the recording so its startedAt falls on the queried deploy start, within [start, end]', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    expect(await source.query(query())).toEqual({
      kind: 'value',
      points: [
        [4940, 0.002],
        [5000, 0.003],
        [5060, 0.05],
      ],
    });
  });

  it('a series that ends: the points up to its end, then no-data (the source answered: silent, not blind)', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    expect(await source.query(query({ start: 5060, end: 5300 }))).toEqual({
      kind: 'value',
      points: [
        [5060, 0.05],
        [5120, 0.06],
      ],
    });
    expect(await source.query(query({ start: 5180, end: 5300 }))).toEqual({ kind: 'no-data' });
  });

  it('prefers the recording with the same deploy id over a service and environment match', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    await put('b.json', { ...recording('live-1', 'other'), series: { error_rate: [[1000, 0.9]] } });
    expect(await source.query(query())).toEqual({ kind: 'value', points: [[5000, 0.9]] });
  });

  it('serves the control series for scope control', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    expect(await source.query(query({ scope: 'control' }))).toEqual({ kind: 'value', points: [[5060, 0.002]] });
  });

  it('maps a metric to another recorded series with queries.recording', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    const decl: MetricDecl = { unit: 'fraction', direction: 'increase', queries: { recording: 'error_rate' } };
    expect(await source.query(query({ metric: 'failures', decl, start: 5060, end: 5060 }))).toEqual({ kind: 'value', points: [[5060, 0.05]] });
  });

  it('returns at most one point per step, the latest in each', async () => {
    await put('a.json', {
      ...recording('rec-1', 'checkout'),
      series: {
        cpu: [
          [1000, 0.1],
          [1030, 0.2],
          [1060, 0.3],
          [1090, 0.4],
          [1120, 0.5],
        ],
      },
    });
    expect(await source.query(query({ metric: 'cpu', start: 5000, end: 5120 }))).toEqual({
      kind: 'value',
      points: [
        [5000, 0.1],
        [5060, 0.3],
        [5120, 0.5],
      ],
    });
  });

  it.each([
    ['no recording for the deploy', { deploy: { ...live, service: 'search', id: 'x' } }],
    ['a metric the recording lacks', { metric: 'memory' }],
    ['a range outside the recording', { start: 9000, end: 9600 }],
    ['no control series', { scope: 'control' as const, metric: 'cpu' }],
  ])('answers no-data for %s', async (_name, over) => {
    await put('a.json', recording('rec-1', 'checkout'));
    expect(await source.query(query(over))).toEqual({ kind: 'no-data' });
  });

  it('answers a non-retryable error when no readable recording matches and a file is unreadable', async () => {
    await put('bad.json', '{"format": ');
    const result = await source.query(query());
    expect(result).toMatchObject({ kind: 'error', retryable: false });
    expect(result.kind === 'error' && result.message).toContain(`${join(dir, 'bad.json')}: invalid JSON at line 1, column 12`);
  });

  it('still serves a readable match next to an unreadable file', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    await put('bad.json', { format: 'nope' });
    expect(await source.query(query({ start: 5000, end: 5000 }))).toEqual({ kind: 'value', points: [[5000, 0.003]] });
  });

  it('answers a non-retryable error for a missing directory', async () => {
    await rm(dir, { recursive: true, force: true });
    const result = await source.query(query());
    expect(result).toMatchObject({ kind: 'error', retryable: false });
    expect(result.kind === 'error' && result.message).toContain('cannot read recording directory');
  });

  it('picks up a changed file', async () => {
    await put('a.json', recording('rec-1', 'checkout'));
    expect(await source.query(query({ start: 5000, end: 5000 }))).toEqual({ kind: 'value', points: [[5000, 0.003]] });
    await put('a.json', { ...recording('rec-1', 'checkout'), series: { error_rate: [[1000, 0.123456]] } });
    expect(await source.query(query({ start: 5000, end: 5000 }))).toEqual({ kind: 'value', points: [[5000, 0.123456]] });
  });
});
