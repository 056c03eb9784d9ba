// allCached: a read-only connection answers a kept result only while nothing has been committed to the file since.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { openReaders } from '../../../src/store/sqlite/readers.js';
import { READ_CACHE_MAX_CHARS, READ_CACHE_SIZE, ReadCache } from '../../../src/store/sqlite/read-cache.js';
import { tempDir } from '../sample-records.js';

let file: string;
let remove: () => Promise<void>;
let writer: Db;
const opened: Db[] = [];

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  file = join(dir, 'guard.db');
  writer = await openDb(file);
  await writer.exec('CREATE TABLE t (v TEXT NOT NULL)');
  await writer.run("INSERT INTO t (v) VALUES ('a')");
});

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close().catch(() => undefined);
  await writer.close().catch(() => undefined);
  await remove();
});

async function open(readOnly: boolean): Promise<Db> {
  const db = await openDb(file, { readOnly });
  opened.push(db);
  return db;
}

const values = async (db: Db, sql = 'SELECT v FROM t ORDER BY rowid', params: string[] = []) =>
  (await db.allCached!<{ v: string }>(sql, params)).map((r) => r.v);

describe('allCached', () => {
  it('answers the kept rows while nothing is committed, and the new rows after a commit', async () => {
    const reader = await open(true);
    const first = await reader.allCached!('SELECT v FROM t ORDER BY rowid');
    expect(await reader.allCached!('SELECT v FROM t ORDER BY rowid')).toBe(first);
    await writer.run("INSERT INTO t (v) VALUES ('b')");
    expect(await values(reader)).toEqual(['a', 'b']);
    await writer.transaction(async (tx) => {
      await tx.run("UPDATE t SET v = 'c' WHERE v = 'b'");
    });
    expect(await values(reader)).toEqual(['a', 'c']);
  });

  it('sees a commit of any other connection, a second process’s included', async () => {
    const reader = await open(true);
    expect(await values(reader)).toEqual(['a']);
    const other = await open(false);
    await other.run("INSERT INTO t (v) VALUES ('from elsewhere')");
    expect(await values(reader)).toEqual(['a', 'from elsewhere']);
  });

  it('keeps answers per statement and parameters', async () => {
    const reader = await open(true);
    const sql = 'SELECT v FROM t WHERE v <> ? ORDER BY rowid';
    await writer.run("INSERT INTO t (v) VALUES ('b')");
    expect(await values(reader, sql, ['a'])).toEqual(['b']);
    expect(await values(reader, sql, ['b'])).toEqual(['a']);
    expect(await values(reader, sql, ['a'])).toEqual(['b']);
  });

  it('on a connection that writes, always reads (its own commits do not change data_version)', async () => {
    expect(await values(writer)).toEqual(['a']);
    await writer.run("INSERT INTO t (v) VALUES ('b')");
    expect(await values(writer)).toEqual(['a', 'b']);
  });

  it('through a pool of readers, sees each commit whichever connection answers', async () => {
    const pool = await openReaders(file, 3);
    opened.push(pool);
    for (let i = 0; i < 5; i++) {
      const all = await Promise.all([values(pool), values(pool), values(pool)]);
      expect(new Set(all.map((v) => v.length))).toEqual(new Set([i + 1]));
      await writer.run('INSERT INTO t (v) VALUES (?)', [`n${i}`]);
    }
  });
});

describe('ReadCache', () => {
  it('keys text, number and null parameters only, drops the least recently used beyond its size, keeps no large answer', () => {
    expect(ReadCache.key('SELECT ?', ['x', 1, null])?.endsWith('["x",1,null]')).toBe(true);
    expect(ReadCache.key('SELECT ?', ['x'])).toBe(ReadCache.key('SELECT ?', ['x']));
    expect(ReadCache.key('SELECT ?', ['x'])).not.toBe(ReadCache.key('SELECT ? ', ['x']));
    expect(ReadCache.key('SELECT ?', [Buffer.from('x')])).toBeNull();
    expect(ReadCache.key('SELECT ?', [1n])).toBeNull();
    const cache = new ReadCache();
    for (let i = 0; i <= READ_CACHE_SIZE; i++) cache.set(`k${i}`, 1, [i]);
    expect(cache.get('k0', 1)).toBeUndefined();
    expect(cache.get('k1', 1)).toEqual([1]);
    expect(cache.get('k1', 2)).toBeUndefined();
    cache.set('big', 1, [{ text: 'x'.repeat(READ_CACHE_MAX_CHARS + 1) }]);
    expect(cache.get('big', 1)).toBeUndefined();
    cache.set('fits', 1, [{ text: 'x'.repeat(READ_CACHE_MAX_CHARS) }]);
    expect(cache.get('fits', 1)).toHaveLength(1);
  });
});
