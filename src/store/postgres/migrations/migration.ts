// What a numbered PostgreSQL migration is (the list and the runner are in ../migrate.ts).

/** One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed. */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}
