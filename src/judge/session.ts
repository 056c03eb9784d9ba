// The incremental judge: one session per watch keeps each rule's step outcomes and persistence state between ticks.
import { metricDecl } from '../rules/metric-decl.js';
import type { Rule, RuleSet } from '../rules/schema.js';
import { baselineRanges, type BaselineSample } from './baseline.js';
import { ruleContext, ruleFinding } from './evaluate-rule.js';
import { judgeWith, ruleInput } from './judge.js';
import { advanceTrack, initialTrackState, type TrackState } from './persistence.js';
import { checkStep, newRuleCache, pointSpacing, type RuleCache, type RuleContext, type StepOutcome } from './step-check.js';
import type { BlindSpot, Deploy, Finding, Judgement, Observations, Point, SeriesSet } from './types.js';

/** What a session keeps of one rule: the steps judged so far, their outcomes and the persistence state after each. */
interface RuleMemo {
  /** The point spacing the outcomes were judged with (it is a property of the whole series: a change re-judges). */
  spacing: number;
  cache: RuleCache;
  outcomes: Array<{ t: number; outcome: StepOutcome }>;
  states: TrackState[];
}

/**
 * Judges one watch tick after tick, giving at every call exactly what judge(rules, deploy, obs, now) gives (the
 * from-scratch reference; test/judge/session.test.ts holds them equal on every benchmark scenario at every step),
 * while judging only the steps it has not judged before. Pure: no I/O, no clock.
 *
 * Why that is sound — the invariant: a rule's outcome at step t reads only points at or before t (its lookback, a
 * control baseline up to t, a model's level from earlier periods, a sequential test's points up to t, silence up
 * to t), the rule's baseline, which reads only history (points at or before the deploy: pre-deploy, week-ago,
 * previous deploys' windows, a model's pre-deploy fit), and the series' point spacing. So at each call the session
 * compares the observations with those of its previous call: a point that appeared, vanished or changed at time p
 * (a late sample the watcher's overlapping fetch recorded) forgets the outcomes of the steps at or after p, and
 * of every step, with the rule's cached baseline, when p is in the history; a changed point spacing re-judges that
 * rule; a sequential test's path, kept and grown by the new points, is rebuilt when the change reaches a point it
 * took. Persistence and hysteresis continue from the state after the last step kept. Everything else (which steps,
 * rollback, closing, silence and blind findings, the verdict) is judge()'s own code (judgeWith).
 */
export class JudgeSession {
  private readonly memos: RuleMemo[];
  /** Fixed baselines shared by rules that read the same metric the same way (RuleCache.shared). */
  private baselines = new Map<string, BaselineSample | null>();
  private previous: ObservationSnapshot | null = null;

  constructor(
    readonly rules: RuleSet,
    readonly deploy: Deploy,
  ) {
    this.memos = rules.rules.map(() => this.emptyMemo(NaN));
  }

  /** Whether this session judges for these rules and this deploy (rules are reloaded as new, equal objects). */
  fits(rules: RuleSet, deploy: Deploy): boolean {
    return deploy.id === this.deploy.id && deploy.startedAt === this.deploy.startedAt && (rules === this.rules || sameData(rules, this.rules));
  }

  /** The judgement as of series time `now`, from the observations as they are now. */
  judgeAt(obs: Observations, now: number): Judgement {
    const snapshot = snapshotOf(obs);
    this.forgetChangedSince(this.previous === null ? Infinity : earliestChange(this.previous, snapshot));
    this.previous = snapshot;
    const { rules, deploy } = this;
    const spacings = new Map<string, number>();
    const spacingOf = (metric: string): number => {
      let s = spacings.get(metric);
      if (s === undefined) spacings.set(metric, (s = pointSpacing(obs.series[metric] ?? [], rules.interval)));
      return s;
    };
    return judgeWith(rules, deploy, obs, now, (silence) => {
      const contexts = new Map<number, RuleContext>();
      return (steps) => {
        const findings: Finding[] = [];
        rules.rules.forEach((rule, i) => {
          const memo = this.judged(i, rule, steps, spacingOf(rule.metric), () => {
            let ctx = contexts.get(i);
            if (!ctx)
              contexts.set(i, (ctx = ruleContext(ruleInput(rules, rule, obs, silence, deploy.startedAt, steps), this.memos[i]!.cache, spacingOf(rule.metric))));
            return ctx;
          });
          const k = steps.length - 1;
          const finding = ruleFinding(this.inputOf(rule), memo.outcomes, k < 0 ? initialTrackState() : memo.states[k]!);
          if (finding) findings.push(finding);
        });
        return findings;
      };
    });
  }

  /** Rule i's memo, extended to cover `steps` (a prefix of the watch's steps), judging only steps not kept. */
  private judged(i: number, rule: Rule, steps: readonly number[], spacing: number, context: () => RuleContext): RuleMemo {
    let memo = this.memos[i]!;
    const kept = Math.min(memo.outcomes.length, steps.length);
    // The step grid is fixed by the rules and the deploy; a mismatch can only mean a bug, so start over rather than guess.
    if (memo.spacing !== spacing || (kept > 0 && memo.outcomes[kept - 1]!.t !== steps[kept - 1])) memo = this.memos[i] = this.emptyMemo(spacing);
    if (memo.outcomes.length >= steps.length) return memo;
    const ctx = context();
    let state = memo.states.at(-1) ?? initialTrackState();
    for (let k = memo.outcomes.length; k < steps.length; k++) {
      const t = steps[k]!;
      const outcome = checkStep(ctx, t);
      state = advanceTrack(state, rule, this.deploy.startedAt, t, outcome);
      memo.outcomes.push({ t, outcome });
      memo.states.push(state);
    }
    return memo;
  }

  private emptyMemo(spacing: number): RuleMemo {
    return { spacing, cache: newRuleCache(this.baselines), outcomes: [], states: [] };
  }

  private inputOf(rule: Rule): { rule: Rule; unit: string; interval: number } {
    return { rule, unit: metricDecl(this.rules, rule.metric)?.unit ?? '', interval: this.rules.interval };
  }

  /** Forgets the outcomes of steps at or after `p`, and a rule's cached baseline when p is within its history. */
  private forgetChangedSince(p: number): void {
    if (p === Infinity) return;
    const history = this.rules.rules.map((rule) => p <= historyEnd(this.rules, rule, this.deploy));
    // Rules with the same baseline share its history, so they are all reset together, onto a fresh shared map.
    if (history.some(Boolean)) this.baselines = new Map();
    this.memos.forEach((memo, i) => {
      if (history[i]) {
        this.memos[i] = this.emptyMemo(NaN);
        return;
      }
      // A sequential test grown over points the change reaches is grown again from the window's start.
      if (memo.cache.sequential && p <= memo.cache.sequential.takenUntil) delete memo.cache.sequential;
      const keep = memo.outcomes.findIndex((o) => o.t >= p);
      if (keep < 0) return;
      memo.outcomes.length = keep;
      memo.states.length = keep;
    });
  }
}

/**
 * Sessions of the watches of one process, by deploy id: a tick judges through the watch's session, a new one
 * when the rules or the deploy's start changed (rules are reloadable; an extended window is new rules).
 */
export class JudgeSessions {
  private readonly sessions = new Map<string, JudgeSession>();

  judge(rules: RuleSet, deploy: Deploy, obs: Observations, now: number): Judgement {
    let session = this.sessions.get(deploy.id);
    if (!session?.fits(rules, deploy)) this.sessions.set(deploy.id, (session = new JudgeSession(rules, deploy)));
    return session.judgeAt(obs, now);
  }

  /** Forgets a watch's session (its watch ended, was cancelled or moved to another replica). */
  drop(deployId: string): void {
    this.sessions.delete(deployId);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/**
 * The last time a rule's baseline may read (the deploy start for most kinds; a week-ago window longer than a week
 * reaches past it). A change at or before it invalidates the rule's cached baseline, not only its later steps.
 */
function historyEnd(rules: RuleSet, rule: Rule, deploy: Deploy): number {
  const config = rule.baseline ?? rules.baseline;
  const ctx = { startedAt: deploy.startedAt, window: rules.window, step: deploy.startedAt, previousDeploys: [] };
  const ends = [config.kind === 'control' ? deploy.startedAt : Math.max(...baselineRanges(config.kind, config, ctx).ranges.map((r) => r[1]), deploy.startedAt)];
  // previous-deploys windows end at or before the deploy (+1e-6): their start times are compared as data (earliestChange).
  return Math.max(...ends, deploy.startedAt + 1e-6);
}

/** A copy of what the judge reads, taken at each call (callers may reuse or grow their arrays in place). */
interface ObservationSnapshot {
  series: Map<string, Float64Array>;
  blind: BlindSpot[];
  previousDeploys: number[];
}

function snapshotOf(obs: Observations): ObservationSnapshot {
  const series = new Map<string, Float64Array>();
  const add = (prefix: string, set: SeriesSet | undefined): void => {
    for (const [name, points] of Object.entries(set ?? {})) series.set(`${prefix}${name}`, flatten(points));
  };
  add('deploy:', obs.series);
  add('control:', obs.control);
  return { series, blind: (obs.blind ?? []).map((b) => ({ ...b })), previousDeploys: [...(obs.previousDeploys ?? [])] };
}

function flatten(points: readonly Point[]): Float64Array {
  const out = new Float64Array(points.length * 2);
  for (let i = 0; i < points.length; i++) {
    out[2 * i] = points[i]![0];
    out[2 * i + 1] = points[i]![1];
  }
  return out;
}

/** The earliest series time at which two snapshots differ (Infinity: the same; -Infinity: previous deploys changed). */
export function earliestChange(a: ObservationSnapshot, b: ObservationSnapshot): number {
  if (!sameData(a.previousDeploys, b.previousDeploys)) return -Infinity;
  let p = Infinity;
  for (const key of new Set([...a.series.keys(), ...b.series.keys()])) p = Math.min(p, firstDifference(a.series.get(key), b.series.get(key)));
  const n = Math.min(a.blind.length, b.blind.length);
  let i = 0;
  while (i < n && sameData(a.blind[i], b.blind[i])) i++;
  // Blind spots need not be sorted by time: everything from the first difference on counts as changed.
  for (const spot of [...a.blind.slice(i), ...b.blind.slice(i)]) p = Math.min(p, spot.at);
  return p;
}

/** The time of the first point that differs between two flattened series (sorted by time), Infinity if none. */
function firstDifference(a: Float64Array | undefined, b: Float64Array | undefined): number {
  const x = a ?? new Float64Array(0);
  const y = b ?? new Float64Array(0);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i += 2) {
    if (!Object.is(x[i], y[i]) || !Object.is(x[i + 1], y[i + 1])) return Math.min(x[i]!, y[i]!);
  }
  if (x.length > n) return x[n]!;
  if (y.length > n) return y[n]!;
  return Infinity;
}

/** Deep equality of plain data (JSON-like values; numbers by Object.is). */
function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
