// Reading recordings: valid files become the judge's shape; every problem names the file and where.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listRecordingFiles, parseRecording, readRecording, readRecordingSync } from '../../src/recording/read.js';
import { Recording } from '../../src/recording/schema.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recordings');

const valid = () => ({
  format: 'release-guard/recording@1',
  deploy: { id: 'd-42', service: 'checkout', environment: 'production', version: 'v1.2.0', previousVersion: 'v1.1.9', startedAt: 1763647200 },
  series: {
    error_rate: [
      [1763643600, 0.002],
      [1763643660, 0.0021],
    ],
    latency_p95: [[1763643600, 180]],
  },
  control: { error_rate: [[1763647200, 0.002]] },
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-recording-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseRecording', () => {
  it('accepts the DESIGN §3 example as is', () => {
    expect(parseRecording(valid(), 'x.json')).toEqual(valid());
  });

  it('sorts points, drops null gaps, ignores unknown top-level keys, allows a missing control and previousVersion', () => {
    const input = {
      ...valid(),
      control: undefined,
      exportedBy: 'release-guard 0.2',
      deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 100 },
      series: {
        cpu: [
          [300, 0.3],
          [100, 0.1],
          [200, null],
        ],
      },
    };
    expect(parseRecording(input, 'x.json')).toEqual({
      format: 'release-guard/recording@1',
      deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 100 },
      series: {
        cpu: [
          [100, 0.1],
          [300, 0.3],
        ],
      },
    });
  });

  it.each([
    [
      'a bad format string',
      { ...valid(), format: 'release-guard/recording@2' },
      'recordings/x.json: format: expected "release-guard/recording@1", got "release-guard/recording@2"',
    ],
    ['a missing format', { ...valid(), format: undefined }, 'recordings/x.json: format: required: "release-guard/recording@1"'],
    [
      'a bad point',
      {
        ...valid(),
        series: {
          error_rate: [
            [1, 0.1],
            [2, 0.1],
            [3, 0.1],
            ['t', 0.2],
          ],
        },
      },
      'recordings/x.json: series.error_rate[3]: expected [time, value] with time in Unix seconds and value a number or null, got ["t",0.2]',
    ],
    ['a point with three numbers', { ...valid(), series: { cpu: [[1, 2, 3]] } }, 'recordings/x.json: series.cpu[0]: expected [time, value]'],
    [
      'a point time in milliseconds',
      { ...valid(), series: { cpu: [[1763647200000, 0.3]] } },
      'recordings/x.json: series.cpu[0]: expected the time in Unix seconds, got 1763647200000 (milliseconds?)',
    ],
    [
      'a series that is not a list',
      { ...valid(), series: { 'p99 latency': 5 } },
      'recordings/x.json: series["p99 latency"]: expected an array of [time, value] points, got 5',
    ],
    [
      'startedAt in milliseconds',
      { ...valid(), deploy: { ...valid().deploy, startedAt: 1763647200000 } },
      'recordings/x.json: deploy.startedAt: expected Unix seconds, got 1763647200000 (milliseconds?)',
    ],
    ['a missing deploy field', { ...valid(), deploy: { ...valid().deploy, service: undefined } }, 'recordings/x.json: deploy.service: required: a string'],
    ['not an object', [1, 2], 'recordings/x.json: (root): expected a recording object, got [1,2]'],
  ])('rejects %s, naming the file and JSON path', (_name, input, message) => {
    expect(() => parseRecording(input, 'recordings/x.json')).toThrow(message);
  });
});

describe('readRecording', () => {
  it('reads the fixtures', async () => {
    const r = await readRecording(join(FIXTURES, 'healthy-steady.json'));
    expect(r.deploy).toEqual({
      id: 'd-healthy-steady',
      service: 'checkout',
      environment: 'production',
      version: 'v1.4.2',
      previousVersion: 'v1.4.1',
      startedAt: 1763647200,
    });
    expect(Object.keys(r.series)).toEqual(['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput']);
    expect(r.series.error_rate).toHaveLength(91);
    expect(r.series.throughput).toHaveLength(90); // one null gap dropped
  });

  it('names the file, line and column of a JSON syntax error', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{\n  "format": "release-guard/recording@1",\n  "deploy": {,\n}\n');
    await expect(readRecording(file)).rejects.toThrow(`${file}: invalid JSON at line 3, column 14 (position 56): `);
  });

  it('names the file it cannot read', async () => {
    const file = join(dir, 'missing.json');
    await expect(readRecording(file)).rejects.toThrow(`${file}: cannot read recording: ENOENT`);
  });

  it('names the file and path of a schema problem', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ ...valid(), series: { error_rate: [[1, 0.1], [2]] } }));
    await expect(readRecording(file)).rejects.toThrow(`${file}: series.error_rate[1]: expected [time, value]`);
  });
});

describe('readRecordingSync', () => {
  it('reads what readRecording reads and names the same problems', async () => {
    const fixture = join(FIXTURES, 'healthy-steady.json');
    expect(readRecordingSync(fixture)).toStrictEqual(await readRecording(fixture));
    const missing = join(dir, 'missing.json');
    expect(() => readRecordingSync(missing)).toThrow(`${missing}: cannot read recording: ENOENT`);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{\n  "format": "release-guard/recording@1",\n  "deploy": {,\n}\n');
    expect(() => readRecordingSync(broken)).toThrow(`${broken}: invalid JSON at line 3, column 14 (position 56): `);
  });
});

describe('listRecordingFiles', () => {
  it('keeps files as given and expands directories to their *.json files by name, not recursively', async () => {
    await writeFile(join(dir, 'b.json'), '{}');
    await writeFile(join(dir, 'a.json'), '{}');
    await writeFile(join(dir, 'notes.txt'), '');
    await mkdir(join(dir, 'nested.json'));
    await writeFile(join(dir, 'nested.json', 'c.json'), '{}');
    const single = join(dir, 'notes.txt');
    expect(await listRecordingFiles([single, dir, join(dir, 'nope.json')])).toEqual([single, join(dir, 'a.json'), join(dir, 'b.json'), join(dir, 'nope.json')]);
  });
});

describe('parseRecording fast path', () => {
  it("gives exactly the schema's answer for well-formed recordings (gaps dropped, points sorted, extra keys dropped)", () => {
    const cases: unknown[] = [
      {
        format: 'release-guard/recording@1',
        deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000 },
        series: {
          error_rate: [
            [1060, 0.1],
            [1000, null],
            [940, 0.2],
            [1060, 0.3],
          ],
        },
      },
      {
        format: 'release-guard/recording@1',
        extra: { ignored: true },
        deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000, previousVersion: null, labels: { a: 'b' }, unknown: 1 },
        series: {
          cpu: [],
          throughput: [
            [1, -0],
            [0, 5],
          ],
        },
        control: {
          cpu: [
            [3, 1],
            [2, null],
          ],
        },
        blind: [{ metric: 'cpu', at: 1060, kind: 'error', message: 'down', extra: 1 }],
      },
      { format: 'release-guard/recording@1', deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000 }, series: {}, blind: [] },
      {
        links: { ignored: 1 },
        series: { cpu: [[5, 1]] },
        deploy: {
          links: { ci: 'https://ci/1', log: '' },
          labels: {},
          startedAt: 1000,
          commit: 'abc',
          previousVersion: 'v0',
          version: 'v',
          environment: 'e',
          service: 's',
          id: 'd',
        },
        format: 'release-guard/recording@1',
        blind: [
          { message: '', kind: 'no-data', at: 999.5, metric: 'cpu' },
          { metric: 'memory', at: 1000, kind: 'error', message: 'timeout' },
        ],
      },
      // Not JSON: keys present as undefined, a __proto__ label (the schema's own rules decide these).
      {
        format: 'release-guard/recording@1',
        deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000, commit: undefined },
        series: {},
        control: undefined,
        blind: undefined,
      },
      {
        format: 'release-guard/recording@1',
        deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000, labels: JSON.parse('{"__proto__": "x", "a": "b"}') },
        series: {},
      },
    ];
    for (const json of cases) {
      const quick = parseRecording(json, 'x.json');
      const schema = Recording.parse(json);
      expect(quick).toStrictEqual(schema);
      // Same key order too (the deploy and blind spots reach JSON output).
      expect(JSON.stringify(quick)).toBe(JSON.stringify(schema));
    }
  });

  it('leaves problems to the schema, which names them', () => {
    const base = { format: 'release-guard/recording@1', deploy: { id: 'd', service: 's', environment: 'e', version: 'v', startedAt: 1000 } };
    expect(() => parseRecording({ ...base, series: { cpu: [[1700000000000, 1]] } }, 'x.json')).toThrow(
      /x\.json: series\.cpu\[0\]: expected the time in Unix seconds/,
    );
    expect(() => parseRecording({ ...base, series: { cpu: [[1, 'a']] } }, 'x.json')).toThrow(/series\.cpu\[0\]/);
    expect(() => parseRecording({ ...base, deploy: { ...base.deploy, id: '' }, series: {} }, 'x.json')).toThrow(/deploy\.id/);
    expect(() => parseRecording({ ...base, deploy: { ...base.deploy, labels: { team: 1 } }, series: {} }, 'x.json')).toThrow(/deploy\.labels\.team/);
    expect(() => parseRecording({ ...base, deploy: { ...base.deploy, startedAt: Infinity }, series: {} }, 'x.json')).toThrow(/deploy\.startedAt/);
    expect(() => parseRecording({ ...base, series: {}, blind: [{ metric: 'cpu', at: 1, kind: 'down', message: '' }] }, 'x.json')).toThrow(/blind\[0\]\.kind/);
  });
});
