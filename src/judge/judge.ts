// The judge: a pure function of (rules, deploy, observations, now), shared by the live watcher and replay.
import { formatDuration } from '../rules/duration.js';
import { metricDecl } from '../rules/metric-decl.js';
import type { Rule, RuleSet } from '../rules/schema.js';
import { blindFindings } from './blind.js';
import { failsVerdict, highestSeverity, triggersRollback, windowVerdict } from './classify.js';
import { evaluateRule, type RuleInput } from './evaluate-rule.js';
import { insufficientEvidence, judgedMetrics } from './evidence.js';
import { Silence } from './silence.js';
import { newRuleCache } from './rule-context.js';
import { windowSteps } from './steps.js';
import type { BaselineSample } from './baseline.js';
import type { BlindSpot, Deploy, Finding, Judgement, Observations } from './types.js';

/**
 * Judges a deploy as of series time `now`. Walks the steps startedAt + k·interval up to min(now, window end),
 * each step seeing only data up to itself (never the future), so judging at any `now` gives the answer the
 * live watcher gave at that time. No I/O, no clock: `now` is the only notion of time.
 *
 * - Each rule is checked at every step (src/judge/step-check.ts) and its finding established by persistence,
 *   warm-up and hysteresis (src/judge/persistence.ts).
 * - The first step at which a finding whose severity policy says `rollback` is established ends the watch:
 *   done, fail, rollbackAt = that step; later steps are not evaluated.
 * - Silence (src/judge/silence.ts): a series that had data before the deploy and now has none while the source
 *   answers is `silent`, not blind; `test: requests` rules count a silent service as serving nothing.
 * - When the window has closed: fail (a finding's severity fails the verdict), inconclusive (too little
 *   evidence, or blind or silent on error_rate/latency_p95), or pass. With too little evidence and `minEvidence.extend`,
 *   the window is extended step by step until the evidence suffices or the extension runs out.
 * - Otherwise: watching, verdict null, with the findings so far.
 *
 * Series must be sorted by time (sources and the recording parser guarantee it).
 */
export function judge(rules: RuleSet, deploy: Deploy, obs: Observations, now: number): Judgement {
  const baselines = new Map<string, BaselineSample | null>();
  return judgeWith(rules, deploy, obs, now, (silence) => (steps) => evaluateRules(rules, obs, silence, deploy.startedAt, steps, baselines));
}

/** Each rule's finding as of the last of `steps` (always a prefix of the watch's steps, ascending), in rule order. */
export type RuleFindings = (steps: readonly number[]) => Finding[];

/**
 * The judge with the rules' findings supplied by `findingsFor`: judge() evaluates them from scratch, the
 * incremental judge (src/judge/session.ts) from what it kept since its previous call. Everything else — steps,
 * rollback, closing, silence, blind spots, the verdict — is this one code path, so the two cannot drift.
 */
export function judgeWith(
  rules: RuleSet,
  deploy: Deploy,
  obs: Observations,
  now: number,
  findingsFor: (silence: Silence) => RuleFindings,
  silence = silenceOf(rules, deploy, obs),
): Judgement {
  const { startedAt } = deploy;
  const nominalEnd = startedAt + rules.window;
  const maxEnd = nominalEnd + rules.minEvidence.extend;
  const allSteps = windowSteps(startedAt, rules.interval, nominalEnd, maxEnd, now);
  const findingsOver = findingsFor(silence);
  const blind = blindSpots(obs.blind ?? [], silence);
  // The window proper first; the extension's steps only when the window closes short of evidence.
  const windowOnly = allSteps.filter((t) => t <= nominalEnd);
  let steps = windowOnly;
  let all = findingsOver(steps);
  let rollbackAt = firstAt(all.filter((f) => triggersRollback(f, rules.severities)));
  let closedAt = rollbackAt ?? closingStep(rules, obs, blind, startedAt, steps, all, nominalEnd, maxEnd);
  if (closedAt === null && allSteps.length > windowOnly.length) {
    steps = allSteps;
    all = findingsOver(steps);
    rollbackAt = firstAt(all.filter((f) => triggersRollback(f, rules.severities)));
    closedAt = rollbackAt ?? closingStep(rules, obs, blind, startedAt, steps, all, nominalEnd, maxEnd);
  }
  const evaluatedAt = closedAt ?? steps.at(-1) ?? startedAt;
  // Findings as of evaluatedAt: hysteresis (clearedAt) must not see steps after the watch ended.
  const breaches = evaluatedAt === steps.at(-1) ? all : findingsOver(steps.filter((t) => t <= evaluatedAt));
  const judged = steps.filter((t) => t <= evaluatedAt);
  const findings = byTime([...breaches.filter((f) => f.at <= evaluatedAt), ...blindFindings(blind, evaluatedAt), ...silence.findings(judged)]);
  const severity = highestSeverity(findings);
  const windowEnd = closedAt === null ? (evaluatedAt >= nominalEnd ? maxEnd : nominalEnd) : Math.max(nominalEnd, rollbackAt === null ? closedAt : nominalEnd);
  const base = { severity, findings, evaluatedAt, windowEnd };
  if (rollbackAt !== null) {
    const trigger = findings.find((f) => f.at === rollbackAt && triggersRollback(f, rules.severities))!;
    const reason = `rollback: ${trigger.rule} (${trigger.severity}): ${trigger.summary}`;
    return { ...base, state: 'done', verdict: 'fail', rollback: true, rollbackAt, reason };
  }
  if (closedAt === null) {
    return { ...base, state: 'watching', verdict: null, rollback: false, rollbackAt: null, reason: null };
  }
  const { verdict, reason } = windowVerdict({ rules, findings, series: obs.series, startedAt, windowEnd: closedAt });
  const extended = closedAt > nominalEnd ? ` (window extended by ${formatDuration(closedAt - nominalEnd)} for evidence)` : '';
  return { ...base, state: 'done', verdict, rollback: false, rollbackAt: null, reason: `${reason}${extended}` };
}

/** What the observations say about silence (judgeWith builds it unless given the one it would build). */
export function silenceOf(rules: RuleSet, deploy: Deploy, obs: Observations): Silence {
  return new Silence({ series: obs.series, blind: obs.blind ?? [], startedAt: deploy.startedAt, interval: rules.interval, history: rules.baseline.duration });
}

/**
 * The step at which the window closes, or null while it is open: the nominal end if a finding already fails
 * the verdict, the evidence suffices there, or the source is blind on a judged metric; else the first later
 * step (within the extension) where it suffices; else the end of the extension.
 */
function closingStep(
  rules: RuleSet,
  obs: Observations,
  blind: readonly BlindSpot[],
  startedAt: number,
  steps: readonly number[],
  findings: readonly Finding[],
  nominalEnd: number,
  maxEnd: number,
): number | null {
  const judged = judgedMetrics(rules);
  for (const s of steps) {
    if (s < nominalEnd) continue;
    if (s >= maxEnd || findings.some((f) => f.at <= s && failsVerdict(f, rules.severities))) return s;
    // A blind source is not a quiet service: waiting longer is no cure, so the verdict comes on time.
    if (blind.some((b) => b.at <= s && judged.includes(b.metric))) return s;
    if (insufficientEvidence({ rules, series: obs.series, startedAt, windowEnd: s }) === null) return s;
  }
  return null;
}

/** Each rule's finding over the steps (rules whose metric has no data simply find nothing). */
function evaluateRules(
  rules: RuleSet,
  obs: Observations,
  silence: Silence,
  startedAt: number,
  steps: readonly number[],
  baselines: Map<string, BaselineSample | null>,
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules.rules) {
    const finding = evaluateRule(ruleInput(rules, rule, obs, silence, startedAt, steps), newRuleCache(baselines));
    if (finding) findings.push(finding);
  }
  return findings;
}

/** What one rule of the set is evaluated with. */
export function ruleInput(rules: RuleSet, rule: Rule, obs: Observations, silence: Silence, startedAt: number, steps: readonly number[]): RuleInput {
  const decl = metricDecl(rules, rule.metric);
  return {
    rule,
    obs,
    direction: decl?.direction ?? 'either',
    unit: decl?.unit ?? '',
    baseline: rules.baseline,
    startedAt,
    window: rules.window,
    interval: rules.interval,
    steps,
    silence,
  };
}

/**
 * The blind spots that make the guard blind: source errors, and no-data answers for a metric that never had data
 * (a query that matches nothing). No data for a metric that had data before the deploy is silence, judged from
 * the series themselves so that replay, which has no blind spots, sees it too.
 */
function blindSpots(spots: readonly BlindSpot[], silence: Silence): BlindSpot[] {
  return spots.filter((b) => b.kind === 'error' || !silence.reported(b.metric));
}

function firstAt(findings: readonly Finding[]): number | null {
  return findings.reduce<number | null>((min, f) => (min === null || f.at < min ? f.at : min), null);
}

/** Findings in the order they were established (stable: rule order, then blind spots, at equal times). */
function byTime(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.at - b.at);
}
