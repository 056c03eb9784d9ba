// New deploys and their watches, a batch in one SQLite statement: the write path of POST /v1/deploys under load.
import type { DeployRecord, NewWatch } from '../records.js';
import type { Queryable } from './db.js';
import { DEPLOY_INSERT_COLUMNS, deployParams, rowMarks, supersedesOnArrival, WATCH_STATE_COLUMNS, watchStateParams } from './deploys.js';

/** Most deploys one `DeployBatchWriter.write` takes (each is a row of INTAKE_COLUMNS parameters). */
export const MAX_DEPLOY_BATCH = 128;

/** The item's place in its batch, whether it supersedes on arrival, then its deploy's and its watch's own columns. */
const INTAKE_COLUMNS = `ord, supersedes, ${DEPLOY_INSERT_COLUMNS}, ${WATCH_STATE_COLUMNS}`;
const INTAKE_WIDTH = INTAKE_COLUMNS.split(',').length;

/** `NEW.a, NEW.b, …` for columns `a, b, …`: a trigger's row values. */
const fromNew = (columns: string): string =>
  columns
    .split(', ')
    .map((c) => `NEW.${c}`)
    .join(', ');

/**
 * The writer connection's own (TEMP) intake table and its triggers. Before a row goes in, its trigger does for that
 * one deploy exactly what `insertDeploy` does in its transaction — insert the deploy (a stored id changes nothing),
 * and if it was new, supersede the older watching watches of its service and environment (unless it is dated ahead of
 * its arrival) and insert its watch — noting the outcome in deploy_intake_out, where the INSERT's RETURNING reads it
 * (RETURNING sees what BEFORE triggers did, not what AFTER triggers do; the test of DeployBatchWriter holds it to the
 * one-at-a-time outcome). Rows of one multi-row INSERT are handled in order, so a batch ends as one transaction per
 * deploy in that order would; and a statement is atomic with its triggers, so a batch is stored whole or not at all,
 * with no BEGIN and COMMIT round trips. The triggers change only other tables before the row is in (as SQLite
 * requires of a BEFORE trigger), and remove the row once it is; an earlier batch's outcomes go with the next batch's
 * first row.
 */
const INTAKE_SCHEMA = `
CREATE TEMP TABLE IF NOT EXISTS deploy_intake (${INTAKE_COLUMNS});
CREATE TEMP TABLE IF NOT EXISTS deploy_intake_out (ord INTEGER NOT NULL, created INTEGER, superseded TEXT);
CREATE TEMP TRIGGER IF NOT EXISTS deploy_intake_store BEFORE INSERT ON deploy_intake BEGIN
  DELETE FROM deploy_intake_out WHERE NEW.ord = 0;
  INSERT INTO deploys (${DEPLOY_INSERT_COLUMNS})
    VALUES (${fromNew(DEPLOY_INSERT_COLUMNS)})
    ON CONFLICT (id) DO NOTHING;
  INSERT INTO deploy_intake_out (ord, created) VALUES (NEW.ord, changes());
  INSERT INTO deploy_intake_out (ord, superseded)
    SELECT NEW.ord, w.deploy_id FROM watches w
    WHERE NEW.supersedes = 1 AND w.service = NEW.service AND w.environment = NEW.environment AND w.status = 'watching'
      AND w.started_at <= NEW.started_at AND w.deploy_id <> NEW.id
      AND (SELECT o.created FROM deploy_intake_out o WHERE o.ord = NEW.ord AND o.created IS NOT NULL) = 1;
  UPDATE watches SET status = 'superseded', superseded_by = NEW.id, reason = 'superseded by ' || NEW.id, updated_at = NEW.received_at
    WHERE deploy_id IN (SELECT o.superseded FROM deploy_intake_out o WHERE o.ord = NEW.ord AND o.superseded IS NOT NULL);
  INSERT INTO watches (deploy_id, service, environment, started_at, ${WATCH_STATE_COLUMNS}, updated_at)
    SELECT NEW.id, NEW.service, NEW.environment, NEW.started_at, ${fromNew(WATCH_STATE_COLUMNS)}, NEW.received_at
    WHERE (SELECT o.created FROM deploy_intake_out o WHERE o.ord = NEW.ord AND o.created IS NOT NULL) = 1;
END;
CREATE TEMP TRIGGER IF NOT EXISTS deploy_intake_clear AFTER INSERT ON deploy_intake BEGIN
  DELETE FROM deploy_intake WHERE rowid = NEW.rowid;
END;`;

/** What the intake INSERT answers per row: its place in the batch, whether it was stored, what it superseded (JSON). */
const INTAKE_RETURNING = `RETURNING ord,
  (SELECT o.created FROM deploy_intake_out o WHERE o.ord = deploy_intake.ord AND o.created IS NOT NULL) AS created,
  (SELECT json_group_array(o.superseded) FROM deploy_intake_out o
   WHERE o.ord = deploy_intake.ord AND o.superseded IS NOT NULL) AS superseded`;

/** `(?, ?, …)` for one intake row. */
const INTAKE_ROW = rowMarks(INTAKE_WIDTH);

/** The intake INSERT for n rows, by n: one string each, made once (the statement cache looks statements up by text). */
const intakeSql: string[] = [];
const intakeInsert = (n: number): string =>
  (intakeSql[n] ??= `INSERT INTO deploy_intake (${INTAKE_COLUMNS}) VALUES ${new Array<string>(n).fill(INTAKE_ROW).join(', ')} ${INTAKE_RETURNING}`);

/**
 * Writes new deploys and their watches on the writer connection, in one statement whatever their number: an
 * INSERT into the intake table, whose trigger stores them (see INTAKE_SCHEMA) and whose RETURNING answers the
 * outcomes. Each item's answer is what `insertDeploy` one item after another, each in its own transaction, would
 * answer: its superseded ids (sorted), or null when its id was stored already — before the batch or by an earlier item
 * of it. `conn` is the writer's connection in an exclusive turn (Db.exclusive), not inside a transaction (the INSERT
 * is one by itself), the same connection at every call; one call at a time (the store's group commit).
 */
export class DeployBatchWriter {
  private schema: Promise<void> | null = null;

  async write(conn: Queryable, items: ReadonlyArray<{ deploy: DeployRecord; watch: NewWatch }>): Promise<Array<string[] | null>> {
    if (items.length === 0) return [];
    if (items.length > MAX_DEPLOY_BATCH) throw new Error(`a deploy batch takes at most ${MAX_DEPLOY_BATCH} deploys, got ${items.length}`);
    // The TEMP schema lives as long as the connection: made by the first batch.
    this.schema ??= conn.exec(INTAKE_SCHEMA).catch((err: unknown) => {
      this.schema = null;
      throw err;
    });
    await this.schema;
    const outcomes = await conn.all<{ ord: number; created: number; superseded: string }>(
      intakeInsert(items.length),
      items.flatMap(({ deploy, watch }, ord) => [ord, supersedesOnArrival(deploy) ? 1 : 0, ...deployParams(deploy), ...watchStateParams(watch)]),
    );
    const answers: Array<string[] | null> = items.map(() => null);
    for (const o of outcomes) if (o.created === 1) answers[o.ord] = (JSON.parse(o.superseded) as string[]).sort();
    return answers;
  }
}
