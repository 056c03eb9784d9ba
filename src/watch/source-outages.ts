// Source outages: a metric source that cannot answer during a deploy is alerted once per outage, at once.
import type { Deploy } from '../judge/types.js';
import type { Logger } from '../telemetry/logger.js';

export interface SourceOutagesDeps {
  /** Raises the guard's own alert once per `key` (Responder.guardAlert). */
  alert(key: string, reason: string): Promise<unknown>;
  logger: Logger;
  /** Wall clock, Unix seconds. */
  now(): number;
}

interface Outage {
  since: number;
  deploys: Set<string>;
  alerted: Promise<void>;
}

/**
 * Tracks, per source name, whether it is in an outage: the first error during a watch opens one and alerts (the
 * guard is blind: DESIGN §5 says its owners hear of it promptly), later errors join it silently, the next answer
 * (data or no data) closes it. In memory: after a restart an outage still going on is alerted once more
 * (at-least-once), with a new key.
 */
export class SourceOutages {
  private readonly open = new Map<string, Outage>();

  constructor(private readonly deps: SourceOutagesDeps) {}

  /** The source failed to answer a query for `deploy`'s watch. Resolves once the alert is queued. */
  failed(source: string, message: string, deploy: Deploy): Promise<void> {
    const current = this.open.get(source);
    if (current) {
      current.deploys.add(deploy.id);
      return current.alerted;
    }
    const since = Math.floor(this.deps.now());
    const reason =
      `metric source "${source}" cannot answer (${message}) while it watches ${deploy.service}/${deploy.environment} ` +
      `${deploy.version} (${deploy.id}): the guard is blind there and will not roll back on what it cannot see. ` +
      `Check the source and its network; \`release-guard sources check --service ${deploy.service}\` retries its queries.`;
    const outage: Outage = { since, deploys: new Set([deploy.id]), alerted: Promise.resolve() };
    this.open.set(source, outage);
    this.deps.logger.error({ source, deploy: deploy.id, error: message }, `metric source ${source} is not answering: outage opened, alerting`);
    outage.alerted = this.deps.alert(`source-blind:${source}:${since}`, reason).then(
      () => undefined,
      (err: unknown) => {
        // Not queued (the store may be unwritable): forget the outage so the next failure tries again.
        if (this.open.get(source) === outage) this.open.delete(source);
        throw err;
      },
    );
    return outage.alerted;
  }

  /** The source answered: closes its outage, if one is open. */
  answered(source: string): void {
    const outage = this.open.get(source);
    if (!outage) return;
    this.open.delete(source);
    const lasted = Math.round(this.deps.now() - outage.since);
    this.deps.logger.warn({ source, seconds: lasted, deploys: [...outage.deploys] }, `metric source ${source} answers again after ${lasted}s`);
  }

  /** Sources in an outage now, with when it began (Unix seconds). */
  current(): Array<{ source: string; since: number }> {
    return [...this.open].map(([source, o]) => ({ source, since: o.since }));
  }
}
