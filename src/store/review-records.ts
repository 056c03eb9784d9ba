// SRE review records (#9): actions taken on a deploy (who, why, when), feedback on its verdict, and the deploys and
// findings that backtest and rule quality read. Re-exported by records.ts, the store's one import for records.
import type { Deploy, Severity, Verdict } from '../judge/types.js';

/** What an SRE may do to a deploy from the review UI or POST /v1/deploys/:id/actions. */
export const REVIEW_ACTIONS = ['acknowledge', 'rollback', 'stop', 'extend', 'note'] as const;
export type ReviewActionKind = (typeof REVIEW_ACTIONS)[number];

/** An SRE's label of a verdict. */
export const FEEDBACK_LABELS = ['correct', 'false-alarm', 'missed-regression'] as const;
export type FeedbackLabel = (typeof FEEDBACK_LABELS)[number];

/** One recorded SRE action. */
export interface ReviewActionRecord {
  id: number;
  deployId: string;
  action: ReviewActionKind;
  /** Who did it (the name given at login or in the request). */
  actor: string;
  reason: string;
  /** What came of it, e.g. "extended by 600s", "rollback hook demo-rollback: delivered". */
  outcome: string | null;
  createdAt: number;
}

/** One feedback label. The latest one per deploy is the deploy's label. */
export interface FeedbackRecord {
  id: number;
  deployId: string;
  label: FeedbackLabel;
  /** The rule a false alarm names (required for false-alarm, optional otherwise). */
  rule: string | null;
  note: string;
  actor: string;
  createdAt: number;
}

/** A deploy with a verdict, as the backtest and rule-quality pages select them. */
export interface JudgedDeploySummary {
  deployId: string;
  service: string;
  environment: string;
  startedAt: number;
  verdict: Verdict;
  severity: Severity | null;
  rollback: boolean;
  rollbackAt: number | null;
  decidedAt: number;
}

/** A stored finding reduced to what rule quality counts. */
export interface FindingFact {
  deployId: string;
  rule: string;
  severity: Severity;
  at: number;
  startedAt: number;
  rollback: boolean;
  /** The deploy's verdict, null while it is being watched. */
  verdict: Verdict | null;
  /** A finding of a `mode: shadow` rule: judged and stored, never acted on. */
  shadow: boolean;
}

/** A stored deploy as the backtest re-judges it. */
export interface BacktestDeploy {
  summary: JudgedDeploySummary;
  deploy: Deploy;
  /** Rules with a stored finding. */
  rules: string[];
}

export interface JudgedDeployQuery {
  /** Deploys that started at or after this Unix time. */
  since: number;
  service?: string;
  environment?: string;
  /** Default 5000. */
  limit?: number;
}
