// Replay's output buffer (src/cli/replay.ts LineBuffer): lines go out in large writes, never held back long, never lost.
import { describe, expect, it } from 'vitest';
import { LineBuffer, OUT_CHUNK, OUT_DELAY_MS } from '../../src/cli/replay.js';

function sink(): { writes: string[]; write: (chunk: string) => boolean } {
  const writes: string[] = [];
  return { writes, write: (chunk: string) => (writes.push(chunk), true) };
}

describe('LineBuffer', () => {
  it('gathers lines into one write until a write would reach the chunk size', () => {
    const out = sink();
    const lines = new LineBuffer(out, () => 0);
    const line = 'x'.repeat(999);
    const perChunk = Math.ceil(OUT_CHUNK / 1000);
    for (let i = 0; i < perChunk - 1; i++) lines.add(line);
    expect(out.writes).toEqual([]);
    lines.add(line);
    expect(out.writes).toHaveLength(1);
    expect(out.writes[0]).toBe(`${line}\n`.repeat(perChunk));
  });

  it('writes what it holds once its first line has waited the delay, and everything on flush', () => {
    const out = sink();
    let clock = 1_000;
    const lines = new LineBuffer(out, () => clock);
    lines.add('a');
    clock += OUT_DELAY_MS - 1;
    lines.add('b');
    expect(out.writes).toEqual([]);
    clock += 1;
    lines.add('c');
    expect(out.writes).toEqual(['a\nb\nc\n']);
    lines.add('d');
    lines.flush();
    lines.flush();
    expect(out.writes).toEqual(['a\nb\nc\n', 'd\n']);
  });
});
