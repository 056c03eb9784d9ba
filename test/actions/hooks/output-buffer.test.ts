// Tests the bounded output buffer used for hook output.
import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../../../src/actions/hooks/output-buffer.js';

describe('OutputBuffer', () => {
  it('keeps chunks in arrival order', () => {
    const out = new OutputBuffer(100);
    out.append('out 1\n');
    out.append(Buffer.from('err 1\n'));
    out.append('out 2\n');
    expect(out.text()).toBe('out 1\nerr 1\nout 2\n');
  });

  it('keeps the first `limit` bytes and counts what it dropped across chunks', () => {
    const out = new OutputBuffer(8);
    out.append('12345');
    out.append('67890');
    out.append('abc');
    expect(out.text()).toBe('12345678\n[output truncated: 5 more bytes not kept]');
  });
});
