// The redactor: secrets replaced anywhere in text and JSON-like values; values without a secret answered as they are.
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/telemetry/redact.js';

describe('createRedactor', () => {
  it('replaces every secret in strings and keys of nested values, longest first, and leaves the input untouched', () => {
    const r = createRedactor(() => ['s3cret-token', 's3cret-token-long', 'short', null, undefined, '   ']);
    const value = { a: ['x s3cret-token-long y', { 's3cret-token': 1, n: 2, b: true, z: null }], c: 'clean' };
    const copy = structuredClone(value);
    expect(r.deep(value)).toEqual({ a: [`x ${REDACTED} y`, { [REDACTED]: 1, n: 2, b: true, z: null }], c: 'clean' });
    expect(value).toEqual(copy);
    expect(r.text('short and s3cret-token')).toBe(`short and ${REDACTED}`);
  });

  it('answers a value that holds no secret as the same object, without a copy', () => {
    const r = createRedactor(() => ['s3cret-token']);
    const page = { deploys: Array.from({ length: 50 }, (_, i) => ({ id: `d-${i}`, labels: { team: 'x' }, at: i })) };
    expect(r.deep(page)).toBe(page);
  });

  it('works the secrets out again only when the generation changes', () => {
    let calls = 0;
    let secret = 'first-secret';
    let generation = {};
    const r = createRedactor(
      () => {
        calls++;
        return [secret];
      },
      () => generation,
    );
    expect(r.text('first-secret')).toBe(REDACTED);
    expect(r.deep({ v: 'first-secret' })).toEqual({ v: REDACTED });
    expect(calls).toBe(1);
    secret = 'second-secret';
    expect(r.text('second-secret')).toBe('second-secret');
    generation = {};
    expect(r.text('second-secret')).toBe(REDACTED);
    expect(calls).toBe(2);
  });
});
