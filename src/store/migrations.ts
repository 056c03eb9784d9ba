// Numbered schema migrations, applied in order on open (one transaction each) and recorded in schema_migrations.
import type { Db } from './db.js';
import { OUTBOX_MIGRATION } from './migration-002-outbox.js';

/** One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const WATCH_STATUSES = "'watching','pass','fail','inconclusive','superseded','stopped'";
const SEVERITIES = "'P0','P1','P2','P3'";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE deploys (
  id               TEXT PRIMARY KEY,
  service          TEXT NOT NULL,
  environment      TEXT NOT NULL,
  version          TEXT NOT NULL,
  previous_version TEXT,
  commit_sha       TEXT,
  started_at       REAL NOT NULL,
  labels           TEXT,
  links            TEXT,
  origin           TEXT NOT NULL CHECK (origin IN ('api','github','gitlab','demo')),
  received_at      REAL NOT NULL
);
CREATE INDEX deploys_by_received ON deploys (received_at DESC, id DESC);
CREATE INDEX deploys_by_service_env ON deploys (service, environment);

-- service, environment and started_at are copied from the deploy so that superseding is one indexed UPDATE.
CREATE TABLE watches (
  deploy_id     TEXT PRIMARY KEY REFERENCES deploys (id) ON DELETE CASCADE,
  service       TEXT NOT NULL,
  environment   TEXT NOT NULL,
  started_at    REAL NOT NULL,
  status        TEXT NOT NULL CHECK (status IN (${WATCH_STATUSES})),
  source        TEXT NOT NULL,
  time_scale    REAL NOT NULL,
  window_end    REAL NOT NULL,
  interval_s    REAL NOT NULL,
  evaluated_at  REAL,
  superseded_by TEXT REFERENCES deploys (id),
  reason        TEXT,
  updated_at    REAL NOT NULL
);
CREATE INDEX watches_by_status ON watches (status);
CREATE INDEX watches_by_service_env ON watches (service, environment, status);

CREATE TABLE samples (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  scope     TEXT NOT NULL CHECK (scope IN ('deploy','control')),
  metric    TEXT NOT NULL,
  t         REAL NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (deploy_id, scope, metric, t)
) WITHOUT ROWID;

CREATE TABLE blind_spots (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  at        REAL NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('error','no-data')),
  message   TEXT NOT NULL,
  PRIMARY KEY (deploy_id, metric, at)
) WITHOUT ROWID;

CREATE TABLE findings (
  deploy_id TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  rule      TEXT NOT NULL,
  metric    TEXT NOT NULL,
  severity  TEXT NOT NULL CHECK (severity IN (${SEVERITIES})),
  kind      TEXT NOT NULL CHECK (kind IN ('breach','blind')),
  at        REAL NOT NULL,
  observed  REAL,
  baseline  REAL,
  condition TEXT NOT NULL,
  summary   TEXT NOT NULL,
  PRIMARY KEY (deploy_id, rule)
) WITHOUT ROWID;

CREATE TABLE verdicts (
  deploy_id   TEXT PRIMARY KEY REFERENCES deploys (id) ON DELETE CASCADE,
  verdict     TEXT NOT NULL CHECK (verdict IN ('pass','fail','inconclusive')),
  severity    TEXT CHECK (severity IN (${SEVERITIES})),
  rollback    INTEGER NOT NULL CHECK (rollback IN (0, 1)),
  rollback_at REAL,
  reason      TEXT,
  decided_at  REAL NOT NULL
);

CREATE TABLE actions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  deploy_id   TEXT NOT NULL REFERENCES deploys (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('rollback','alert')),
  target      TEXT NOT NULL,
  dedup_key   TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL CHECK (status IN ('pending','running','succeeded','failed','interrupted')),
  request     TEXT,
  output      TEXT,
  error       TEXT,
  created_at  REAL NOT NULL,
  finished_at REAL
);
CREATE INDEX actions_by_deploy ON actions (deploy_id, id);
CREATE INDEX actions_by_status ON actions (status);
`,
  },
  OUTBOX_MIGRATION,
  {
    version: 3,
    name: 'finding evidence',
    // The judge's evidence (baseline spread, test statistic, p-value, persistence) and when a finding cleared.
    sql: `
ALTER TABLE findings ADD COLUMN evidence TEXT;
ALTER TABLE findings ADD COLUMN cleared_at REAL;
`,
  },
  {
    version: 4,
    name: 'store write probe',
    // One row per recovery from an unwritable store (disk full): the probe write that found it writable again.
    sql: `
CREATE TABLE store_probe (
  id  INTEGER PRIMARY KEY,
  at  REAL NOT NULL,
  pad BLOB NOT NULL
);
`,
  },
];

/** The highest schema version this build knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the database up to `LATEST_VERSION`, one transaction per migration, and returns the versions it applied.
 * Refuses a database written by a newer release-guard rather than guess at a schema it does not know.
 */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkSequence(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at REAL NOT NULL
  )`);
  const current = await currentVersion(db);
  if (current > latest) {
    throw new Error(
      `the database ${db.path} has schema version ${current}, newer than this release-guard knows (${latest}); ` +
        'upgrade release-guard, or point RELEASE_GUARD_DATA_DIR at a different directory',
    );
  }
  const applied: number[] = [];
  for (const m of migrations.filter((m) => m.version > current)) {
    const ran = await db
      .transaction(async (tx) => {
        // Another process may have applied it between our read and our write lock.
        if (await tx.get('SELECT 1 AS one FROM schema_migrations WHERE version = ?', [m.version])) return false;
        await tx.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now() / 1000]);
        return true;
      })
      .catch((cause: unknown) => {
        throw new Error(`migration ${m.version} (${m.name}) failed on ${db.path}; the database is left at version ${applied.at(-1) ?? current}`, { cause });
      });
    if (ran) applied.push(m.version);
  }
  return applied;
}

/** The highest migration version recorded in the database, 0 for a fresh one. */
export async function currentVersion(db: Db): Promise<number> {
  const row = await db.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  return row?.version ?? 0;
}

function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version} but is number ${i + 1} in the list; versions must be 1, 2, 3, … in order`);
  });
}
