// What a numbered SQLite migration is, and the helper that writes a CHECK list from a TypeScript const.

/**
 * One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed.
 * CHECK lists come from the consts in ../../records.ts via `sqlList`, so a fresh database always matches the
 * TypeScript; a change to a list needs a new migration that rebuilds the table for existing databases
 * (test/store/sqlite-schema.test.ts compares the live CHECKs with the consts).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `'a','b','c'` for `CHECK (col IN (…))`; values are our own consts, quoted defensively anyway. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',');
}
