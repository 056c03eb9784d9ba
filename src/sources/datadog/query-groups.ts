// Batches, caches and paces Datadog requests: one grouped request per metric group serves every watched deploy in it,
// refreshed at most once per effective interval, which grows when the budget is short (degraded, never dropped).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../telemetry/logger.js';
import type { SourceMetrics } from '../source-metrics.js';
import type { QueryBudget } from './budget.js';
import type { DatadogAnswer } from './client.js';
import { memberOf, type DatadogPlan } from './query-template.js';

/** What a watch asks for: raw points of its member in [from, to] (Unix seconds), at `step`. */
export interface Need {
  plan: DatadogPlan;
  metric: string;
  step: number;
  from: number;
  to: number;
}

/** Raw points for a member, with how far the cache is complete; or an error for the watch to record as blind. */
export type Served =
  | { kind: 'points'; points: Array<[number, number]>; fetchedUntil: number; how: 'fetched' | 'cached' | 'degraded' }
  | { kind: 'error'; message: string; retryable: boolean };

interface Member {
  lastRequestAt: number;
  coveredFrom: number;
  fetchedUntil: number;
  points: Map<number, number>;
  /** Set when the last answer could not be attributed to this member unambiguously. */
  error: string | null;
}

interface Group {
  key: string;
  plan: DatadogPlan;
  metric: string;
  step: number;
  members: Map<string, Member>;
  lastRequestAt: number;
  lastFetchAt: number | null;
  /** Members waiting for the next request, with the earliest time each needs. */
  batch: { needs: Map<string, number>; done: Promise<DatadogAnswer> } | null;
  inflight: Promise<DatadogAnswer> | null;
}

export interface QueryGroupsDeps {
  source: string;
  query(from: number, to: number, query: string): Promise<DatadogAnswer>;
  budget: QueryBudget;
  batchWindowMs: number;
  logger: Logger;
  metrics: SourceMetrics;
  now(): number;
}

/** Raw points are kept this long; members and groups nobody asked about for this long are forgotten. */
const RETENTION = 6 * 3600;
const MAX_FACTOR = 1000;

export class QueryGroups {
  private readonly groups = new Map<string, Group>();
  private factor = 1;
  /** The end of the block last logged, so a block is logged once, not at every query. */
  private warnedUntil = 0;

  constructor(private readonly deps: QueryGroupsDeps) {}

  /** The current multiple of each group's step at which it is refreshed (1 = within budget). */
  get intervalFactor(): number {
    return this.factor;
  }

  /** Answers a watch's need from the cache, a (shared) request, or — over budget — older cached data. */
  async request(need: Need, waited = false): Promise<Served> {
    const now = this.deps.now();
    const group = this.groupFor(need, now);
    const member = this.memberOf(group, need.plan.member, now);
    this.plan(now);
    if (member.error) return { kind: 'error', message: member.error, retryable: false };
    if (member.coveredFrom <= need.from - need.step && member.fetchedUntil >= need.to) return this.serve(member, need, 'cached');
    if (group.inflight && !waited) {
      await group.inflight;
      return this.request(need, true);
    }
    const historyMissing = member.coveredFrom > need.from - need.step;
    const effective = this.factor * group.step;
    const due = group.lastFetchAt === null || now - group.lastFetchAt >= effective - 0.1 * group.step;
    if (!historyMissing && (!due || waited)) return this.degraded(group, member, need, now);
    const blocked = this.deps.budget.blocked(now);
    if (blocked) {
      if (blocked.until !== this.warnedUntil)
        this.deps.logger.warn(
          { source: this.deps.source, metric: need.metric, until: blocked.until },
          `datadog "${this.deps.source}": ${blocked.reason}; serving ${need.metric} from cache until ${new Date(blocked.until * 1000).toISOString()}`,
        );
      this.warnedUntil = blocked.until;
      if (!historyMissing) return this.degraded(group, member, need, now);
      return {
        kind: 'error',
        retryable: true,
        message: `datadog "${this.deps.source}": ${blocked.reason}; ${need.metric} cannot be fetched before ${new Date(blocked.until * 1000).toISOString()}`,
      };
    }
    const answer = await this.join(group, need);
    if (answer.kind === 'error') {
      if (answer.rateLimited && !historyMissing) return this.degraded(group, member, need, this.deps.now());
      return { kind: 'error', message: `${need.metric}: ${answer.message}`, retryable: answer.retryable };
    }
    if (member.error) return { kind: 'error', message: member.error, retryable: false };
    return this.serve(member, need, 'fetched');
  }

  private groupFor(need: Need, now: number): Group {
    let group = this.groups.get(need.plan.groupKey);
    if (!group) {
      group = {
        key: need.plan.groupKey,
        plan: need.plan,
        metric: need.metric,
        step: need.step,
        members: new Map(),
        lastRequestAt: now,
        lastFetchAt: null,
        batch: null,
        inflight: null,
      };
      this.groups.set(group.key, group);
    }
    group.lastRequestAt = now;
    return group;
  }

  private memberOf(group: Group, name: string, now: number): Member {
    let member = group.members.get(name);
    if (!member) {
      member = { lastRequestAt: now, coveredFrom: Number.POSITIVE_INFINITY, fetchedUntil: Number.NEGATIVE_INFINITY, points: new Map(), error: null };
      group.members.set(name, member);
    }
    member.lastRequestAt = now;
    return member;
  }

  /** Whether a group or member counts as watched: asked about within two effective intervals. */
  private active(lastRequestAt: number, step: number, now: number): boolean {
    return lastRequestAt >= now - 2 * Math.max(1, this.factor) * step - step;
  }

  /** Recomputes the interval factor from the active groups and the budget; logs and exposes every change. */
  private plan(now: number): void {
    let demand = 0;
    for (const [key, g] of this.groups) {
      if (now - g.lastRequestAt > RETENTION) this.groups.delete(key);
      else if (this.active(g.lastRequestAt, g.step, now)) demand += 1 / g.step;
    }
    const rate = this.deps.budget.rate(now);
    const factor = Math.min(MAX_FACTOR, this.deps.budget.factor(now, demand));
    const m = this.deps.metrics;
    m.budget.set({ source: this.deps.source }, rate);
    m.budgetUsed.set({ source: this.deps.source }, this.deps.budget.used(now));
    const remaining = this.deps.budget.upstreamRemaining(now);
    if (remaining !== null) m.rateLimitRemaining.set({ source: this.deps.source }, remaining);
    if (factor !== this.factor) {
      const need = Math.round(demand * 3600);
      const groups = [...this.groups.values()].filter((g) => this.active(g.lastRequestAt, g.step, now)).length;
      if (factor > 1) {
        this.deps.logger.warn(
          { source: this.deps.source, groups, demandPerHour: need, budgetPerHour: Math.floor(rate), factor },
          `datadog "${this.deps.source}": ${groups} query groups need ${need} queries/h but the budget allows ${Math.floor(rate)}/h; refreshing each every ${factor} intervals instead of every one — watches are served from cached results in between and catch up`,
        );
      } else {
        this.deps.logger.info(
          { source: this.deps.source, groups, demandPerHour: need, budgetPerHour: Math.floor(rate) },
          `datadog "${this.deps.source}": back within budget (${need} of ${Math.floor(rate)} queries/h); refreshing every interval`,
        );
      }
      this.factor = factor;
    }
    m.intervalFactor.set({ source: this.deps.source }, this.factor);
    const perMetric = new Map<string, number>();
    for (const g of this.groups.values()) perMetric.set(g.metric, Math.max(perMetric.get(g.metric) ?? 0, this.factor * g.step));
    for (const [metric, seconds] of perMetric) m.effectiveInterval.set({ source: this.deps.source, metric }, seconds);
  }

  /** Adds the member to the group's next request (opening a batch window if none is open) and waits for it. */
  private join(group: Group, need: Need): Promise<DatadogAnswer> {
    const since = need.from - need.step;
    if (!group.batch) {
      const needs = new Map<string, number>();
      const done = sleep(this.deps.batchWindowMs).then(() => {
        group.batch = null;
        group.inflight = this.fetch(group, needs).finally(() => {
          group.inflight = null;
        });
        return group.inflight;
      });
      group.batch = { needs, done };
    }
    const needs = group.batch.needs;
    needs.set(need.plan.member, Math.min(needs.get(need.plan.member) ?? since, since));
    return group.batch.done;
  }

  /** One request for the group: the waiting members and every other active member, from the earliest time needed. */
  private async fetch(group: Group, needs: Map<string, number>): Promise<DatadogAnswer> {
    const now = this.deps.now();
    const since = new Map(needs);
    for (const [name, m] of group.members) {
      if (!since.has(name) && Number.isFinite(m.fetchedUntil) && this.active(m.lastRequestAt, group.step, now)) since.set(name, m.fetchedUntil - group.step);
    }
    const from = Math.min(...since.values());
    const members = [...since.keys()].sort();
    this.deps.budget.spend(now);
    const answer = await this.deps.query(from, now, group.plan.build(members));
    this.deps.budget.observe(this.deps.now(), answer.rateLimit, answer.kind === 'error' && answer.rateLimited);
    if (answer.kind === 'ok') {
      group.lastFetchAt = now;
      this.store(group, members, answer, from, now);
    }
    return answer;
  }

  /** Files each series of an answer under its member, replacing what the cache held for [from, to]. */
  private store(group: Group, members: string[], answer: Extract<DatadogAnswer, { kind: 'ok' }>, from: number, to: number): void {
    const tag = group.plan.groupTag;
    const bySeries = new Map<string, Array<Array<[number, number | null]>>>();
    for (const s of answer.series) {
      const name = tag === null ? '' : memberOf(s, tag);
      if (name !== null) bySeries.set(name, [...(bySeries.get(name) ?? []), s.points]);
    }
    for (const name of members) {
      const m = group.members.get(name);
      if (!m) continue;
      const found = bySeries.get(name) ?? [];
      m.error =
        found.length > 1
          ? `datadog "${this.deps.source}": the ${group.metric} query returns ${found.length} series for ${name || 'this deploy'}, but a metric needs one; aggregate it (sum:, avg:) and drop extra "by {…}" tags; query: ${group.plan.build([name])}`
          : null;
      for (const t of [...m.points.keys()]) if ((t >= from && t <= to) || t < to - RETENTION) m.points.delete(t);
      for (const [t, v] of found[0] ?? []) if (v !== null && t >= from && t <= to) m.points.set(t, v);
      m.coveredFrom = m.fetchedUntil >= from ? Math.min(m.coveredFrom, from) : from;
      m.fetchedUntil = to;
    }
    for (const [name, m] of group.members) if (to - m.lastRequestAt > RETENTION) group.members.delete(name);
  }

  private serve(member: Member, need: Need, how: 'fetched' | 'cached' | 'degraded'): Served {
    const points = [...member.points].filter(([t]) => t >= need.from - need.step && t <= need.to).sort((a, b) => a[0] - b[0]);
    return { kind: 'points', points, fetchedUntil: member.fetchedUntil, how };
  }

  /** Older cached data while the group waits for its next refresh; past three effective intervals, the watch is blind. */
  private degraded(group: Group, member: Member, need: Need, now: number): Served {
    const limit = 3 * Math.max(this.factor, 1) * group.step;
    if (now - member.fetchedUntil > limit) {
      return {
        kind: 'error',
        retryable: true,
        message: `datadog "${this.deps.source}": ${need.metric} has not been refreshed for ${Math.round(now - member.fetchedUntil)}s (over the budget or rate limited); the guard cannot see it`,
      };
    }
    this.deps.logger.debug(
      { source: this.deps.source, metric: need.metric, member: need.plan.member, age: now - member.fetchedUntil },
      `datadog "${this.deps.source}": ${need.metric} served from a result ${Math.round(now - member.fetchedUntil)}s old`,
    );
    return this.serve(member, need, 'degraded');
  }
}
