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

/** Operand of a condition: the observed value, its ratio to the baseline, or its % change from the baseline. */
export const Subject = z.enum(['value', 'ratio', 'change']);
export type Subject = z.infer<typeof Subject>;
export const Operator = z.enum(['>', '>=', '<', '<=']);
export type Operator = z.infer<typeof Operator>;

export interface Condition {
  subject: Subject;
  op: Operator;
  threshold: number;
  /** As written, normalised: "value > 0.01", "change > 20%". */
  text: string;
}

const CONDITION = /^\s*(value|ratio|change)\s*(>=|<=|>|<)\s*([+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(%?)\s*$/i;

/** "value > 0.01" | "ratio >= 5" | "change > 20%" (change is always in percent). */
export const ConditionText = z.string().transform((text, ctx): Condition => {
  const m = CONDITION.exec(text);
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a condition; write "<value|ratio|change> <op> <number>", e.g. "value > 0.01", "ratio > 5", "change > 20%"`,
    });
    return z.NEVER;
  }
  const subject = m[1]!.toLowerCase() as Subject;
  if (m[4] === '%' && subject !== 'change') {
    ctx.addIssue({ code: 'custom', message: `"${text}": only "change" takes a percent; value and ratio are plain numbers` });
    return z.NEVER;
  }
  const op = m[2] as Operator;
  const threshold = Number(m[3]);
  return { subject, op, threshold, text: `${subject} ${op} ${m[3]}${subject === 'change' ? '%' : ''}` };
});

/** `when`: one condition, or all/any of a list. */
export const When = z.union([
  ConditionText.transform((c) => ({ all: [c] })),
  z.object({ all: z.array(ConditionText).min(1) }).strict(),
  z.object({ any: z.array(ConditionText).min(1) }).strict(),
]);
export type When = z.infer<typeof When>;

export const Rule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule names are kebab-case: lower-case letters, digits and dashes'),
    description: z.string().optional(),
    metric: z.string().min(1),
    severity: z.enum(SEVERITIES),
    when: When,
    /** How long the condition must hold before the finding is established. */
    for: Duration.default(0),
  })
  .strict();
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

export const Baseline = z
  .object({
    kind: z.literal('pre-deploy').default('pre-deploy'),
    /** How much history before the deploy forms the baseline. */
    duration: Duration.default(3600),
  })
  .strict();
export type Baseline = z.infer<typeof Baseline>;

export const MinEvidence = z
  .object({
    /** Mean requests per second over the window below which the verdict is inconclusive, not pass. */
    throughput: z.number().nonnegative().default(0),
    /** Points of the judged metrics needed in the window for a pass. */
    samples: z.number().int().nonnegative().default(3),
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
    /** Names of inherited rules to drop for this match. */
    disable: z.array(z.string()).optional(),
    hooks: z.object({ rollback: z.array(Hook).default([]) }).strict().optional(),
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
}

/** A `when` as one line, the way findings and `rules check` print it: "ratio > 5 and value > 0.01". */
export function whenText(when: When): string {
  return 'all' in when ? when.all.map((c) => c.text).join(' and ') : when.any.map((c) => c.text).join(' or ');
}
