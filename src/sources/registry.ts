// The explicit registry of metric-source kinds: config schema (a discriminated union on `type`) and factory.
import { z } from 'zod';
import { datadogSource } from './datadog/index.js';
import { demoSource } from './demo/index.js';
import type { SourceDeps, SourceKind } from './kind.js';
import { prometheusSource } from './prometheus/index.js';
import { recordingSource } from './recording/index.js';
import type { MetricSource } from './types.js';

/** Every source kind, by its `type`. A test checks that each folder under src/sources/ is listed here. */
export const SOURCE_KINDS = {
  demo: demoSource,
  recording: recordingSource,
  prometheus: prometheusSource,
  datadog: datadogSource,
} as const;
export type SourceType = keyof typeof SOURCE_KINDS;

/** The registered types, in registry order. */
export const SOURCE_TYPES = Object.keys(SOURCE_KINDS) as SourceType[];

const allowed = SOURCE_TYPES.join(', ');

/** One entry under `sources:` in the config file; an unknown `type` fails at load, naming the allowed types. */
export const SourceConfig = z.discriminatedUnion(
  'type',
  [SOURCE_KINDS.demo.Config, SOURCE_KINDS.recording.Config, SOURCE_KINDS.prometheus.Config, SOURCE_KINDS.datadog.Config],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union' || issue.note !== 'No matching discriminator') return undefined;
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      return type === undefined
        ? `source has no type; set type to one of: ${allowed}`
        : `unknown source type ${JSON.stringify(type)}; allowed types: ${allowed}`;
    },
  },
);
export type SourceConfig = z.infer<typeof SourceConfig>;

/** Builds the configured source `name` from its validated config, loading its client library only now. */
export async function createSource(name: string, config: SourceConfig, deps: SourceDeps): Promise<MetricSource> {
  const kind: SourceKind<z.ZodObject, MetricSource | Promise<MetricSource>> = SOURCE_KINDS[config.type as SourceType];
  return await kind.create(name, config, deps);
}
