// Response schemas of the tuning routes: the effective rules of a service, per-rule quality, and the backtest diff.
import { z } from 'zod';
import { SEVERITIES } from '../../judge/types.js';
import { FEEDBACK_LABELS } from '../../store/records.js';

const UnixSeconds = z.number().describe('Unix seconds');

/** GET /v1/rules. */
export const RulesResponse = z.object({
  service: z.string(),
  environment: z.string(),
  files: z.array(z.string()).describe('rule files that apply, in override order'),
  window: z.number(),
  interval: z.number(),
  rules: z.array(
    z.object({
      name: z.string(),
      metric: z.string(),
      severity: z.enum(SEVERITIES),
      when: z.string(),
      for: z.number(),
      test: z.string(),
      file: z.string().describe('the file the rule came from'),
      rollback: z.boolean(),
    }),
  ),
  hooks: z.array(z.object({ name: z.string(), type: z.string() })),
});
export type RulesResponse = z.infer<typeof RulesResponse>;

export const RuleQualityBody = z.object({
  rule: z.string(),
  fired: z.number().int(),
  rolledBack: z.number().int(),
  falseAlarm: z.number().int(),
  correct: z.number().int(),
  precision: z.number().nullable().describe('correct / (correct + falseAlarm); null without feedback'),
  medianToEstablished: z.number().nullable().describe('median seconds from deploy start to the finding'),
});

/** GET /v1/rules/quality: enforced rules, and apart from them the shadow rules (judged, never acted on). */
export const QualityResponse = z.object({
  since: UnixSeconds,
  rules: z.array(RuleQualityBody),
  shadow: z.array(RuleQualityBody).describe('findings of mode: shadow rules, never counted in `rules`'),
});
export type QualityResponse = z.infer<typeof QualityResponse>;

const BacktestOutcome = z.object({
  verdict: z.string().nullable(),
  severity: z.enum(SEVERITIES).nullable(),
  rollback: z.boolean(),
  timeToRollback: z.number().nullable(),
  rules: z.array(z.string()),
});
const LabelEffect = z.object({ labelled: z.number().int(), failingNow: z.number().int(), failingWithCandidate: z.number().int() });

/** POST /v1/backtest: the stored deploys whose outcome the candidate rules change, and the effect on labelled ones. */
export const BacktestResponse = z.object({
  judged: z.number().int(),
  rejudged: z.number().int(),
  changed: z.array(
    z.object({
      deployId: z.string(),
      service: z.string(),
      environment: z.string(),
      startedAt: UnixSeconds,
      label: z.enum(FEEDBACK_LABELS).nullable(),
      labelRule: z.string().nullable(),
      current: BacktestOutcome,
      candidate: BacktestOutcome,
      changes: z.array(z.string()),
    }),
  ),
  labels: z.object({ correct: LabelEffect, 'false-alarm': LabelEffect, 'missed-regression': LabelEffect }),
  elapsedMs: z.number(),
});
export type BacktestResponse = z.infer<typeof BacktestResponse>;
