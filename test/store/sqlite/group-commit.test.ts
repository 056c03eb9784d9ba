// GroupCommit: which items share a write, and what a failed batch does to the items around it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db, type Queryable } from '../../../src/store/sqlite/db.js';
import { GroupCommit } from '../../../src/store/sqlite/group-commit.js';

let db: Db;

beforeEach(async () => {
  db = await openDb(':memory:');
});

afterEach(async () => {
  await db.close().catch(() => undefined);
});

/** A GroupCommit taking its turns on the test's connection. */
function onDb<I, R>(write: (items: I[]) => Promise<R[]>, max: number): GroupCommit<Queryable, I, R> {
  return new GroupCommit<Queryable, I, R>(
    (fn) => db.exclusive(fn),
    (_conn, items) => write(items),
    max,
  );
}

describe('GroupCommit', () => {
  it('retries only the failed batch one item at a time; items submitted while it ran keep their own batch', async () => {
    const batches: string[][] = [];
    let failNext = true;
    let began!: () => void;
    const running = new Promise<void>((resolve) => (began = resolve));
    const commits = onDb<string, string>(async (items) => {
      batches.push(items);
      if (failNext) {
        failNext = false;
        began();
        // Let later submissions arrive while this batch is written, then fail it.
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('the first batch fails');
      }
      return items.map((i) => `wrote ${i}`);
    }, 10);
    const first = [commits.submit('a'), commits.submit('b')];
    await running;
    const later = [commits.submit('c'), commits.submit('d')];
    const settled = await Promise.allSettled([...first, ...later]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'rejected'))).toEqual(['wrote a', 'wrote b', 'wrote c', 'wrote d']);
    // The failed batch, its items again one by one, and the later items together in the batch they joined.
    expect(batches).toEqual([['a', 'b'], ['a'], ['b'], ['c', 'd']]);
  });

  it('takes into a batch the items that arrive while the writer finishes other work', async () => {
    const batches: string[][] = [];
    const commits = onDb<string, string>(async (items) => {
      batches.push(items);
      return items;
    }, 10);
    let release!: () => void;
    let holding!: () => void;
    const writerBusy = new Promise<void>((resolve) => (holding = resolve));
    const held = db.transaction(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          holding();
        }),
    );
    await writerBusy;
    const first = commits.submit('a');
    // Two turns of the event loop later 'a' is waiting for the writer, not written: b and c join it.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const later = [commits.submit('b'), commits.submit('c')];
    release();
    await held;
    expect(await Promise.all([first, ...later])).toEqual(['a', 'b', 'c']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('rejects the items of a batch whose turn never comes (the connection is closed)', async () => {
    const commits = onDb<string, string>(async (items) => items, 10);
    await db.close();
    const settled = await Promise.allSettled([commits.submit('a'), commits.submit('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/after close\(\)/);
  });

  it('rejects each item of a failed batch with its own error when it fails alone too, and goes on with the next', async () => {
    const commits = onDb<string, string>(async (items) => {
      if (items.some((i) => i.startsWith('bad'))) throw new Error(`cannot write ${items.join(', ')}`);
      return items;
    }, 10);
    const settled = await Promise.allSettled([commits.submit('ok-1'), commits.submit('bad-1'), commits.submit('bad-2')]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([
      'ok-1',
      'Error: cannot write bad-1',
      'Error: cannot write bad-2',
    ]);
    expect(await commits.submit('ok-2')).toBe('ok-2');
  });

  it('refuses an answer of the wrong length as a failure, not a misattributed result', async () => {
    const commits = onDb<number, number>(async (items) => items.slice(1), 10);
    await expect(commits.submit(1)).rejects.toThrow('group commit: 0 results for 1 items');
  });

  it('writes no empty batch: a lone item is its own batch, a burst shares one up to `max`', async () => {
    const batches: number[] = [];
    const commits = onDb<number, number>(async (items) => {
      batches.push(items.length);
      return items;
    }, 3);
    expect(await commits.submit(1)).toBe(1);
    expect(await Promise.all([2, 3, 4, 5, 6, 7, 8].map((i) => commits.submit(i)))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(batches).toEqual([1, 3, 3, 1]);
  });
});
