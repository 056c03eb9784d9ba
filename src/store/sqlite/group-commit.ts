// Group commit: calls of one kind that arrive while the writer is busy share one write transaction (and one statement
// per step for all of them), instead of each paying its own BEGIN, statements and COMMIT on the one connection.
import type { Db, Queryable } from './db.js';

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Runs `write(tx, items)` for every item submitted, in submission order, in as few transactions as the writer allows:
 * an item submitted while no batch is waiting for the writer opens one; those submitted until that batch's
 * transaction begins join it (at most `max`); the rest wait for the next. So one caller alone pays no delay, and a
 * burst pays one transaction per writer turn.
 *
 * `write` must answer one result per item, in order, with the outcome that one transaction per item, in order, would
 * have had. If a batch of several fails, its items are written again one per transaction, so a failure reaches only
 * the items it belongs to (a batch of one rejects with its error).
 */
export class GroupCommit<I, R> {
  private waiting: Array<Waiting<I, R>> = [];
  /** A transaction has been asked for and has not begun: new items join it. */
  private open = false;

  constructor(
    private readonly db: Db,
    private readonly write: (tx: Queryable, items: I[]) => Promise<R[]>,
    private readonly max: number,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.open) this.start();
    });
  }

  private start(): void {
    this.open = true;
    let batch: Array<Waiting<I, R>> = [];
    this.db
      .transaction(async (tx) => {
        this.open = false;
        batch = this.waiting.splice(0, this.max);
        const results = await this.write(
          tx,
          batch.map((w) => w.item),
        );
        if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
        return results;
      })
      .then(
        (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
        (err: unknown) => {
          if (this.open) {
            // The transaction never began (BEGIN failed, or the connection is closed): its items are those waiting.
            this.open = false;
            batch = this.waiting.splice(0, this.max);
          }
          if (batch.length === 1) batch[0]!.reject(err);
          else for (const w of batch) this.alone(w);
        },
      )
      .finally(() => {
        // Items beyond `max` (or submitted while the transaction above had begun but found none waiting) go next.
        if (this.waiting.length > 0 && !this.open) this.start();
      });
  }

  /** One item in a transaction of its own (after its batch failed). */
  private alone(w: Waiting<I, R>): void {
    this.db
      .transaction(async (tx) => {
        const [result] = await this.write(tx, [w.item]);
        return result!;
      })
      .then(w.resolve, w.reject);
  }
}
