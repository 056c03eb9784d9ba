// Datadog timeseries queries through @datadog/datadog-api-client v1 MetricsApi.queryMetrics (GET /api/v1/query,
// https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points), with its rate-limit headers and retries.
import { AsyncLocalStorage } from 'node:async_hooks';
import { client, v1 } from '@datadog/datadog-api-client';
import type { Logger } from '../../telemetry/logger.js';
import { withRetries } from '../retry.js';
import { readSecret, type SecretContext } from '../secret.js';
import type { SourceMetrics } from '../source-metrics.js';
import { datadogBaseUrl, type DatadogConfig } from './schema.js';

/** The X-RateLimit-* headers of one answer (https://docs.datadoghq.com/api/latest/rate-limits/). */
export interface RateLimit {
  /** Requests allowed per period. */
  limit: number | null;
  /** Period length in seconds (calendar aligned). */
  period: number | null;
  remaining: number | null;
  /** Seconds until the period resets. */
  reset: number | null;
  name: string | null;
}

/** One series of a v1 answer: its group tags and [unix seconds, value] points (null = no value in that interval). */
export interface DatadogSeries {
  scope: string;
  tagSet: string[];
  interval: number | null;
  points: Array<[number, number | null]>;
}

export type DatadogAnswer =
  | { kind: 'ok'; series: DatadogSeries[]; rateLimit: RateLimit | null }
  | { kind: 'error'; message: string; retryable: boolean; rateLimited: boolean; rateLimit: RateLimit | null };

/** What the fetch wrapper saw for the call in progress (the generated client does not expose headers). */
interface CallContext {
  headers: Record<string, string> | null;
  /** The body of a non-2xx answer (the library only keeps it for the statuses in its spec). */
  errorBody: string | null;
  networkError: Error | null;
}

/** Status of the synthetic answer the fetch wrapper returns for a network failure, so the library never logs it. */
const NETWORK_FAILURE = 599;

export interface DatadogClientDeps extends SecretContext {
  logger: Logger;
  metrics: SourceMetrics;
}

export class DatadogClient {
  private readonly calls = new AsyncLocalStorage<CallContext>();
  private readonly baseUrl: string;

  constructor(
    private readonly name: string,
    private readonly config: DatadogConfig,
    private readonly deps: DatadogClientDeps,
  ) {
    this.baseUrl = datadogBaseUrl(config);
  }

  /** Runs one v1 query over [from, to] (Unix seconds), retrying network errors, timeouts and 5xx (never 429). */
  async query(from: number, to: number, query: string): Promise<DatadogAnswer> {
    const { result, attempts } = await withRetries(
      () => this.once(from, to, query),
      (r) => r.kind === 'error' && r.retryable && !r.rateLimited,
      { retries: this.config.retries, backoffMs: this.config.backoff * 1000 },
    );
    if (result.kind === 'error' && result.retryable && !result.rateLimited && attempts > 1) {
      return { ...result, message: `${result.message} (after ${attempts} attempts)` };
    }
    return result;
  }

  private async once(from: number, to: number, query: string): Promise<DatadogAnswer> {
    const keys = await this.keys();
    if (!keys.ok) return { kind: 'error', message: `datadog "${this.name}": ${keys.message}`, retryable: false, rateLimited: false, rateLimit: null };
    const api = new v1.MetricsApi(
      client.createConfiguration({
        // An explicit base server: DD_SITE in the environment cannot redirect the queries.
        baseServer: new client.BaseServerConfiguration(this.baseUrl, {}),
        authMethods: { apiKeyAuth: keys.apiKey, appKeyAuth: keys.appKey },
        enableRetry: false,
        fetch: this.fetchWithHeaders,
      }),
    );
    const call: CallContext = { headers: null, errorBody: null, networkError: null };
    try {
      const res = await this.calls.run(call, () => api.queryMetrics({ from: Math.floor(from), to: Math.ceil(to), query }));
      this.deps.metrics.upstreamRequests.inc({ source: this.name, outcome: 'ok' });
      if (res.status === 'error') return this.error(`Datadog rejected the query: ${res.error ?? 'no reason given'}`, 400, call);
      return { kind: 'ok', series: (res.series ?? []).map(toSeries), rateLimit: rateLimitOf(call.headers) };
    } catch (err) {
      if (call.networkError) return this.networkError(call);
      const e = err as { code?: number; body?: unknown; message?: string };
      return this.error(errorText(parseBody(call.errorBody) ?? e.body, e.message), typeof e.code === 'number' ? e.code : 0, call);
    }
  }

  /** The fetch the generated client uses: adds the deadline, captures headers, turns network failures into a value. */
  private readonly fetchWithHeaders = async (url: string, init: RequestInit): Promise<Response> => {
    const call = this.calls.getStore();
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.config.timeout * 1000) });
      if (call) {
        call.headers = Object.fromEntries(res.headers.entries());
        if (!res.ok)
          call.errorBody = await res
            .clone()
            .text()
            .catch(() => null);
      }
      return res;
    } catch (err) {
      if (!call) throw err;
      call.networkError = err as Error;
      return new Response('{}', { status: NETWORK_FAILURE, headers: { 'content-type': 'application/json' } });
    }
  };

  private networkError(call: CallContext): DatadogAnswer {
    const err = call.networkError!;
    const timedOut = err.name === 'TimeoutError';
    this.deps.metrics.upstreamRequests.inc({ source: this.name, outcome: timedOut ? 'timeout' : 'network' });
    const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.message;
    const what = timedOut ? `no answer within ${this.config.timeout}s (timeout)` : cause;
    return {
      kind: 'error',
      message: `datadog "${this.name}" at ${this.baseUrl} is unreachable: ${what}`,
      retryable: true,
      rateLimited: false,
      rateLimit: null,
    };
  }

  private error(reason: string, status: number, call: CallContext): DatadogAnswer {
    const rateLimit = rateLimitOf(call.headers);
    const outcome = status === 429 ? '429' : status >= 500 ? '5xx' : '4xx';
    this.deps.metrics.upstreamRequests.inc({ source: this.name, outcome });
    if (status === 429) {
      const until = rateLimit?.reset !== null && rateLimit?.reset !== undefined ? `; it resets in ${rateLimit.reset}s` : '';
      return {
        kind: 'error',
        message: `datadog "${this.name}" is rate limited (429${rateLimit?.name ? `, limit ${rateLimit.name}` : ''})${until}: ${reason}`,
        retryable: true,
        rateLimited: true,
        rateLimit,
      };
    }
    return {
      kind: 'error',
      message: `datadog "${this.name}" answered ${status}${hint(status, this.config)}: ${reason}`,
      retryable: status >= 500,
      rateLimited: false,
      rateLimit,
    };
  }

  private async keys(): Promise<{ ok: true; apiKey: string; appKey: string } | { ok: false; message: string }> {
    const c = this.config;
    const apiKey = await readSecret(
      { envKey: 'apiKeyEnv', fileKey: 'apiKeyFile', env: c.apiKeyFile ? undefined : (c.apiKeyEnv ?? 'DD_API_KEY'), file: c.apiKeyFile },
      this.deps,
    );
    if (!apiKey.ok) return apiKey;
    const appKey = await readSecret(
      { envKey: 'appKeyEnv', fileKey: 'appKeyFile', env: c.appKeyFile ? undefined : (c.appKeyEnv ?? 'DD_APP_KEY'), file: c.appKeyFile },
      this.deps,
    );
    if (!appKey.ok) return appKey;
    return { ok: true, apiKey: apiKey.value, appKey: appKey.value };
  }
}

function toSeries(s: v1.MetricsQueryMetadata): DatadogSeries {
  const points = (s.pointlist ?? []).map((p): [number, number | null] => [(p[0] ?? 0) / 1000, typeof p[1] === 'number' && Number.isFinite(p[1]) ? p[1] : null]);
  return { scope: s.scope ?? '', tagSet: s.tagSet ?? [], interval: s.interval ?? null, points };
}

function num(headers: Record<string, string>, name: string): number | null {
  const raw = headers[name];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(value) ? value : null;
}

/** The X-RateLimit-* headers, or null when the answer had none. */
export function rateLimitOf(headers: Record<string, string> | null): RateLimit | null {
  if (!headers || !('x-ratelimit-limit' in headers || 'x-ratelimit-remaining' in headers)) return null;
  return {
    limit: num(headers, 'x-ratelimit-limit'),
    period: num(headers, 'x-ratelimit-period'),
    remaining: num(headers, 'x-ratelimit-remaining'),
    reset: num(headers, 'x-ratelimit-reset'),
    name: headers['x-ratelimit-name'] ?? null,
  };
}

function parseBody(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `{"errors":["Forbidden"]}` → "Forbidden". */
function errorText(body: unknown, fallback: string | undefined): string {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ');
  if (typeof body === 'string' && body) return body.slice(0, 200);
  return fallback?.split('\n')[0] ?? 'no details';
}

function hint(status: number, c: DatadogConfig): string {
  const api = c.apiKeyFile ? `apiKeyFile ${c.apiKeyFile}` : `$${c.apiKeyEnv ?? 'DD_API_KEY'}`;
  const app = c.appKeyFile ? `appKeyFile ${c.appKeyFile}` : `$${c.appKeyEnv ?? 'DD_APP_KEY'}`;
  if (status === 401 || status === 403)
    return ` (check the API key in ${api} and the application key in ${app}, which needs the timeseries_query permission, and that site is your Datadog site)`;
  if (status === 400) return ' (the query is not valid Datadog metric query syntax)';
  return '';
}
