// An in-memory DeployIntake for API tests: records what the HTTP layer asked for and answers like the real one.
import type { DeployRequest as DeployInput } from '../../src/watch/intake.js';
import type { DeployIntake } from '../../src/api/deps.js';
import type { DeployListQuery, DeployOrigin, DeploySummary, DeployView } from '../../src/store/records.js';

export const FAKE_NOW = 1_763_647_200;

export class FakeIntake implements DeployIntake {
  readonly views = new Map<string, DeployView>();
  readonly ingested: Array<{ input: DeployInput; origin: DeployOrigin }> = [];
  readonly stops: Array<{ id: string; reason: string }> = [];
  readonly queries: DeployListQuery[] = [];
  private received = 0;

  async ingest(input: DeployInput, origin: DeployOrigin): Promise<{ view: DeployView; created: boolean }> {
    this.ingested.push({ input, origin });
    const id = input.id ?? `fake-${this.views.size + 1}`;
    const existing = this.views.get(id);
    if (existing) return { view: existing, created: false };
    const receivedAt = FAKE_NOW + this.received++;
    const view: DeployView = {
      deploy: {
        id,
        service: input.service,
        environment: input.environment,
        version: input.version,
        previousVersion: input.previousVersion ?? null,
        commit: input.commit ?? null,
        startedAt: input.startedAt ?? receivedAt,
        labels: input.labels ?? {},
        links: input.links ?? {},
        origin,
        receivedAt,
      },
      watch: {
        deployId: id,
        status: 'watching',
        source: 'demo',
        timeScale: 1,
        windowEnd: receivedAt + 900,
        interval: 60,
        evaluatedAt: null,
        supersededBy: null,
        reason: null,
        updatedAt: receivedAt,
      },
      verdict: null,
      findings: [],
      actions: [],
    };
    this.views.set(id, view);
    return { view, created: true };
  }

  async get(id: string): Promise<DeployView | null> {
    return this.views.get(id) ?? null;
  }

  async list(q: DeployListQuery): Promise<DeploySummary[]> {
    this.queries.push(q);
    let all = [...this.views.values()].sort((a, b) => b.deploy.receivedAt - a.deploy.receivedAt);
    if (q.before !== undefined) {
      const cursor = this.views.get(q.before);
      all = cursor ? all.filter((v) => v.deploy.receivedAt < cursor.deploy.receivedAt) : [];
    }
    const after = q.after;
    if (after) all = all.filter((v) => v.deploy.receivedAt < after.receivedAt || (v.deploy.receivedAt === after.receivedAt && v.deploy.id < after.id));
    return all
      .filter((v) => q.service === undefined || v.deploy.service === q.service)
      .filter((v) => q.environment === undefined || v.deploy.environment === q.environment)
      .filter((v) => q.status === undefined || v.watch?.status === q.status)
      .slice(0, q.limit ?? 50);
  }

  async stop(id: string, reason: string): Promise<DeployView | null> {
    this.stops.push({ id, reason });
    const view = this.views.get(id);
    if (!view?.watch) return null;
    view.watch = { ...view.watch, status: 'stopped', reason };
    return view;
  }
}
