// Configuration of the Datadog metric source (`type: datadog` under `sources:` in the config file).
import { z } from 'zod';
import { Duration } from '../../rules/duration.js';
import { NoSecretHere } from '../secret.js';

export const DatadogBudget = z
  .object({
    /**
     * Metric queries per hour this source may spend. Datadog limits timeseries queries per organization
     * (about 1600 an hour by default, shared with dashboards and scripts): give the guard its share.
     */
    queriesPerHour: z.number().int().positive().default(1200),
    /** How long a query waits for others of the same metric to share one grouped request. */
    batchWindow: Duration.default(0.2),
  })
  .strict();
export type DatadogBudget = z.infer<typeof DatadogBudget>;

export const DatadogConfig = z
  .object({
    type: z.literal('datadog'),
    /** Your Datadog site: datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ddog-gov.com. */
    site: z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'site is a host name like datadoghq.eu')
      .default('datadoghq.com'),
    /** Full API base URL instead of the site's (a proxy, or a stand-in server in tests), e.g. http://127.0.0.1:8126. */
    url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL' }).optional(),
    /** Where the API key (DD-API-KEY) comes from: an environment variable (default DD_API_KEY) or a file. */
    apiKeyEnv: z.string().min(1).optional(),
    apiKeyFile: z.string().min(1).optional(),
    /** Where the application key (DD-APPLICATION-KEY, needs timeseries_query) comes from: default DD_APP_KEY. */
    appKeyEnv: z.string().min(1).optional(),
    appKeyFile: z.string().min(1).optional(),
    apiKey: NoSecretHere,
    appKey: NoSecretHere,
    /** Deadline of one HTTP request. */
    timeout: Duration.default(30),
    /** Retries after a network error, timeout or 5xx. A 429 is not retried: the budget waits for the reset instead. */
    retries: z.number().int().min(0).max(10).default(2),
    /** Delay before the first retry; it doubles at each further retry. */
    backoff: Duration.default(1),
    budget: DatadogBudget.default({ queriesPerHour: 1200, batchWindow: 0.2 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const key of ['apiKey', 'appKey'] as const) {
      if (c[`${key}Env`] !== undefined && c[`${key}File`] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [`${key}File`], message: `set ${key}Env or ${key}File, not both` });
      }
    }
  });
export type DatadogConfig = z.infer<typeof DatadogConfig>;

/** The API base URL: `url`, else https://api.<site>. */
export function datadogBaseUrl(config: Pick<DatadogConfig, 'site' | 'url'>): string {
  return (config.url ?? `https://api.${config.site}`).replace(/\/+$/, '');
}
