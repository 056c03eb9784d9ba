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
 * one batch at a time; an item submitted while none is under way starts one, and the items submitted until its
 * transaction begins join it (at most `max`); the rest wait for the next, which starts when this one is done. So one
 * caller alone pays no delay, and a burst pays one transaction per writer turn.
 *
 * `write` must answer one result per item, in order, with the outcome that one transaction per item, in order, would
 * have had. If a batch of several fails, its items are written again one per transaction, before any later item, so
 * a failure reaches only the items it belongs to (a batch of one rejects with its error) and the order holds.
 */
export class GroupCommit<I, R> {
  private waiting: Array<Waiting<I, R>> = [];
  /** A batch is under way (waiting for the writer, written, or its items retried one by one). */
  private busy = false;

  constructor(
    private readonly db: Db,
    private readonly write: (tx: Queryable, items: I[]) => Promise<R[]>,
    private readonly max: number,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.busy) void this.run();
    });
  }

  /** Writes batches until nothing waits. */
  private async run(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) await this.batch();
    this.busy = false;
  }

  /** One batch: the items waiting when its transaction begins. */
  private async batch(): Promise<void> {
    let batch: Array<Waiting<I, R>> | null = null;
    const take = () => (batch = this.waiting.splice(0, this.max));
    try {
      const results = await this.db.transaction(async (tx) => {
        const items = take().map((w) => w.item);
        const answers = await this.write(tx, items);
        if (answers.length !== items.length) throw new Error(`group commit: ${answers.length} results for ${items.length} items`);
        return answers;
      });
      // take() ran: the transaction's callback did.
      batch!.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      // A transaction that never began (BEGIN failed, or the connection is closed) was for the items waiting.
      const failed: Array<Waiting<I, R>> = batch ?? take();
      if (failed.length === 1) failed[0]!.reject(err);
      else for (const w of failed) await this.alone(w);
    }
  }

  /** One item in a transaction of its own (after its batch failed). */
  private async alone(w: Waiting<I, R>): Promise<void> {
    try {
      w.resolve(await this.db.transaction(async (tx) => (await this.write(tx, [w.item]))[0]!));
    } catch (err) {
      w.reject(err);
    }
  }
}
