// Fuzzes the readers of operator- and tool-supplied files: the rule-file parser and the recording reader. Any input
// is parsed or refused with problems that name the file; none throws anything else. RG_FUZZ_RUNS raises the cases.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseRecording, parseRecordingText } from '../../src/recording/index.js';
import { parseRuleFile } from '../../src/rules/load.js';
import { fuzzRuns, fuzzTimeout } from './fuzz-runs.js';

const RUNS = fuzzRuns(400);
/** Near-misses of default.yaml cost ~40 ms each (a 250-line document with comments), so fewer by default. */
const RULE_MUTATION_RUNS = fuzzRuns(150);
const DEFAULT_RULES = parseYaml(readFileSync('rules/default.yaml', 'utf8')) as Record<string, unknown>;
const RECORDING = JSON.parse(readFileSync('test/fixtures/recordings/healthy-steady.json', 'utf8')) as Record<string, unknown>;

/** Replaces the value at a random path of `base` (a JSON-like tree) with `value`: a realistic near-miss of a valid file. */
function mutate(base: unknown, choices: number[], value: unknown): unknown {
  if (choices.length === 0 || typeof base !== 'object' || base === null) return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(base) ? [...base] : { ...(base as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const key = keys[choices[0]! % keys.length]!;
  (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key], choices.slice(1), value);
  return copy;
}

const weird = fc.oneof(fc.anything(), fc.constantFrom(null, -1, 0, 1e308, Number.NaN, '', '1m', '-5m', 'P0', 'ratio > 5', [], {}, '\u0000'), fc.string());
const pathChoices = fc.array(fc.nat(), { minLength: 1, maxLength: 5 });

function expectRuleOutcome(text: string): void {
  const outcome = parseRuleFile('fuzz.yaml', text);
  if ('problems' in outcome) {
    expect(outcome.problems.length).toBeGreaterThan(0);
    for (const p of outcome.problems) {
      expect(p.file).toBe('fuzz.yaml');
      expect(typeof p.message).toBe('string');
      expect(p.message.length).toBeGreaterThan(0);
      expect(Number.isInteger(p.line) && p.line >= 0).toBe(true);
    }
  } else {
    expect(outcome.parsed.file.version).toBe(1);
  }
}

function expectRecordingOutcome(read: () => unknown): void {
  try {
    read();
  } catch (err) {
    // Refusals are plain Errors naming the file; a TypeError or RangeError would be a bug in the reader.
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error);
    expect((err as Error).message.startsWith('fuzz.json: ')).toBe(true);
  }
}

describe('fuzzing the rule parser', () => {
  it(
    `parses or lists problems for arbitrary text (${RUNS} cases)`,
    () => {
      fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), expectRuleOutcome), { numRuns: RUNS });
    },
    fuzzTimeout(RUNS, 5),
  );

  it(
    `parses or lists problems for near-misses of the shipped default.yaml (${RULE_MUTATION_RUNS} cases)`,
    () => {
      fc.assert(
        fc.property(pathChoices, weird, (choices, value) => {
          let text: string;
          try {
            text = stringify(mutate(DEFAULT_RULES, choices, value));
          } catch {
            return; // not representable as YAML (e.g. a symbol): nothing to parse
          }
          expectRuleOutcome(text);
        }),
        { numRuns: RULE_MUTATION_RUNS },
      );
    },
    fuzzTimeout(RULE_MUTATION_RUNS, 50),
  );
});

describe('fuzzing the recording reader', () => {
  it(
    `reads or refuses arbitrary text with an error naming the file (${RUNS} cases)`,
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) =>
          expectRecordingOutcome(() => parseRecordingText(text, 'fuzz.json')),
        ),
        { numRuns: RUNS },
      );
    },
    fuzzTimeout(RUNS, 5),
  );

  it(
    `reads or refuses near-misses of a real recording (${RUNS} cases)`,
    () => {
      fc.assert(
        fc.property(pathChoices, weird, (choices, value) => expectRecordingOutcome(() => parseRecording(mutate(RECORDING, choices, value), 'fuzz.json'))),
        { numRuns: RUNS },
      );
    },
    fuzzTimeout(RUNS, 5),
  );
});

describe('cases the fuzzer found', () => {
  it.each([
    '*!',
    'a: *x',
    'rules: [*undefined]',
    `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `b${i}: &b${i} [${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}, ${i === 0 ? '*a' : `*b${i - 1}`}]`).join('\n')}`,
  ])('an unresolved alias or an alias bomb is a rule problem, not a crash: %j', (text) => {
    const outcome = parseRuleFile('fuzz.yaml', text);
    expect('problems' in outcome && outcome.problems.length > 0).toBe(true);
    expectRuleOutcome(text);
  });
});
