// The Prometheus source kind: PromQL templates from the rules, read through the Prometheus HTTP API.
import type { SourceKind } from '../kind.js';
import { PrometheusSource } from './prometheus-source.js';
import { PrometheusConfig } from './schema.js';

export { PrometheusConfig } from './schema.js';
export { PrometheusSource, stepGrid } from './prometheus-source.js';
export { renderPromql, PROMQL_PLACEHOLDERS } from './promql-template.js';

/** Registered as `type: prometheus`. */
export const prometheusSource: SourceKind<typeof PrometheusConfig> = {
  type: 'prometheus',
  Config: PrometheusConfig,
  create: (name, config, deps) => new PrometheusSource(name, config, deps),
};
