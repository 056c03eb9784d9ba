// Configuration of the Prometheus metric source (`type: prometheus` under `sources:` in the config file).
import { z } from 'zod';
import { Duration } from '../../rules/duration.js';
import { NoSecretHere, oneOf } from '../secret.js';

/** `Authorization: Bearer <token>`; the token comes from an environment variable or a file. */
export const PrometheusBearerAuth = z
  .object({
    type: z.literal('bearer'),
    tokenEnv: z.string().min(1).optional(),
    tokenFile: z.string().min(1).optional(),
    token: NoSecretHere,
  })
  .strict()
  .superRefine(oneOf('tokenEnv', 'tokenFile'));
export type PrometheusBearerAuth = z.infer<typeof PrometheusBearerAuth>;

/** HTTP basic auth; the password comes from an environment variable or a file. */
export const PrometheusBasicAuth = z
  .object({
    type: z.literal('basic'),
    username: z.string().min(1),
    passwordEnv: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    password: NoSecretHere,
  })
  .strict()
  .superRefine(oneOf('passwordEnv', 'passwordFile'));
export type PrometheusBasicAuth = z.infer<typeof PrometheusBasicAuth>;

export const PrometheusAuth = z.discriminatedUnion('type', [PrometheusBearerAuth, PrometheusBasicAuth]);
export type PrometheusAuth = z.infer<typeof PrometheusAuth>;

export const PrometheusTls = z
  .object({
    /** PEM file of the CA that signed the server's certificate (a private CA); default: the system CAs. */
    caFile: z.string().min(1).optional(),
    /** Accept any certificate. For a lab only: anyone on the path can then read the queries and forge the answers. */
    insecureSkipVerify: z.boolean().default(false),
  })
  .strict();
export type PrometheusTls = z.infer<typeof PrometheusTls>;

export const PrometheusConfig = z
  .object({
    type: z.literal('prometheus'),
    /** Base URL of the Prometheus HTTP API (Thanos, Mimir and Cortex query frontends work too), e.g. http://prometheus:9090. */
    url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL, e.g. http://prometheus:9090' }),
    auth: PrometheusAuth.optional(),
    tls: PrometheusTls.optional(),
    /** Extra request headers that are not secrets, e.g. X-Scope-OrgID for Mimir or Cortex. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Deadline of one HTTP request. */
    timeout: Duration.default(10),
    /** Retries after a retryable failure (network error, timeout, 5xx, 429); bad queries are never retried. */
    retries: z.number().int().min(0).max(10).default(2),
    /** Delay before the first retry; it doubles at each further retry. */
    backoff: Duration.default(0.5),
    /** The scrape interval of the queried series, for {{rateInterval}} = max(step, 4 × scrapeInterval). */
    scrapeInterval: Duration.default(15),
  })
  .strict();
export type PrometheusConfig = z.infer<typeof PrometheusConfig>;
