// HTTP client for the Prometheus query API (https://prometheus.io/docs/prometheus/latest/querying/api/): auth, TLS, deadline, retries.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { resolve } from 'node:path';
import type { Logger } from '../../telemetry/logger.js';
import { withRetries } from '../retry.js';
import { readSecret, type SecretContext } from '../secret.js';
import type { SourceMetrics } from '../source-metrics.js';
import { PromFailure, PromSuccess } from './response.js';
import type { PrometheusConfig } from './schema.js';

/** What one API call came to. Never thrown: upstream trouble is a value. */
export type PromAnswer =
  | { kind: 'ok'; answer: PromSuccess }
  /** `rejected`: Prometheus answered that this query cannot run (bad_data, execution, …), as opposed to trouble reaching it. */
  | { kind: 'error'; message: string; retryable: boolean; rejected?: boolean };

/** Answers above this size are refused (a runaway query, not a metric series). */
const MAX_BODY = 64 * 1024 * 1024;

interface RawResponse {
  status: number;
  body: string;
}

export interface PrometheusClientDeps extends SecretContext {
  logger: Logger;
  metrics: SourceMetrics;
}

export class PrometheusClient {
  private agent: http.Agent | null = null;

  constructor(
    private readonly name: string,
    private readonly config: PrometheusConfig,
    private readonly deps: PrometheusClientDeps,
  ) {}

  /** POSTs the form to /api/v1/<endpoint>, retrying network errors, timeouts, 429 and 5xx with backoff. */
  async call(endpoint: 'query' | 'query_range', form: Record<string, string>): Promise<PromAnswer> {
    const policy = { retries: this.config.retries, backoffMs: this.config.backoff * 1000 };
    const { result, attempts } = await withRetries(
      async (n) => {
        if (n > 0) this.deps.logger.debug({ source: this.name, attempt: n + 1 }, `prometheus "${this.name}": retrying ${endpoint}`);
        return this.once(endpoint, form);
      },
      (r) => r.kind === 'error' && r.retryable,
      policy,
    );
    if (result.kind === 'error' && result.retryable && attempts > 1) {
      return { ...result, message: `${result.message} (after ${attempts} attempts)` };
    }
    return result;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = null;
  }

  private async once(endpoint: string, form: Record<string, string>): Promise<PromAnswer> {
    const headers = await this.headers();
    if (!headers.ok) return { kind: 'error', message: `prometheus "${this.name}": ${headers.message}`, retryable: false };
    const agent = await this.agentFor();
    if (!agent.ok) return { kind: 'error', message: `prometheus "${this.name}": ${agent.message}`, retryable: false };
    const url = new URL(`api/v1/${endpoint}`, this.config.url.endsWith('/') ? this.config.url : `${this.config.url}/`);
    let raw: RawResponse;
    try {
      raw = await post(url, new URLSearchParams(form).toString(), headers.value, agent.value, this.config.timeout * 1000);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const timedOut = e.name === 'TimeoutError';
      this.deps.metrics.upstreamRequests.inc({ source: this.name, outcome: timedOut ? 'timeout' : 'network' });
      const what = timedOut ? `no answer within ${this.config.timeout}s (timeout)` : `${e.code ?? e.name}: ${e.message}`;
      return { kind: 'error', message: `prometheus "${this.name}" at ${url.origin} is unreachable: ${what}`, retryable: true };
    }
    this.deps.metrics.upstreamRequests.inc({ source: this.name, outcome: outcomeOf(raw.status) });
    return this.interpret(raw);
  }

  private interpret(raw: RawResponse): PromAnswer {
    let json: unknown = undefined;
    try {
      json = JSON.parse(raw.body);
    } catch {
      // handled below: not the API's JSON (a proxy's HTML error page, …)
    }
    const retryable = raw.status === 429 || raw.status >= 500;
    const failure = PromFailure.safeParse(json);
    if (failure.success) {
      const { errorType, error } = failure.data;
      return { kind: 'error', message: `prometheus "${this.name}" answered ${raw.status} ${errorType}: ${error}`, retryable, rejected: !retryable };
    }
    if (raw.status !== 200) {
      return { kind: 'error', message: `prometheus "${this.name}" answered HTTP ${raw.status}${hint(raw.status)}: ${snippet(raw.body)}`, retryable };
    }
    const success = PromSuccess.safeParse(json);
    if (!success.success) {
      return {
        kind: 'error',
        message: `prometheus "${this.name}" answered 200 with something that is not a Prometheus query result: ${snippet(raw.body)}; is url the Prometheus API base URL?`,
        retryable: false,
      };
    }
    return { kind: 'ok', answer: success.data };
  }

  private async headers(): Promise<{ ok: true; value: Record<string, string> } | { ok: false; message: string }> {
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const auth = this.config.auth;
    if (!auth) return { ok: true, value: headers };
    if (auth.type === 'bearer') {
      const token = await readSecret({ envKey: 'auth.tokenEnv', fileKey: 'auth.tokenFile', env: auth.tokenEnv, file: auth.tokenFile }, this.deps);
      if (!token.ok) return token;
      headers.authorization = `Bearer ${token.value}`;
    } else {
      const password = await readSecret(
        { envKey: 'auth.passwordEnv', fileKey: 'auth.passwordFile', env: auth.passwordEnv, file: auth.passwordFile },
        this.deps,
      );
      if (!password.ok) return password;
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${password.value}`).toString('base64')}`;
    }
    return { ok: true, value: headers };
  }

  /** A keep-alive agent with the TLS settings; the CA file is read once, at the first query. */
  private async agentFor(): Promise<{ ok: true; value: http.Agent } | { ok: false; message: string }> {
    if (this.agent) return { ok: true, value: this.agent };
    if (!this.config.url.startsWith('https:')) {
      this.agent = new http.Agent({ keepAlive: true });
      return { ok: true, value: this.agent };
    }
    const tls = this.config.tls;
    let ca: string | undefined;
    if (tls?.caFile) {
      const path = resolve(this.deps.baseDir, tls.caFile);
      try {
        ca = await readFile(path, 'utf8');
      } catch (err) {
        return { ok: false, message: `tls.caFile ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path` };
      }
    }
    this.agent = new https.Agent({ keepAlive: true, ca, rejectUnauthorized: !(tls?.insecureSkipVerify ?? false) });
    return { ok: true, value: this.agent };
  }
}

function outcomeOf(status: number): string {
  if (status === 200) return 'ok';
  if (status === 429) return '429';
  return status >= 500 ? '5xx' : '4xx';
}

function hint(status: number): string {
  if (status === 401) return ' (unauthorized: check auth and its token or password)';
  if (status === 403) return ' (forbidden: the credentials lack access)';
  if (status === 404) return ' (not found: is url the base URL of the Prometheus API, without /api/v1?)';
  return '';
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || '(empty body)';
}

/** One POST with a total deadline; rejects on network errors and timeouts (name TimeoutError). */
function post(url: URL, body: string, headers: Record<string, string>, agent: http.Agent, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent });
    let timeout: Error | null = null;
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(timeout ?? err);
    };
    const timer = setTimeout(() => {
      timeout = Object.assign(new Error(`no answer within ${timeoutMs}ms`), { name: 'TimeoutError' });
      req.destroy(timeout);
    }, timeoutMs);
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        ended = true;
        clearTimeout(timer);
        resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('close', () => {
        if (!ended) fail(new Error('connection closed before the answer was complete'));
      });
    });
    req.end(body);
  });
}
