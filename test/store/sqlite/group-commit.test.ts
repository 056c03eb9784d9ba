// GroupCommit: which items share a transaction, and what a failed batch does to the items around it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { GroupCommit } from '../../../src/store/sqlite/group-commit.js';

let db: Db;

beforeEach(async () => {
  db = await openDb(':memory:');
});

afterEach(async () => {
  await db.close().catch(() => undefined);
});

describe('GroupCommit', () => {
  it('retries only the failed batch one item at a time; items submitted while it ran keep their own batch', async () => {
    const batches: string[][] = [];
    let failNext = true;
    let began!: () => void;
    const running = new Promise<void>((resolve) => (began = resolve));
    const commits = new GroupCommit<string, string>(
      db,
      async (_tx, items) => {
        batches.push(items);
        if (failNext) {
          failNext = false;
          began();
          // Let later submissions arrive while this batch is in its transaction, then fail it.
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('the first batch fails');
        }
        return items.map((i) => `wrote ${i}`);
      },
      10,
    );
    const first = [commits.submit('a'), commits.submit('b')];
    await running;
    const later = [commits.submit('c'), commits.submit('d')];
    const settled = await Promise.allSettled([...first, ...later]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'rejected'))).toEqual(['wrote a', 'wrote b', 'wrote c', 'wrote d']);
    // The failed batch, its items again one by one, and the later items together in the batch they joined.
    expect(batches).toEqual([['a', 'b'], ['a'], ['b'], ['c', 'd']]);
  });

  it('rejects the items of a batch whose transaction cannot begin', async () => {
    const commits = new GroupCommit<string, string>(db, async (_tx, items) => items, 10);
    await db.close();
    const settled = await Promise.allSettled([commits.submit('a'), commits.submit('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/after close\(\)/);
  });

  it('writes no empty batch: a lone item is its own batch, a burst shares one up to `max`', async () => {
    const batches: number[] = [];
    const commits = new GroupCommit<number, number>(
      db,
      async (_tx, items) => {
        batches.push(items.length);
        return items;
      },
      3,
    );
    expect(await commits.submit(1)).toBe(1);
    expect(await Promise.all([2, 3, 4, 5, 6, 7, 8].map((i) => commits.submit(i)))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(batches).toEqual([1, 3, 3, 1]);
  });
});
