// Group commit: calls of one kind that arrive while the writer is busy share one atomic write, instead of each
// paying its own round trips on the one connection.

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Runs `write(conn, items)` for every item submitted, in submission order, in as few writes as the writer allows: one
 * batch at a time, each in a turn of the writer (`turn` runs its callback once the writer is free for it, with the
 * connection to use meanwhile). An item submitted while no batch is under way starts one, which takes the items
 * submitted until its turn comes — at least those of requests read in the same turn of the event loop, and all that
 * come while the writer finishes other work (at most `max`); the rest wait for the next batch, which starts when this
 * one is done. So one caller alone waits for nobody, and a burst pays one write per writer turn.
 *
 * `write` must be atomic (all of a batch or none of it is stored) and answer one result per item, in order, with the
 * outcome that one write per item, in order, would have had. If a batch of several fails, its items are written again
 * one by one, before any later item, so a failure reaches only the items it belongs to (a batch of one rejects with
 * its error) and the order holds.
 */
export class GroupCommit<C, I, R> {
  private waiting: Array<Waiting<I, R>> = [];
  /** A batch is under way (waiting for its turn, written, or its items retried one by one). */
  private busy = false;

  constructor(
    private readonly turn: (fn: (conn: C) => Promise<R[]>) => Promise<R[]>,
    private readonly write: (conn: C, items: I[]) => Promise<R[]>,
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

  /** One batch: the items waiting when its turn comes (after the event loop has read what arrived with the first). */
  private async batch(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    let batch: Array<Waiting<I, R>> | null = null;
    const take = () => (batch = this.waiting.splice(0, this.max));
    try {
      const results = await this.turn((conn) =>
        this.writeAll(
          conn,
          take().map((w) => w.item),
        ),
      );
      // take() ran: the turn's callback did.
      batch!.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      // A turn that never came (the connection is closed) was for the items waiting.
      const failed: Array<Waiting<I, R>> = batch ?? take();
      if (failed.length === 1) failed[0]!.reject(err);
      else for (const w of failed) await this.alone(w);
    }
  }

  /** One item written by itself (after its batch failed). */
  private async alone(w: Waiting<I, R>): Promise<void> {
    try {
      w.resolve((await this.turn((conn) => this.writeAll(conn, [w.item])))[0]!);
    } catch (err) {
      w.reject(err);
    }
  }

  private async writeAll(conn: C, items: I[]): Promise<R[]> {
    const results = await this.write(conn, items);
    if (results.length !== items.length) throw new Error(`group commit: ${results.length} results for ${items.length} items`);
    return results;
  }
}
