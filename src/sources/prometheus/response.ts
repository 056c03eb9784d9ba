// The Prometheus HTTP API's answers (https://prometheus.io/docs/prometheus/latest/querying/api/), validated and turned into series.
import { z } from 'zod';
import type { Point } from '../../judge/types.js';

/** [unix seconds, "value"]: values are strings ("NaN", "+Inf" included). */
const Sample = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());

const Matrix = z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: Labels, values: z.array(Sample) })) });
const Vector = z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: Labels, value: Sample })) });
const Scalar = z.object({ resultType: z.literal('scalar'), result: Sample });

export const PromSuccess = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [Matrix, Vector, Scalar]),
  warnings: z.array(z.string()).optional(),
});
export type PromSuccess = z.infer<typeof PromSuccess>;

/** `{"status":"error","errorType":"bad_data"|"execution"|"timeout"|…,"error":"…"}` (400, 422, 503, …). */
export const PromFailure = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });
export type PromFailure = z.infer<typeof PromFailure>;

/** One series of a result: its labels and its finite points (NaN and ±Inf are gaps, not values). */
export interface PromSeries {
  labels: Record<string, string>;
  points: Point[];
}

function finite(samples: Array<[number, string]>): Point[] {
  const points: Point[] = [];
  for (const [t, raw] of samples) {
    const value = Number(raw);
    if (Number.isFinite(value)) points.push([t, value]);
  }
  return points;
}

/** The series of a successful answer, whatever its result type. */
export function seriesOf(answer: PromSuccess): PromSeries[] {
  const { data } = answer;
  switch (data.resultType) {
    case 'matrix':
      return data.result.map((s) => ({ labels: s.metric, points: finite(s.values) }));
    case 'vector':
      return data.result.map((s) => ({ labels: s.metric, points: finite([s.value]) }));
    case 'scalar':
      return [{ labels: {}, points: finite([data.result]) }];
  }
}

/** `{job="api", instance="a:9100"}`, for messages. */
export function labelText(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}
