// The review store contract: SRE actions on a deploy (who, why, when) and their feedback on its verdict.
import type { BlindSpot, Deploy, SeriesSet, Severity, Verdict } from '../judge/types.js';

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

/** Persistence of SRE review; implemented over sqlite in review-repo.ts. */
export interface ReviewStore {
  recordReviewAction(a: Omit<ReviewActionRecord, 'id'>): Promise<ReviewActionRecord>;
  listReviewActions(deployId: string): Promise<ReviewActionRecord[]>;
  recordFeedback(f: Omit<FeedbackRecord, 'id'>): Promise<FeedbackRecord>;
  listFeedback(deployId: string): Promise<FeedbackRecord[]>;
  /** The latest feedback per deploy, for deploys started since `since`. */
  latestFeedback(since: number): Promise<FeedbackRecord[]>;
  /** Deploys with a verdict, newest first. */
  judgedDeploys(q: JudgedDeployQuery): Promise<JudgedDeploySummary[]>;
  /** judgedDeploys with each deploy and the rules that had findings, in one read (the backtest's selection). */
  backtestDeploys(q: JudgedDeployQuery): Promise<BacktestDeploy[]>;
  /** The stored observations of several deploys at once (what `observations` gives for one). */
  observationsOf(deployIds: readonly string[]): Promise<Map<string, { series: SeriesSet; control: SeriesSet; blind: BlindSpot[] }>>;
  /** Every stored finding (breach or blind) of deploys started since `since`. */
  findingFacts(since: number): Promise<FindingFact[]>;
  /** Moves a watching deploy's window end later by `seconds`; false if the deploy is not being watched. */
  extendWatch(deployId: string, seconds: number, now: number): Promise<boolean>;
}
