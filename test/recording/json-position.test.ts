// Locating JSON syntax errors, since Node's JSON.parse does not always give a position.
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from '../../src/recording/json-position.js';

describe('jsonErrorOffset', () => {
  it.each([
    ['[1, 2]', null],
    ['{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}', null],
    ['', 0],
    ['{"a": 1', 7],
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['[01]', 2],
    ['"a\nb"', 2],
    ['[1] x', 4],
    ["{'a': 1}", 1],
    ['{"a": tru}', 6],
  ])('%j → %s', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of ['{"a":1}', '{"a":1,}', '[[1,2],[3,4]]', '1 2', ' "s" ']) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(text) === null).toBe(valid);
    }
  });
});

describe('lineColumn', () => {
  it('is 1-based', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
