// The Datadog source kind: metric query templates from the rules, read with @datadog/datadog-api-client within a query budget.
import type { SourceKind } from '../kind.js';
import type { MetricSource } from '../types.js';
import { DatadogConfig } from './schema.js';

export { DatadogConfig, DatadogBudget, datadogBaseUrl } from './schema.js';
// DatadogSource and DatadogClient live in ./datadog-source.js and ./client.js; they are not re-exported here because
// they load @datadog/datadog-api-client (seconds and ~170 MiB), which only a config with a datadog source may pay for.
export { QueryBudget } from './budget.js';
export { planDatadogQuery, normalizeTagValue, memberOf, DATADOG_PLACEHOLDERS, type DatadogPlan } from './query-template.js';

/** Registered as `type: datadog`. */
export const datadogSource: SourceKind<typeof DatadogConfig, Promise<MetricSource>> = {
  type: 'datadog',
  Config: DatadogConfig,
  create: async (name, config, deps) => {
    const { DatadogSource } = await import('./datadog-source.js');
    return new DatadogSource(name, config, deps);
  },
};
