// replay's worker pool: a file judged on a worker thread gives exactly the line it gives on the main thread.
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inIndexOrder, poolWorkers, POOL_MIN_FILES, ReplayPool } from '../../src/cli/replay-pool.js';
import { replayFile, type ReplayedFile } from '../../src/cli/replay-recording.js';
import { loadRules, type LoadedRules } from '../../src/rules/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recordings');
const RULES = join(import.meta.dirname, '..', '..', 'rules');

let dir: string;
let files: string[];
let loaded: LoadedRules;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-replay-pool-'));
  const fixtures = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));
  files = [];
  for (let i = 0; i < 12; i++) {
    const file = join(dir, `${String(i).padStart(2, '0')}.json`);
    await copyFile(join(FIXTURES, fixtures[i % fixtures.length]!), file);
    files.push(file);
  }
  await writeFile(files[5]!, '{"format": "release-guard/recording@1", "deploy": {}}');
  files.push(join(dir, 'missing.json'));
  loaded = await loadRules(RULES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function judged(workers: number, mainThread: boolean, these = files): Promise<Array<[number, ReplayedFile]>> {
  const results: Array<[number, ReplayedFile]> = [];
  await new ReplayPool(workers).judge(loaded, these, (index, result) => results.push([index, result]), mainThread);
  return results;
}

describe('ReplayPool', () => {
  it('judges every file once, on worker threads exactly as on the main thread (error lines too)', async () => {
    const expected = files.map((file) => replayFile(loaded, file));
    expect(expected[5]!.count).toBeNull();
    expect(expected[0]!.count).not.toBeNull();
    for (const [workers, mainThread] of [
      [0, true],
      [1, false],
      [2, false],
      [2, true],
    ] as const) {
      const results = await judged(workers, mainThread);
      expect(results.map(([i]) => i).sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
      expect(results.sort((a, b) => a[0] - b[0]).map(([, r]) => r)).toEqual(expected);
    }
  });

  it('judges on the main thread what its workers cannot: here every file, the workers having ended', async () => {
    const pool = new ReplayPool(2);
    await pool.close();
    const results: Array<[number, ReplayedFile]> = [];
    await pool.judge(loaded, files, (index, result) => results.push([index, result]), false);
    expect(results.map(([, r]) => r)).toEqual(files.map((file) => replayFile(loaded, file)));
  });

  it('answers at once for no files', async () => {
    expect(await judged(2, false, [])).toEqual([]);
  });
});

describe('poolWorkers', () => {
  it('starts no worker for a few files, nor on two cores, then one per two further cores, at most 7', () => {
    expect(poolWorkers(POOL_MIN_FILES - 1, 16)).toBe(0);
    expect([1, 2, 3, 4, 5, 8, 16, 64].map((cores) => poolWorkers(POOL_MIN_FILES, cores))).toEqual([0, 0, 1, 1, 2, 3, 7, 7]);
  });
});

describe('inIndexOrder', () => {
  it('passes results on in index order, each as soon as the ones before it are in', () => {
    const seen: string[] = [];
    const put = inIndexOrder<string>((i, v) => seen.push(`${i}:${v}`));
    put(2, 'c');
    expect(seen).toEqual([]);
    put(0, 'a');
    expect(seen).toEqual(['0:a']);
    put(1, 'b');
    expect(seen).toEqual(['0:a', '1:b', '2:c']);
    put(3, 'd');
    expect(seen).toEqual(['0:a', '1:b', '2:c', '3:d']);
  });
});
