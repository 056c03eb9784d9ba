// deployRows reads the non-REAL deploy columns packed into one JSON text per row: it must give exactly the rows the
// plain select gives, for hostile text and for times that need all 17 significant digits.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/sqlite/db.js';
import { sqliteStore } from '../../../src/store/sqlite/index.js';
import { DEPLOY_SELECT, deployRows } from '../../../src/store/sqlite/rows.js';
import { deployRecord, newWatch, migratedSqlite } from '../sample-records.js';

let db: Db;
let remove: () => Promise<void>;

beforeEach(async () => ({ db, remove } = await migratedSqlite()));
afterEach(() => remove());

describe('deployRows', () => {
  it('gives the rows of DEPLOY_SELECT exactly: hostile text, nulls, absent watches and verdicts, 17-digit times', async () => {
    const store = sqliteStore(db);
    const hostile = `"quoted" \\ back\\slash \u0000 nul, \u2028 line sep, 😀, </script><img src=x onerror=alert(1)>, '); DROP TABLE deploys; --`;
    await store.createDeploy(
      deployRecord({
        id: 'd-hostile',
        service: hostile,
        version: hostile,
        previousVersion: null,
        commit: null,
        labels: { [hostile]: hostile },
        links: {},
        startedAt: 1795991599.6961234,
        receivedAt: 1795991600.1234567,
      }),
      newWatch({ windowEnd: 1795993399 + 1 / 7, timeScale: 0.1 + 0.2, interval: 1 / 3 }),
    );
    await store.createDeploy(deployRecord({ id: 'd-plain', service: 'other', startedAt: 5e-324, receivedAt: 1.7976931348623157e308 }), newWatch());
    await db.run(`INSERT INTO deploys (id, service, environment, version, started_at, origin, received_at) VALUES ('d-bare', 's', 'e', 'v', 1, 'api', 2)`);
    const tail = 'ORDER BY d.received_at DESC, d.id DESC';
    const plain = await db.all(`${DEPLOY_SELECT} ${tail}`);
    const packed = await deployRows(db, tail);
    expect(packed).toHaveLength(3);
    expect(packed).toEqual(plain);
    const hostileRow = packed.find((r) => r.id === 'd-hostile')!;
    expect(hostileRow.service).toBe(hostile);
    expect(hostileRow.started_at).toBe(1795991599.6961234);
    expect(hostileRow.w_time_scale).toBe(0.1 + 0.2);
    expect(hostileRow.w_interval_s).toBe(1 / 3);
    expect(packed.find((r) => r.id === 'd-bare')).toMatchObject({ w_status: null, v_verdict: null, labels: null });
  });

  it('reads the same views and list pages through the store as were written', async () => {
    const store = sqliteStore(db);
    const deploy = deployRecord({ id: 'd-1', startedAt: 1795991599.6961234, receivedAt: 1795991600 + 1 / 9 });
    const { view } = await store.createDeploy(deploy, newWatch());
    expect(await store.getDeploy('d-1')).toEqual(view);
    const [summary] = await store.listDeploys({});
    expect(summary!.deploy).toEqual(view.deploy);
    expect(summary!.watch).toEqual(view.watch);
  });
});

describe('a write statement run to its end', () => {
  it('holds nothing open: COMMIT and a second connection see it without a reset in between', async () => {
    await db.exec('CREATE TABLE t (v TEXT NOT NULL)');
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (?)', ['a']);
      await tx.run('INSERT INTO t (v) VALUES (?)', ['b']);
    });
    await db.run('INSERT INTO t (v) VALUES (?)', ['c']);
    const other = await openDb(db.path);
    try {
      expect(await other.all('SELECT v FROM t ORDER BY rowid')).toEqual([{ v: 'a' }, { v: 'b' }, { v: 'c' }]);
      // The other connection can write at once: no statement of the first holds a transaction open.
      await other.run('INSERT INTO t (v) VALUES (?)', ['d']);
    } finally {
      await other.close();
    }
    expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 4 });
  });
});
