// The recording format release-guard/recording@1 (DESIGN §3): zod schema, parsed into the judge's Recording shape.
import { z } from 'zod';
import type { Point, Recording as RecordingShape, SeriesSet } from '../judge/types.js';

export const RECORDING_FORMAT = 'release-guard/recording@1';

/** A short rendering of a rejected input for error messages. */
export function preview(input: unknown): string {
  if (input === undefined) return 'nothing';
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A zod error option: "required: <what>" or "expected <what>, got <input>". */
const expected =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `required: ${what}` : `expected ${what}, got ${preview(issue.input)}`;

const Text = z.string({ error: expected('a string') }).min(1, { error: 'must not be empty' });

/** Unix seconds; a value that large is milliseconds, a common slip when exporting from JavaScript. */
const UnixSeconds = z
  .number({ error: expected('Unix seconds (a number)') })
  .refine((t) => t < 1e11, { error: (iss) => `expected Unix seconds, got ${preview(iss.input)} (milliseconds?)` });

/** [time, value]; a null value is a gap and is dropped. */
const RawPoint = z.unknown().transform((input, ctx): [number, number | null] => {
  if (Array.isArray(input) && input.length === 2) {
    const [t, v] = input as unknown[];
    if (typeof t === 'number' && (v === null || typeof v === 'number')) {
      if (t < 1e11) return [t, v];
      ctx.addIssue({ code: 'custom', message: `expected the time in Unix seconds, got ${t} (milliseconds?)` });
      return z.NEVER;
    }
  }
  ctx.addIssue({ code: 'custom', message: `expected [time, value] with time in Unix seconds and value a number or null, got ${preview(input)}` });
  return z.NEVER;
});

/** Series by metric: gaps (null values) dropped, points sorted by time. */
export const RecordedSeries = z
  .record(z.string(), z.array(RawPoint, { error: expected('an array of [time, value] points') }), {
    error: expected('an object of metric name to [time, value] points'),
  })
  .transform((raw): SeriesSet => {
    const series: SeriesSet = {};
    for (const [metric, points] of Object.entries(raw)) {
      series[metric] = points.filter((p): p is Point => p[1] !== null).sort((a, b) => a[0] - b[0]);
    }
    return series;
  });

export const RecordedDeploy = z.object(
  {
    id: Text,
    service: Text,
    environment: Text,
    version: Text,
    previousVersion: z
      .string({ error: expected('a string or null') })
      .nullable()
      .optional(),
    commit: z
      .string({ error: expected('a string or null') })
      .nullable()
      .optional(),
    startedAt: UnixSeconds,
    labels: z.record(z.string(), z.string()).optional(),
    links: z.record(z.string(), z.string()).optional(),
  },
  { error: expected('the deploy object') },
);

/**
 * A recording (release-guard/recording@1). Unknown top-level keys are accepted and dropped, so newer
 * recordings stay readable; points are sorted and null values (gaps) dropped.
 */
export const Recording = z
  .object(
    {
      format: z.literal(RECORDING_FORMAT, { error: expected(`"${RECORDING_FORMAT}"`) }),
      deploy: RecordedDeploy,
      series: RecordedSeries,
      control: RecordedSeries.optional(),
      /** Optional: source failures seen live (replay keeps them blind, not silent); extra keys of a spot are dropped. */
      blind: z
        .array(z.object({ metric: Text, at: UnixSeconds, kind: z.enum(['error', 'no-data']), message: z.string() }), {
          error: expected('an array of blind spots'),
        })
        .optional(),
    },
    { error: expected('a recording object') },
  )
  .transform((r): RecordingShape => ({
    format: r.format,
    deploy: r.deploy,
    series: r.series,
    ...(r.control !== undefined ? { control: r.control } : {}),
    ...(r.blind !== undefined && r.blind.length > 0 ? { blind: r.blind } : {}),
  }));
export type Recording = RecordingShape;
