// On SQLite a list page is one statement that writes its rows as JSON (deploy-page.ts): it must give exactly the page
// that the three plain queries give (the path PostgreSQL takes), for hostile text and for REALs that JSON would round.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeployListQuery } from '../../../src/store/records.js';
import type { Db, Queryable } from '../../../src/store/sqlite/db.js';
import { listDeploys } from '../../../src/store/sqlite/deploys.js';
import { sqliteStore } from '../../../src/store/sqlite/index.js';
import { deployRecord, finding, judgement, migratedSqlite, newDelivery, newWatch } from '../sample-records.js';

let db: Db;
let remove: () => Promise<void>;

beforeEach(async () => ({ db, remove } = await migratedSqlite()));
afterEach(() => remove());

/** The same connection, read as another dialect would: plain selects, a JavaScript value per column. */
function plainReads(q: Db): Queryable {
  return { dialect: 'postgres', run: (s, p) => q.run(s, p), get: (s, p) => q.get(s, p), all: (s, p) => q.all(s, p), exec: (s) => q.exec(s) };
}

const hostile = `"quoted" \\ back\\slash \u0000 nul, \u2028 line sep, 😀, </script>, '); DROP TABLE deploys; --`;
/** REALs that SQLite's JSON (15 significant digits) would change, and the edges of a double. */
const reals = [1795991599.6961234, 0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, 2 ** 63, -(2 ** 62) - 1024, 1e21, -0.25];

describe('a list page on SQLite', () => {
  beforeEach(async () => {
    const store = sqliteStore(db);
    for (const [i, at] of reals.entries()) {
      const id = `d-${i}`;
      await store.createDeploy(
        deployRecord({ id, service: i % 2 ? hostile : 'plain', version: hostile, labels: { [hostile]: hostile }, startedAt: at, receivedAt: 1000 + i + 1 / 7 }),
        newWatch({ windowEnd: at, timeScale: reals[(i + 1) % reals.length]!, interval: 1 / 7 }),
      );
    }
    await db.run(`INSERT INTO deploys (id, service, environment, version, started_at, origin, received_at) VALUES ('d-bare', 's', 'e', 'v', 1, 'api', 2)`);
    const findings = [
      finding({ rule: 'b', at: 0.1 + 0.2, observed: Infinity, baseline: null, summary: hostile, clearedAt: 1 / 3 }),
      finding({ rule: 'a', at: 0.1 + 0.2, observed: -Infinity, baseline: 1.7976931348623157e308, shadow: true }),
      finding({ rule: 'c', at: 0.5 }),
    ];
    await store.saveJudgement(
      'd-1',
      judgement({ findings, state: 'done', verdict: 'fail', severity: 'P1', rollback: true, rollbackAt: 1 / 3, evaluatedAt: 0.1 + 0.2 }),
      'fail',
      1 / 9,
    );
    await store.saveJudgement('d-2', judgement({ findings: [finding({ rule: 'z', at: 5e-324 })] }), 'watching', 3);
    const deliveries = await store.enqueueDeliveries(
      [
        newDelivery('k1', { deployId: 'd-1', action: { kind: 'rollback', target: hostile, request: { hostile } } }),
        newDelivery('k2', { deployId: 'd-1', action: { kind: 'alert', target: 'alerts', request: {} } }),
        newDelivery('k3', { deployId: 'd-2', action: null }),
      ],
      0.1 + 0.2,
    );
    await store.finishDelivery(deliveries[0]!.id, { status: 'failed', error: 'exit 3', output: hostile }, 1 / 3);
  });

  const queries: DeployListQuery[] = [
    {},
    { limit: 3 },
    { service: hostile },
    { status: 'fail' },
    { before: 'd-3', limit: 4 },
    { after: { receivedAt: 1003 + 1 / 7, id: 'd-3' } },
    { before: 'unknown' },
    { service: 'nobody' },
  ];

  it.each(queries)('gives the page the plain queries give: %j', async (query) => {
    const page = await listDeploys(db, query);
    expect(page).toEqual(await listDeploys(plainReads(db), query));
    // toEqual takes 0 for -0 and skips undefined fields: compare what the API sends too.
    expect(JSON.stringify(page)).toBe(JSON.stringify(await listDeploys(plainReads(db), query)));
  });

  it('keeps every digit of the REALs and the order of findings and actions', async () => {
    const page = await listDeploys(db, {});
    expect(page.map((s) => s.deploy.startedAt).slice(-reals.length - 1, -1)).toEqual([...reals].reverse());
    const d1 = page.find((s) => s.deploy.id === 'd-1')!;
    expect(d1.findings.map((f) => [f.rule, f.at, f.observed])).toEqual([
      ['a', 0.1 + 0.2, -Infinity],
      ['b', 0.1 + 0.2, Infinity],
      ['c', 0.5, 0.08],
    ]);
    expect(d1.findings[1]).toMatchObject({ summary: hostile, clearedAt: 1 / 3 });
    expect(d1.verdict).toMatchObject({ rollback: true, rollbackAt: 1 / 3 });
    expect(d1.actions.map((a) => [a.target, a.status, a.createdAt, a.finishedAt])).toEqual([
      [hostile, 'failed', 0.1 + 0.2, 1 / 3],
      ['alerts', 'pending', 0.1 + 0.2, null],
    ]);
    expect(page.find((s) => s.deploy.id === 'd-bare')).toMatchObject({ watch: null, verdict: null, findings: [], actions: [] });
  });
});
