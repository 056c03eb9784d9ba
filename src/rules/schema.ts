// The rule-file schema (YAML in rules/): one source of truth for validation, types and the README reference.
import { z } from 'zod';
import { SEVERITIES } from '../judge/types.js';
import { Duration } from './duration.js';

export const CANONICAL_METRICS = ['error_rate', 'latency_p95', 'cpu', 'memory', 'throughput'] as const;
export type CanonicalMetric = (typeof CANONICAL_METRICS)[number];

export const Direction = z.enum(['increase', 'decrease', 'either']);
export type Direction = z.infer<typeof Direction>;

/** A metric the rules may refer to; the five canonical ones are built in (DESIGN §2). */
export const MetricDecl = z
  .object({
    unit: z.string().min(1),
    /** The harmful direction: only a move this way can fail a deploy. */
    direction: Direction,
    description: z.string().optional(),
    /** Query per source type, e.g. { prometheus: 'sum(rate(...))' }. Placeholders: {{service}} {{environment}} {{version}}. */
    queries: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type MetricDecl = z.infer<typeof MetricDecl>;

export const BUILTIN_METRICS: Record<CanonicalMetric, MetricDecl> = {
  error_rate: { unit: 'fraction', direction: 'increase', description: 'failed requests / all requests' },
  latency_p95: { unit: 'ms', direction: 'increase', description: '95th percentile request latency' },
  cpu: { unit: 'fraction', direction: 'increase', description: 'CPU used / CPU limit' },
  memory: { unit: 'fraction', direction: 'increase', description: 'memory used / memory limit' },
  throughput: { unit: 'req/s', direction: 'decrease', description: 'requests per second' },
};

/**
 * Operand of a condition: the observed value, its ratio to the baseline, its % change from the baseline, its
 * slope (Theil-Sen, in the metric's unit per hour, over the rule's lookback: a leak climbs, a wander does not), or
 * its robust z-score (distance from the baseline in units of 1.4826 x the baseline's MAD: scale-free noise units).
 */
export const Subject = z.enum(['value', 'ratio', 'change', 'slope', 'z']);
export type Subject = z.infer<typeof Subject>;
export const Operator = z.enum(['>', '>=', '<', '<=']);
export type Operator = z.infer<typeof Operator>;

export interface Condition {
  subject: Subject;
  op: Operator;
  threshold: number;
  /** slope only: seconds of the most recent points the slope is fitted over ("slope(5m)"); default the lookback. */
  over?: number;
  /** As written, normalised: "value > 0.01", "change > 20%". */
  text: string;
}

const CONDITION = /^\s*(value|ratio|change|slope|z)(?:\(\s*([^()]*?)\s*\))?\s*(>=|<=|>|<)\s*([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%?)\s*$/i;

/**
 * "value > 0.01" | "ratio >= 5" | "change > 20%" (change is always in percent) | "slope > 0.2" (per hour, over the
 * lookback) | "slope(5m) > 0.2" (over the most recent 5 minutes: growth that has stopped clears it).
 */
export const ConditionText = z.string().transform((text, ctx): Condition => {
  const m = CONDITION.exec(text);
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a condition; write "<value|ratio|change|slope|z> <op> <number>", e.g. "value > 0.01", "ratio > 5", "change > 20%", "slope > 0.2", "z > 4"`,
    });
    return z.NEVER;
  }
  const subject = m[1]!.toLowerCase() as Subject;
  if (m[5] === '%' && subject !== 'change') {
    ctx.addIssue({ code: 'custom', message: `"${text}": only "change" takes a percent; value, ratio, slope and z are plain numbers` });
    return z.NEVER;
  }
  let over: number | undefined;
  if (m[2] !== undefined) {
    const parsed = subject === 'slope' ? Duration.safeParse(m[2]) : null;
    if (!parsed?.success || !(parsed.data > 0)) {
      const why = subject === 'slope' ? `"${m[2]}" is not a duration` : `only slope takes a duration`;
      ctx.addIssue({ code: 'custom', message: `"${text}": ${why}; write e.g. "slope(5m) > 0.2" for the slope over the last 5 minutes` });
      return z.NEVER;
    }
    over = parsed.data;
  }
  const op = m[3] as Operator;
  const threshold = Number(m[4]);
  const name = over === undefined ? subject : `${subject}(${m[2]})`;
  return { subject, op, threshold, ...(over !== undefined ? { over } : {}), text: `${name} ${op} ${m[4]}${subject === 'change' ? '%' : ''}` };
});

/** `when`: one condition, or all/any of a list. */
export const When = z.union([
  ConditionText.transform((c) => ({ all: [c] })),
  z.object({ all: z.array(ConditionText).min(1) }).strict(),
  z.object({ any: z.array(ConditionText).min(1) }).strict(),
]);
export type When = z.infer<typeof When>;

/**
 * How a rule's step is tested against its baseline, beyond the `when` conditions (see src/judge/step-check.ts).
 * `requests` (throughput only): requests served in the lookback, a silent step counting as none, against the
 * baseline's (src/judge/request-check.ts): the outage-by-silence test. `sequential-counts` / `sequential-shift`:
 * anytime-valid sequential tests with error bound `alpha` (src/judge/sequential-check.ts).
 */
export const RuleTest = z.enum(['none', 'mann-whitney', 'counts', 'requests', 'sequential-counts', 'sequential-shift']);
export type RuleTest = z.infer<typeof RuleTest>;

/** "3 of 5": the finding needs `count` breaching steps among the last `of` steps. */
export const NOfM = z.string().transform((text, ctx) => {
  const m = /^\s*(\d+)\s+of\s+(\d+)\s*$/.exec(text);
  const count = m ? Number(m[1]) : NaN;
  const of = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || of < count) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not N of M; write it like "3 of 5" (1 <= N <= M)` });
    return z.NEVER;
  }
  return { count, of };
});
export type NOfM = z.infer<typeof NOfM>;

export const BaselineKind = z.enum(['pre-deploy', 'week-ago', 'control', 'previous-deploys', 'seasonal']);
export type BaselineKind = z.infer<typeof BaselineKind>;

export const Baseline = z
  .object({
    /**
     * pre-deploy: the service's own [startedAt - duration, startedAt); week-ago: the same span one week earlier,
     * through the window; control: the control group's points in (step - duration, step]; previous-deploys: the
     * windows of the last `deploys` deploys of the service. Too few points (< minPoints) falls back to pre-deploy.
     */
    kind: BaselineKind.default('pre-deploy'),
    /** How much history forms the baseline. */
    duration: Duration.default(3600),
    /** previous-deploys: how many earlier deploys' windows. */
    deploys: z.number().int().positive().default(3),
    /** Fewest baseline points to use this kind; below it the pre-deploy baseline is used instead. */
    minPoints: z.number().int().positive().default(10),
    /** seasonal: the length of one cycle (default 1d: the same minutes of earlier days). */
    period: Duration.optional(),
    /** seasonal: how many earlier periods (default 3); their median is used, so a missing period does not matter. */
    periods: z.number().int().positive().max(28).optional(),
    /** Fit a robust (Theil-Sen) trend on the pre-deploy span and extrapolate it over the window (default false). */
    trend: z.boolean().optional(),
  })
  .strict();
export type Baseline = z.infer<typeof Baseline>;

/** Defaults of the optional seasonal keys (optional so that rule sets written before them stay valid). */
export const SEASONAL_DEFAULTS = { period: 86_400, periods: 3 } as const;

export const Rule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule names are kebab-case: lower-case letters, digits and dashes'),
    description: z.string().optional(),
    metric: z.string().min(1),
    severity: z.enum(SEVERITIES),
    when: When,
    /** How long the condition must hold (consecutive steps) before the finding is established. */
    for: Duration.default(0),
    /** Instead of `for`: N breaching steps among the last M ("3 of 5"). */
    breaches: NOfM.optional(),
    /** Evidence window at each step: observed = median of its points (pooled counts for `test: counts`). Default: one interval. */
    lookback: Duration.optional(),
    /** Statistical test that must also pass: Mann-Whitney U against the baseline points, or a test on error counts. */
    test: RuleTest.default('none'),
    /** Confidence of the test: it passes when p < 1 - confidence. */
    confidence: z.number().gt(0.5).lt(1).default(0.99),
    /** Effect-size tolerance of the test: H0 is "no worse than baseline x (1 + tolerance)" in the harmful direction. */
    tolerance: z.number().nonnegative().default(0),
    /** After the deploy, steps within this grace period may start a streak but never establish a finding. */
    warmup: Duration.default(0),
    /** Hysteresis: consecutive clear steps before an established finding is recorded as cleared. */
    clearAfter: z.number().int().positive().default(3),
    /** Judge the metric per unit of another metric (e.g. cpu per request: per: throughput). */
    per: z.string().min(1).optional(),
    /** Overrides the rule file's baseline for this rule. */
    baseline: Baseline.optional(),
    /** Treat steps without data (source error or no data) as breaches: for rules that must fail closed. */
    failClosed: z.boolean().default(false),
    /**
     * Sequential tests: the probability that a healthy deploy is ever flagged by this rule during the window,
     * however often it is checked. Default: 1 - confidence.
     */
    alpha: z.number().gt(0).lt(0.5).optional(),
    /** shadow: judged, stored and shown with its findings, but never rolls back, fails a verdict or alerts. */
    mode: z.enum(['enforce', 'shadow']).default('enforce'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.alpha !== undefined && !rule.test.startsWith('sequential-')) {
      ctx.addIssue({
        code: 'custom',
        path: ['alpha'],
        message: 'alpha is the error bound of a sequential test; use test: sequential-counts or sequential-shift, or confidence for the others',
      });
    }
    if (rule.test === 'sequential-counts' && rule.per) {
      ctx.addIssue({ code: 'custom', path: ['per'], message: 'test: sequential-counts already weighs errors by requests; drop per' });
    }
    if (rule.breaches && rule.for > 0) {
      ctx.addIssue({ code: 'custom', path: ['breaches'], message: 'use either for (consecutive) or breaches (N of M), not both' });
    }
    if (rule.test === 'counts' && rule.per) {
      ctx.addIssue({ code: 'custom', path: ['per'], message: 'test: counts already weighs errors by requests; drop per' });
    }
    if (rule.test === 'requests' && (rule.metric !== 'throughput' || rule.per)) {
      ctx.addIssue({ code: 'custom', path: ['test'], message: 'test: requests counts the requests served, so it needs metric: throughput and no per' });
    }
  });
export type Rule = z.infer<typeof Rule>;

export const SeverityPolicy = z
  .object({
    /** Fire the rollback hooks when a finding of this severity is established. */
    rollback: z.boolean(),
    /** A finding of this severity makes the verdict `fail`. */
    failsVerdict: z.boolean(),
    /** Alert channels (names); in this version alerts go to the log and the store. */
    alert: z.array(z.string()).default([]),
  })
  .strict();
export type SeverityPolicy = z.infer<typeof SeverityPolicy>;

export const MinEvidence = z
  .object({
    /** Mean requests per second over the window below which the verdict is inconclusive, not pass. */
    throughput: z.number().nonnegative().default(0),
    /** Points of the judged metrics needed in the window for a pass. */
    samples: z.number().int().nonnegative().default(3),
    /** Requests (throughput x interval, summed over the window) needed for a pass; 0: no floor. */
    requests: z.number().nonnegative().default(0),
    /** With too little evidence when the window closes, keep watching up to this much longer. */
    extend: Duration.default(0),
  })
  .strict();
export type MinEvidence = z.infer<typeof MinEvidence>;

export const ExecHook = z
  .object({
    type: z.literal('exec'),
    name: z.string().min(1),
    /** argv, no shell: ["./scripts/rollback.sh", "--to", "previous"]. Deploy fields arrive as RG_* env vars. */
    command: z.array(z.string().min(1)).min(1),
    timeout: Duration.default(300),
    cwd: z.string().optional(),
    /** Guard environment variables passed to the hook besides PATH, HOME and RG_* (the rest are withheld). */
    env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _')).optional(),
  })
  .strict();
export type ExecHook = z.infer<typeof ExecHook>;

export const HttpHook = z
  .object({
    type: z.literal('http'),
    name: z.string().min(1),
    url: z.url(),
    /** Name of the environment variable holding the HMAC key for X-Release-Guard-Signature. */
    secretEnv: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timeout: Duration.default(30),
  })
  .strict();
export type HttpHook = z.infer<typeof HttpHook>;

export const Hook = z.discriminatedUnion('type', [ExecHook, HttpHook]);
export type Hook = z.infer<typeof Hook>;

/** Which deploys a rule file applies to; the default file has no `match`. */
export const Match = z
  .object({
    service: z.string().min(1),
    environment: z.string().min(1).optional(),
  })
  .strict();
export type Match = z.infer<typeof Match>;

/** One YAML file as written. Everything is optional so that per-service files override only what they name. */
export const RuleFile = z
  .object({
    version: z.literal(1).default(1),
    match: Match.optional(),
    /** Metric source name from the config (`sources:`); default: the config's defaultSource. */
    source: z.string().optional(),
    window: Duration.optional(),
    interval: Duration.optional(),
    baseline: Baseline.optional(),
    minEvidence: MinEvidence.optional(),
    metrics: z.record(z.string(), MetricDecl).optional(),
    severities: z.partialRecord(z.enum(SEVERITIES), SeverityPolicy).optional(),
    rules: z.array(Rule).optional(),
    /**
     * Opt-in for a rule set that judges neither error_rate nor latency_p95 (it could never fail a deploy on an outage);
     * without it such a rule set is refused. Inherited by more specific files.
     */
    allowNoErrorOrLatencyRules: z.boolean().optional(),
    /** Names of inherited rules to drop for this match. */
    disable: z.array(z.string()).optional(),
    hooks: z
      .object({ rollback: z.array(Hook).default([]) })
      .strict()
      .optional(),
    /** After a rollback the guard keeps watching this long for the service to come back to its baseline (default: RULE_DEFAULTS). */
    recovery: z.object({ window: Duration }).strict().optional(),
    /**
     * Query templates per source type, then per metric: { prometheus: { error_rate: 'sum(rate(…))' } }. The same
     * as metrics.<name>.queries, in one place; per source type and metric, the more specific file wins.
     */
    queries: z
      .record(z.string(), z.record(z.string(), z.string().min(1)))
      .superRefine((byType, ctx) => {
        for (const type of Object.keys(byType)) {
          if (!/^[a-z][a-z0-9_-]*$/.test(type))
            ctx.addIssue({ code: 'custom', path: [type], message: `"${type}" is not a source type; source types are lower-case, e.g. prometheus or datadog` });
        }
      })
      .optional(),
  })
  .strict();
export type RuleFile = z.infer<typeof RuleFile>;

/** The effective rules for one deploy after the default file and any matching overrides are merged. */
export interface RuleSet {
  /** Files that contributed, most general first. */
  sources: string[];
  source: string | null;
  window: number;
  interval: number;
  baseline: Baseline;
  minEvidence: MinEvidence;
  metrics: Record<string, MetricDecl>;
  severities: Record<(typeof SEVERITIES)[number], SeverityPolicy>;
  rules: Rule[];
  hooks: { rollback: Array<Hook> };
  /** The recovery check after a rollback. */
  recovery: { window: number };
}

/**
 * What applies when even default.yaml leaves a setting out: the one home of every rule-set default. The defaults of a
 * section a file writes (e.g. `baseline: {kind: week-ago}`) come from its schema above, so these reuse them.
 */
export const RULE_DEFAULTS = {
  window: 1800,
  interval: 60,
  baseline: Baseline.parse({}),
  minEvidence: MinEvidence.parse({}),
  severities: {
    P0: { rollback: true, failsVerdict: true, alert: ['page', 'slack'] },
    P1: { rollback: true, failsVerdict: true, alert: ['slack', 'page'] },
    P2: { rollback: false, failsVerdict: true, alert: ['email'] },
    P3: { rollback: false, failsVerdict: false, alert: ['digest'] },
  },
  recovery: { window: 600 },
} as const satisfies Pick<RuleSet, 'window' | 'interval' | 'baseline' | 'minEvidence' | 'severities' | 'recovery'>;

/** A `when` as one line, the way findings and `rules check` print it: "ratio > 5 and value > 0.01". */
export function whenText(when: When): string {
  return 'all' in when ? when.all.map((c) => c.text).join(' and ') : when.any.map((c) => c.text).join(' or ');
}
