// The Datadog source kind: metric query templates from the rules, read with @datadog/datadog-api-client within a query budget.
import type { SourceKind } from '../kind.js';
import { DatadogSource } from './datadog-source.js';
import { DatadogConfig } from './schema.js';

export { DatadogConfig, DatadogBudget, datadogBaseUrl } from './schema.js';
export { DatadogSource, alignToSteps, gridSteps, type DatadogSourceOptions } from './datadog-source.js';
export { DatadogClient, rateLimitOf, type DatadogAnswer, type DatadogSeries, type RateLimit } from './client.js';
export { QueryBudget } from './budget.js';
export { planDatadogQuery, normalizeTagValue, memberOf, DATADOG_PLACEHOLDERS, type DatadogPlan } from './query-template.js';

/** Registered as `type: datadog`. */
export const datadogSource: SourceKind<typeof DatadogConfig> = {
  type: 'datadog',
  Config: DatadogConfig,
  create: (name, config, deps) => new DatadogSource(name, config, deps),
};
