// The write probe behind WriteProbeStore: a row with an 8 KiB pad, so it needs fresh pages (fails on a full disk).
import type { Queryable } from './db.js';

export async function probeWrite(q: Queryable, now: number): Promise<void> {
  await q.run('INSERT INTO store_probe (at, pad) VALUES (?, zeroblob(8192))', [now]);
}
