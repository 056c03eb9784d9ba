// What `release-guard store copy` carries from SQLite to PostgreSQL: every table, in foreign-key order, or a reason
// why not. A new SQLite table must be added to one of the two lists (test/store/copy-coverage.test.ts fails until it is).

/** A table copied row for row, ids kept. Its columns are the SQLite table's; PostgreSQL must have each of them. */
export interface CopiedTable {
  table: string;
  /** What it holds, for the report. */
  what: string;
}

/**
 * Parents before children (deploys before everything that references them, silences before deliveries), so the
 * foreign keys hold row by row. Append a new table after the tables it references.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { table: 'deploys', what: 'deploys' },
  { table: 'watches', what: 'watches (open ones are carried on by the replicas)' },
  { table: 'samples', what: 'metric samples' },
  { table: 'blind_spots', what: 'blind spots' },
  { table: 'findings', what: 'findings' },
  { table: 'verdicts', what: 'verdicts' },
  { table: 'recoveries', what: 'recovery checks after rollbacks' },
  { table: 'silences', what: 'silences' },
  { table: 'deliveries', what: 'outbox deliveries (alerts, hook calls, actions)' },
  { table: 'delivery_attempts', what: 'delivery attempts (the latest per delivery)' },
  { table: 'review_actions', what: 'SRE review actions' },
  { table: 'feedback', what: 'SRE feedback labels' },
  { table: 'nonces', what: 'seen request signatures (replays stay refused)' },
  { table: 'source_outages', what: 'metric-source outages still open (alerted once, not again after the switch)' },
];

/** SQLite tables deliberately not copied, and why. */
export const NOT_COPIED: Readonly<Record<string, string>> = {
  schema_migrations: 'each store records its own migrations',
  sqlite_sequence: "SQLite's own AUTOINCREMENT bookkeeping; PostgreSQL's identity sequences are set after the copy",
  store_probe: 'padding written while recovering from a full disk; meaningless on another store',
};
