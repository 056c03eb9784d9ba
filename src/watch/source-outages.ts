// Source outages: a metric source that cannot answer during a deploy is alerted once per outage, at once.
import type { Deploy } from '../judge/types.js';
import type { SourceOutageStore } from '../store/interfaces.js';
import type { Logger } from '../telemetry/logger.js';

export interface SourceOutagesDeps {
  /** Raises the guard's own alert once per `key` (Responder.guardAlert). */
  alert(key: string, reason: string, deploy: Deploy): Promise<unknown>;
  logger: Logger;
  /** Wall clock, Unix seconds. */
  now(): number;
  /** Where open outages are kept across restarts; without it they live in memory only (tests, tools). */
  store?: SourceOutageStore;
}

interface Outage {
  since: number;
  lastFailure: number;
  /** The lastFailure last written to the store. */
  saved: number;
  deploys: Set<string>;
  alerted: Promise<void>;
}

/** A later failure of an open outage is written at most this often (it only moves the quiet period's start). */
const SAVE_EVERY_SECONDS = 60;

/** An outage ends once its source has gone this long without a failure (flapping stays one outage). */
export const OUTAGE_QUIET_SECONDS = 300;

/**
 * Tracks, per source name, whether it is in an outage: the first failed query during a watch opens one and alerts
 * (the guard is blind: DESIGN §5 says its owners hear of it promptly), later failures join it silently, and it
 * ends after OUTAGE_QUIET_SECONDS without a failure. The watcher names a query the source rejects for good (a broken
 * template) `<source>/<metric>`, so it is an outage of its own and never hides the source going down.
 *
 * Restarts: open outages are kept in the store (load() reads them back), so an outage still going on after a restart
 * joins the one alerted before it (one outage, one alert, one key), and its end is told once (the store's
 * endSourceOutage answers true to one caller). An outage is written after its alert is queued: a crash between the two
 * alerts it again once, under a new key (at-least-once).
 */
export class SourceOutages {
  private readonly open = new Map<string, Outage>();

  constructor(private readonly deps: SourceOutagesDeps) {}

  /** Reads the outages open before a restart back in; call before the watches resume. */
  async load(): Promise<void> {
    for (const o of (await this.deps.store?.openSourceOutages()) ?? []) {
      if (this.open.has(o.source)) continue;
      this.open.set(o.source, { since: o.since, lastFailure: o.lastFailure, saved: o.lastFailure, deploys: new Set(o.deploys), alerted: Promise.resolve() });
    }
    const open = [...this.open.keys()];
    if (open.length > 0) this.deps.logger.warn({ sources: open }, `metric sources ${open.join(', ')} were in an outage before the restart: already alerted`);
  }

  /** The source failed to answer a query for `deploy`'s watch. Resolves once the alert is queued. */
  async failed(source: string, message: string, deploy: Deploy): Promise<void> {
    const now = this.deps.now();
    const current = this.open.get(source);
    if (current && now - current.lastFailure <= OUTAGE_QUIET_SECONDS) {
      current.lastFailure = Math.max(current.lastFailure, now);
      const joined = !current.deploys.has(deploy.id);
      current.deploys.add(deploy.id);
      if (joined || current.lastFailure - current.saved >= SAVE_EVERY_SECONDS) return current.alerted.then(() => this.save(source, current));
      return current.alerted;
    }
    // The previous outage ends before the new one is written (in the store, a newer one would replace it untold).
    const previous = current ? this.ended(source, current) : Promise.resolve();
    const since = Math.floor(now);
    const reason =
      `metric source "${source}" cannot answer (${message}) while it watches ${deploy.service}/${deploy.environment} ` +
      `${deploy.version} (${deploy.id}): the guard is blind there and will not roll back on what it cannot see. ` +
      `Check the source and its network; \`release-guard sources check --service ${deploy.service}\` retries its queries.`;
    const outage: Outage = { since, lastFailure: now, saved: now, deploys: new Set([deploy.id]), alerted: Promise.resolve() };
    this.open.set(source, outage);
    this.deps.logger.error({ source, deploy: deploy.id, error: message }, `metric source ${source} is not answering: outage opened, alerting`);
    outage.alerted = previous
      .then(() => this.deps.alert(`source-blind:${source}:${since}`, reason, deploy))
      .then(
        () => this.save(source, outage),
        (err: unknown) => {
          // Not queued (the store may be unwritable): forget the outage so the next failure tries again.
          if (this.open.get(source) === outage) this.open.delete(source);
          throw err;
        },
      );
    return outage.alerted;
  }

  /** The source answered a query: ends its outage if the quiet period has passed since its last failure. */
  async answered(source: string): Promise<void> {
    const outage = this.open.get(source);
    if (outage && this.deps.now() - outage.lastFailure > OUTAGE_QUIET_SECONDS) await this.ended(source, outage);
  }

  /** Sources in an outage now, with when it began (Unix seconds). */
  current(): Array<{ source: string; since: number }> {
    const now = this.deps.now();
    return [...this.open].filter(([, o]) => now - o.lastFailure <= OUTAGE_QUIET_SECONDS).map(([source, o]) => ({ source, since: o.since }));
  }

  /** Writes the outage as it stands; a store that cannot be written is logged (the outage then lives in memory). */
  private async save(source: string, outage: Outage): Promise<void> {
    if (!this.deps.store) return;
    const lastFailure = outage.lastFailure;
    try {
      await this.deps.store.saveSourceOutage({ source, since: outage.since, lastFailure, deploys: [...outage.deploys] });
      outage.saved = Math.max(outage.saved, lastFailure);
    } catch (err) {
      this.deps.logger.error({ err, source }, `could not record the outage of metric source ${source}; after a restart it may be alerted again`);
    }
  }

  /** Ends the outage and tells it once: in the log, if this process is the one whose store call ended it. */
  private async ended(source: string, outage: Outage): Promise<void> {
    if (this.open.get(source) === outage) this.open.delete(source);
    let told = true;
    try {
      told = (await this.deps.store?.endSourceOutage(source, outage.since)) ?? true;
    } catch (err) {
      this.deps.logger.error({ err, source }, `could not record the end of the outage of metric source ${source}`);
    }
    if (!told) return;
    const lasted = Math.round(outage.lastFailure - outage.since);
    this.deps.logger.warn({ source, seconds: lasted, deploys: [...outage.deploys] }, `metric source ${source} answers again; its outage lasted ${lasted}s`);
  }
}
