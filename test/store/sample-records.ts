// Builders for store tests: a temp directory (or a migrated SQLite file in one) per test, and deploy/watch/judgement
// records with overridable fields.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Judgement } from '../../src/judge/types.js';
import type { DeployRecord, NewDelivery, WatchRecord } from '../../src/store/records.js';
import { openDb, type Db } from '../../src/store/sqlite/db.js';
import { migrate } from '../../src/store/sqlite/migrate.js';

/** A fresh temp directory and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rg-store-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A migrated SQLite store file in a fresh temp directory, and a function that closes it and removes the directory. */
export async function migratedSqlite(): Promise<{ db: Db; remove: () => Promise<void> }> {
  const { dir, remove } = await tempDir();
  const db = await openDb(join(dir, 'guard.db'));
  await migrate(db);
  return {
    db,
    remove: async () => {
      await db.close();
      await remove();
    },
  };
}

export function deployRecord(overrides: Partial<DeployRecord> = {}): DeployRecord {
  return {
    id: 'd-42',
    service: 'checkout',
    environment: 'production',
    version: 'v1.2.0',
    previousVersion: 'v1.1.9',
    commit: 'abc123',
    startedAt: 1763647200,
    labels: { team: 'payments' },
    links: { ci: 'https://ci.example/run/7' },
    origin: 'api',
    receivedAt: 1763647201,
    ...overrides,
  };
}

export function newWatch(overrides: Partial<Omit<WatchRecord, 'deployId' | 'updatedAt'>> = {}): Omit<WatchRecord, 'deployId' | 'updatedAt'> {
  return {
    status: 'watching',
    source: 'demo',
    timeScale: 1,
    windowEnd: 1763648100,
    interval: 60,
    evaluatedAt: null,
    supersededBy: null,
    reason: null,
    ...overrides,
  };
}

/** A P1 error-rate breach finding. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'error-rate-spike',
    metric: 'error_rate',
    severity: 'P1',
    at: 360,
    observed: 0.08,
    baseline: 0.004,
    condition: 'ratio > 5',
    kind: 'breach',
    summary: 'error_rate 8% vs 0.4%',
    ...overrides,
  };
}

export function judgement(overrides: Partial<Judgement> = {}): Judgement {
  return {
    state: 'watching',
    verdict: null,
    severity: null,
    rollback: false,
    rollbackAt: null,
    findings: [],
    evaluatedAt: 1763647500,
    windowEnd: 1763648100,
    reason: null,
    ...overrides,
  };
}

/** A pending Slack alert delivery of deploy d-42 keyed `key` (its thread the deploy), with `overrides`. */
export function newDelivery(key: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    dedupKey: key,
    deployId: 'd-42',
    service: 'checkout',
    environment: 'production',
    kind: 'notification',
    event: 'alert',
    channel: 'alerts',
    channelType: 'slack',
    severity: 'P1',
    thread: 'd-42',
    payload: { text: key },
    status: 'pending',
    silenceId: null,
    deadlineAt: 5000,
    action: { kind: 'alert', target: 'alerts', request: { title: key } },
    ...overrides,
  };
}
