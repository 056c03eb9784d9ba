// The incremental judge: one session per watch keeps each rule's step kinds and persistence state between ticks.
import { metricDecl } from '../rules/metric-decl.js';
import type { Rule, RuleSet } from '../rules/schema.js';
import { baselineRanges, type BaselineSample } from './baseline.js';
import { ruleContext, ruleFinding, streakStart } from './evaluate-rule.js';
import { judgeWith, ruleInput, silenceOf, type RuleFindings } from './judge.js';
import { advanceTrack, initialTrackState, type TrackState } from './persistence.js';
import type { Silence } from './silence.js';
import { newRuleCache, pointSpacing, type RuleCache, type RuleContext } from './rule-context.js';
import { checkStep, type StepOutcome } from './step-check.js';
import { breachOutcome, CLEAR as CLEAR_OUTCOME, GAP as GAP_OUTCOME } from './outcome.js';
import { earliestChange, sameData, snapshotOf, type ObservationSnapshot } from './observation-snapshot.js';
import type { Deploy, Finding, Judgement, Observations } from './types.js';

/** A step's outcome kind, as a session keeps it: one small integer a step (see KIND_OF and OUTCOME_OF). */
const GAP = 0;
const CLEAR = 1;
const BREACH = 2;
/** A warm-up step not checked yet: persistence skips it, so only a breach streak reaching back into the warm-up reads it (kindAt). */
const UNCHECKED = 3;
const KIND_OF = { gap: GAP, clear: CLEAR, breach: BREACH } as const;
/** Stand-ins for replaying persistence over kept kinds: advanceTrack reads only `kind`, except the outcome it establishes. */
const OUTCOME_OF: readonly StepOutcome[] = [
  GAP_OUTCOME,
  CLEAR_OUTCOME,
  breachOutcome({ observed: null, baseline: null, test: null, points: 0 }),
  // UNCHECKED, at a warm-up step, which advanceTrack skips before reading the outcome.
  GAP_OUTCOME,
];

const NO_OPTIONS = Object.freeze({});

/** Step kinds packed fifteen to a number (two bits each: a 30-bit integer V8 keeps unboxed, 4 bytes). */
class StepKinds {
  private words: number[] = [];
  length = 0;

  at(k: number): number {
    return (this.words[(k / 15) | 0]! >>> (2 * (k % 15))) & 3;
  }

  push(kind: number): void {
    const w = (this.length / 15) | 0;
    // A new array of exactly one more word: a push would leave room for sixteen more, in each rule of each watch.
    if (w === this.words.length) this.words = this.words.concat(0);
    this.words[w]! |= kind << (2 * (this.length % 15));
    this.length++;
  }

  /** Replaces kind k (one of those kept). */
  set(k: number, kind: number): void {
    const w = (k / 15) | 0;
    const shift = 2 * (k % 15);
    this.words[w] = (this.words[w]! & ~(3 << shift)) | (kind << shift);
  }

  /** Keeps the first n kinds. */
  truncate(n: number): void {
    if (n >= this.length) return;
    this.length = n;
    this.words = this.words.slice(0, Math.ceil(n / 15));
    if (n % 15 !== 0) this.words[this.words.length - 1]! &= (1 << (2 * (n % 15))) - 1;
  }
}

/**
 * What a session keeps of one rule: the kind of each step judged so far and the persistence state after the last
 * one. That is all a finding reads (its establishing step's outcome is in the state, its streak in the kinds), and
 * the state after any earlier step is replayed from the kinds without judging a step again.
 */
interface RuleMemo {
  /** The point spacing the steps were judged with (it is a property of the whole series: a change re-judges). */
  spacing: number;
  cache: RuleCache;
  /** One of GAP, CLEAR, BREACH (or UNCHECKED, in the warm-up) per judged step, at the session's `steps` times. */
  kinds: StepKinds;
  /** Persistence state after the last judged step. */
  state: TrackState;
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
 *
 * Memory (10,000 watches share a daemon): per rule only each step's outcome kind and the last persistence state;
 * per series fingerprints of its history and of each interval after the start (src/judge/observation-snapshot.ts).
 */
export class JudgeSession {
  private readonly memos: RuleMemo[];
  /** Fixed baselines shared by rules that read the same metric the same way (RuleCache.shared). */
  private baselines = new Map<string, BaselineSample | null>();
  private previous: ObservationSnapshot | null = null;
  /** The baselines whose times shareBaselineTimes has shared (the map and its size then). */
  private shared: { map: Map<string, BaselineSample | null> | null; size: number } = { map: null, size: 0 };
  /** What the calls derived from fixed observations (derivedFor). */
  private fixed: Derived | null = null;
  /** The step times judged so far (the longest prefix of the watch's steps any rule was judged over). */
  private steps: readonly number[] = [];

  /**
   * `fixedObservations`: every call passes the same observations, never changed (a recording judged by replay), so
   * there is nothing to compare between calls and no fingerprints are taken.
   */
  constructor(
    readonly rules: RuleSet,
    readonly deploy: Deploy,
    private readonly options: { fixedObservations?: boolean } = NO_OPTIONS,
  ) {
    this.memos = rules.rules.map(() => this.emptyMemo(NaN));
  }

  /** Whether this session judges for these rules and this deploy (rules are reloaded as new, equal objects). */
  fits(rules: RuleSet, deploy: Deploy): boolean {
    return deploy.id === this.deploy.id && deploy.startedAt === this.deploy.startedAt && (rules === this.rules || sameData(rules, this.rules));
  }

  /** The judgement as of series time `now`, from the observations as they are now. */
  judgeAt(obs: Observations, now: number): Judgement {
    const { rules, deploy } = this;
    if (!this.options.fixedObservations) this.compare(obs);
    const derived = this.derivedFor(obs);
    const judgement = judgeWith(rules, deploy, obs, now, (silence) => this.findingsOver(obs, silence, derived), derived.silence);
    // A recording's session lives for one replay: sharing its baselines' memory would cost more than it saves.
    if (!this.options.fixedObservations) this.shareBaselineTimes();
    return judgement;
  }

  /**
   * What a call derives from the observations besides the steps' outcomes: new at each call, except for fixed
   * observations (a recording), which keep them from call to call, as they read nothing else.
   */
  private derivedFor(obs: Observations): Derived {
    if (this.options.fixedObservations && this.fixed?.obs === obs) return this.fixed;
    const derived: Derived = { obs, spacings: new Map(), contexts: new Map(), silence: undefined };
    if (this.options.fixedObservations) {
      derived.silence = silenceOf(this.rules, this.deploy, obs);
      this.fixed = derived;
    }
    return derived;
  }

  /** Compares the observations with the previous call's, forgetting the outcomes of the steps a change reaches. */
  private compare(obs: Observations): void {
    const snapshot = snapshotOf(obs, this.deploy.startedAt, this.rules.interval);
    this.forgetChangedSince(this.previous === null ? Infinity : earliestChange(this.previous, snapshot));
    this.previous = snapshot;
  }

  /** Each rule's finding over a prefix of the watch's steps (judgeWith's RuleFindings), judging only steps not kept. */
  private findingsOver(obs: Observations, silence: Silence, { spacings, contexts }: Derived): RuleFindings {
    const { rules, deploy } = this;
    const spacingOf = (metric: string): number => {
      let s = spacings.get(metric);
      if (s === undefined) spacings.set(metric, (s = pointSpacing(obs.series[metric] ?? [], rules.interval)));
      return s;
    };
    return (steps) => {
      this.checkGrid(steps);
      const findings: Finding[] = [];
      rules.rules.forEach((rule, i) => {
        const context = (): RuleContext => {
          let ctx = contexts.get(i);
          if (ctx?.cache !== this.memos[i]!.cache) {
            const input = ruleInput(rules, rule, obs, silence, deploy.startedAt, steps);
            contexts.set(i, (ctx = ruleContext(input, this.memos[i]!.cache, spacingOf(rule.metric))));
          }
          return ctx;
        };
        const state = this.judged(i, rule, steps, spacingOf(rule.metric), context);
        const at = state.established?.at;
        const streak = at === undefined ? NaN : streakStart(this.steps, (k) => this.kindAt(i, k, context) === BREACH, this.steps.indexOf(at));
        const finding = ruleFinding(this.inputOf(rule), state, streak);
        if (finding) findings.push(finding);
      });
      return findings;
    };
  }

  /**
   * Baselines of different metrics over the same span mostly have the same times (a source samples them together):
   * they keep one array of them (the session holds its baselines for the watch's whole window).
   */
  private shareBaselineTimes(): void {
    if (this.shared.map === this.baselines && this.shared.size === this.baselines.size) return;
    this.shared = { map: this.baselines, size: this.baselines.size };
    const kept: Array<readonly number[]> = [];
    for (const b of this.baselines.values()) {
      if (!b) continue;
      const same = kept.find((times) => sameNumbers(times, b.times));
      if (same) b.times = same;
      else kept.push(b.times);
    }
  }

  /** The step grid is fixed by the rules and the deploy; a mismatch can only mean a bug, so start over rather than guess. */
  private checkGrid(steps: readonly number[]): void {
    const n = Math.min(steps.length, this.steps.length);
    if (n === 0 || steps[n - 1] === this.steps[n - 1]) return;
    this.memos.forEach((_, i) => (this.memos[i] = this.emptyMemo(NaN)));
    this.steps = [];
  }

  /** Rule i's persistence state after the last of `steps` (a prefix of the watch's steps), judging only steps not kept. */
  private judged(i: number, rule: Rule, steps: readonly number[], spacing: number, context: () => RuleContext): TrackState {
    let memo = this.memos[i]!;
    if (memo.spacing !== spacing) memo = this.memos[i] = this.emptyMemo(spacing);
    if (memo.kinds.length < steps.length) {
      let ctx: RuleContext | undefined;
      let state = memo.state;
      for (let k = memo.kinds.length; k < steps.length; k++) {
        const t = steps[k]!;
        // A warm-up step leaves the state as it is (advanceTrack skips it): it is checked only if a streak reaches it.
        if (t - this.deploy.startedAt <= rule.warmup) {
          memo.kinds.push(UNCHECKED);
          continue;
        }
        const outcome = checkStep((ctx ??= context()), t);
        state = advanceTrack(state, rule, this.deploy.startedAt, t, outcome);
        memo.kinds.push(KIND_OF[outcome.kind]);
      }
      memo.state = state;
      if (steps.length > this.steps.length) this.steps = [...steps];
    }
    return memo.kinds.length === steps.length ? memo.state : this.replayed(memo, rule, steps.length);
  }

  /** The kind of rule i's step k (one kept), checking a warm-up step that was not (its points are those kept). */
  private kindAt(i: number, k: number, context: () => RuleContext): number {
    const { kinds } = this.memos[i]!;
    let kind = kinds.at(k);
    if (kind === UNCHECKED) kinds.set(k, (kind = KIND_OF[checkStep(context(), this.steps[k]!).kind]));
    return kind;
  }

  /**
   * The persistence state after the first n kept steps, replayed from their kinds. The replay is the run that
   * produced memo.state cut short, so it establishes the finding, if at all, at the same step: that step gets its
   * real outcome (kept in the state), the others stand-ins advanceTrack only reads the kind of.
   */
  private replayed(memo: RuleMemo, rule: Rule, n: number): TrackState {
    const established = memo.state.established;
    const e = established ? this.steps.indexOf(established.at) : -1;
    let state = initialTrackState();
    for (let k = 0; k < n; k++)
      state = advanceTrack(state, rule, this.deploy.startedAt, this.steps[k]!, k === e ? established!.outcome : OUTCOME_OF[memo.kinds.at(k)]!);
    return state;
  }

  private emptyMemo(spacing: number): RuleMemo {
    return { spacing, cache: newRuleCache(this.baselines), kinds: new StepKinds(), state: initialTrackState() };
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
    let keep = this.steps.findIndex((t) => t >= p);
    if (keep < 0) keep = this.steps.length;
    this.memos.forEach((memo, i) => {
      if (history[i]) {
        this.memos[i] = this.emptyMemo(NaN);
        return;
      }
      // A sequential test grown over points the change reaches is grown again from the window's start.
      if (memo.cache.sequential && p <= memo.cache.sequential.takenUntil) memo.cache.sequential = undefined;
      if (memo.kinds.length <= keep) return;
      memo.state = this.replayed(memo, this.rules.rules[i]!, keep);
      memo.kinds.truncate(keep);
    });
  }
}

/** What one call of a session derives from the observations (JudgeSession.derivedFor). */
interface Derived {
  obs: Observations;
  /** Each metric's point spacing. */
  spacings: Map<string, number>;
  /** Each rule's context, by its index in the rule set. */
  contexts: Map<number, RuleContext>;
  /** The silence judgeWith is given (undefined: it builds its own). */
  silence: Silence | undefined;
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

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
