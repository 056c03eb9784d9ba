// The action outbox: a dedup key is claimed once (also under concurrency), results recorded, crash leftovers interrupted.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { deployRecord, newWatch, tempDir } from './sample-records.js';

let remove: () => Promise<void>;
let store: Store;

beforeEach(async () => {
  let dir: string;
  ({ dir, remove } = await tempDir());
  store = await openStore(join(dir, 'guard.db'));
  await store.createDeploy(deployRecord(), newWatch());
});
afterEach(async () => {
  await store.close();
  await remove();
});

const claim = (dedupKey: string, target = 'k8s-undo') => ({ deployId: 'd-42', kind: 'rollback' as const, target, dedupKey, request: { env: { VERSION: 'v1.1.9' }, retries: 2, dry: false } });

describe('claimAction', () => {
  it('creates a running action the first time and returns null for the same dedup key after', async () => {
    const first = await store.claimAction(claim('d-42:rollback:k8s-undo'), 1763647500);
    expect(first).toEqual({
      id: 1, deployId: 'd-42', kind: 'rollback', target: 'k8s-undo', dedupKey: 'd-42:rollback:k8s-undo', status: 'running',
      request: { env: { VERSION: 'v1.1.9' }, retries: 2, dry: false }, output: null, error: null, createdAt: 1763647500, finishedAt: null,
    });
    expect(await store.claimAction(claim('d-42:rollback:k8s-undo', 'other'), 1763647600)).toBeNull();
    expect((await store.getDeploy('d-42'))?.actions).toEqual([first]);
  });

  it('lets exactly one of ten concurrent claims of a key win', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claimAction(claim('same-key'), 100 + i)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect((await store.getDeploy('d-42'))?.actions).toHaveLength(1);
  });

  it('stores an undefined request as null', async () => {
    const action = await store.claimAction({ ...claim('k'), request: undefined }, 1);
    expect(action?.request).toBeNull();
  });
});

describe('finishAction', () => {
  it('records status, output, error and finish time', async () => {
    const a = await store.claimAction(claim('k1'), 10);
    const b = await store.claimAction({ ...claim('k2'), kind: 'alert', target: 'slack' }, 11);
    await store.finishAction(a!.id, { status: 'succeeded', output: 'deployment rolled back', error: null }, 20);
    await store.finishAction(b!.id, { status: 'failed', output: 'HTTP 500', error: 'slack answered 500' }, 21);
    const actions = (await store.getDeploy('d-42'))?.actions;
    expect(actions?.map((x) => [x.id, x.kind, x.status, x.output, x.error, x.finishedAt])).toEqual([
      [a!.id, 'rollback', 'succeeded', 'deployment rolled back', null, 20],
      [b!.id, 'alert', 'failed', 'HTTP 500', 'slack answered 500', 21],
    ]);
  });

  it('rejects an unknown id', async () => {
    await expect(store.finishAction(999, { status: 'succeeded', output: null, error: null }, 1)).rejects.toThrow('cannot finish action 999: no such action');
  });
});

describe('markInterruptedActions', () => {
  it('marks running actions interrupted, returns them by id, and leaves finished ones alone', async () => {
    const done = await store.claimAction(claim('k1'), 10);
    await store.finishAction(done!.id, { status: 'succeeded', output: null, error: null }, 11);
    const r1 = await store.claimAction(claim('k2'), 12);
    const r2 = await store.claimAction(claim('k3'), 13);
    const interrupted = await store.markInterruptedActions(50);
    expect(interrupted.map((a) => [a.id, a.status, a.finishedAt])).toEqual([
      [r1!.id, 'interrupted', 50],
      [r2!.id, 'interrupted', 50],
    ]);
    expect(await store.markInterruptedActions(60)).toEqual([]);
    expect((await store.getDeploy('d-42'))?.actions.map((a) => a.status)).toEqual(['succeeded', 'interrupted', 'interrupted']);
  });
});
