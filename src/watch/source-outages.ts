// Source outages: a metric source that cannot answer during a deploy is alerted once per outage, at once.
import type { Deploy } from '../judge/types.js';
import type { Logger } from '../telemetry/logger.js';

export interface SourceOutagesDeps {
  /** Raises the guard's own alert once per `key` (Responder.guardAlert). */
  alert(key: string, reason: string, deploy: Deploy): Promise<unknown>;
  logger: Logger;
  /** Wall clock, Unix seconds. */
  now(): number;
}

interface Outage {
  since: number;
  lastFailure: number;
  deploys: Set<string>;
  alerted: Promise<void>;
}

/** An outage ends once its source has gone this long without a failure (flapping stays one outage). */
export const OUTAGE_QUIET_SECONDS = 300;

/**
 * Tracks, per source name, whether it is in an outage: the first failed query during a watch opens one and alerts
 * (the guard is blind: DESIGN §5 says its owners hear of it promptly), later failures join it silently, and it
 * ends after OUTAGE_QUIET_SECONDS without a failure. The watcher names a query the source rejects for good (a broken
 * template) `<source>/<metric>`, so it is an outage of its own and never hides the source going down. In memory: after a restart an outage still going on is alerted once more
 * (at-least-once), with a new key.
 */
export class SourceOutages {
  private readonly open = new Map<string, Outage>();

  constructor(private readonly deps: SourceOutagesDeps) {}

  /** The source failed to answer a query for `deploy`'s watch. Resolves once the alert is queued. */
  failed(source: string, message: string, deploy: Deploy): Promise<void> {
    const now = this.deps.now();
    const current = this.open.get(source);
    if (current && now - current.lastFailure <= OUTAGE_QUIET_SECONDS) {
      current.lastFailure = Math.max(current.lastFailure, now);
      current.deploys.add(deploy.id);
      return current.alerted;
    }
    if (current) this.ended(source, current);
    const since = Math.floor(now);
    const reason =
      `metric source "${source}" cannot answer (${message}) while it watches ${deploy.service}/${deploy.environment} ` +
      `${deploy.version} (${deploy.id}): the guard is blind there and will not roll back on what it cannot see. ` +
      `Check the source and its network; \`release-guard sources check --service ${deploy.service}\` retries its queries.`;
    const outage: Outage = { since, lastFailure: now, deploys: new Set([deploy.id]), alerted: Promise.resolve() };
    this.open.set(source, outage);
    this.deps.logger.error({ source, deploy: deploy.id, error: message }, `metric source ${source} is not answering: outage opened, alerting`);
    outage.alerted = this.deps.alert(`source-blind:${source}:${since}`, reason, deploy).then(
      () => undefined,
      (err: unknown) => {
        // Not queued (the store may be unwritable): forget the outage so the next failure tries again.
        if (this.open.get(source) === outage) this.open.delete(source);
        throw err;
      },
    );
    return outage.alerted;
  }

  /** The source answered a query: ends its outage if the quiet period has passed since its last failure. */
  answered(source: string): void {
    const outage = this.open.get(source);
    if (outage && this.deps.now() - outage.lastFailure > OUTAGE_QUIET_SECONDS) this.ended(source, outage);
  }

  /** Sources in an outage now, with when it began (Unix seconds). */
  current(): Array<{ source: string; since: number }> {
    const now = this.deps.now();
    return [...this.open].filter(([, o]) => now - o.lastFailure <= OUTAGE_QUIET_SECONDS).map(([source, o]) => ({ source, since: o.since }));
  }

  private ended(source: string, outage: Outage): void {
    this.open.delete(source);
    const lasted = Math.round(outage.lastFailure - outage.since);
    this.deps.logger.warn({ source, seconds: lasted, deploys: [...outage.deploys] }, `metric source ${source} answers again; its outage lasted ${lasted}s`);
  }
}
