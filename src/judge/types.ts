// Domain types shared by the judge, the watcher, replay and the store. Times are Unix seconds.

/** One observation: [unix seconds, value]. */
export type Point = [t: number, value: number];

/** Series by metric name (canonical or custom), each sorted by time ascending. */
export type SeriesSet = Record<string, Point[]>;

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** What a finding is (see Finding.kind); the store's CHECK list is generated from this. */
export const FINDING_KINDS = ['breach', 'blind', 'silent'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A deploy as the judge sees it (DESIGN §3 `deploy`). */
export interface Deploy {
  id: string;
  service: string;
  environment: string;
  version: string;
  previousVersion?: string | null;
  commit?: string | null;
  /** Unix seconds. */
  startedAt: number;
  labels?: Record<string, string>;
  links?: Record<string, string>;
}

/** A metric source failure or gap seen at a step: the judge reports it instead of guessing. */
export interface BlindSpot {
  metric: string;
  /** Series time of the step at which the source failed or returned nothing. */
  at: number;
  kind: 'error' | 'no-data';
  message: string;
}

/** Everything the judge may look at for one deploy. */
export interface Observations {
  /** The deployed service's own series: history before startedAt and the window after it. */
  series: SeriesSet;
  /** Optional concurrent control group (stable fleet) over the window. */
  control?: SeriesSet;
  /** Source failures recorded live; replay of a recording has none. */
  blind?: BlindSpot[];
  /**
   * Start times of earlier deploys of the same service and environment, newest first, whose windows are in
   * `series` (for `baseline: previous-deploys`). Live: from the store; replay: from the recording.
   */
  previousDeploys?: number[];
}

/** Which baseline a finding was judged against, and how it was spread. */
export interface BaselineEvidence {
  kind: 'pre-deploy' | 'week-ago' | 'control' | 'previous-deploys' | 'seasonal';
  /** The kind the rule asked for, when it had too few points and pre-deploy was used instead. */
  fellBackFrom: BaselineEvidence['kind'] | null;
  /** Median of the baseline points. */
  median: number;
  /** Error-count rules: all baseline errors / all baseline requests, the rate ratios were judged against. */
  pooledRate?: number;
  /** Median absolute deviation of the baseline points. */
  spread: number;
  count: number;
  /** Earliest and latest baseline point times. */
  from: number;
  to: number;
  /** Seasonal: how many earlier periods had data (a missing one is skipped). */
  periodsUsed?: number;
  /** Trend-aware baselines: the Theil-Sen slope fitted before the deploy, metric unit per hour. */
  slopePerHour?: number;
}

/** The statistical test behind a finding, where the rule uses one. */
export type TestEvidence =
  | { test: 'mann-whitney'; alternative: 'greater' | 'less' | 'two-sided'; u: number; z: number; pValue: number; n: number; baselineN: number }
  | {
      test: 'conditional-binomial' | 'poisson';
      errors: number;
      requests: number;
      baselineErrors: number | null;
      baselineRequests: number | null;
      /** Errors expected in the window under H0 (baseline rate x (1 + tolerance)), in counts divided by `dispersion`. */
      expected: number;
      pValue: number;
      /** The baseline's extra-binomial dispersion φ when above 1 (bursty errors): every count was divided by it. */
      dispersion?: number;
    }
  | {
      /** Requests served in the lookback against the baseline's (src/judge/stats/request-test.ts). */
      test: 'requests';
      requests: number;
      /** Steps of the lookback whose requests are known (a silent step served 0). */
      steps: number;
      /** Requests expected in those steps under H0 (baseline mean x (1 - tolerance)). */
      expected: number;
      /** Negative-binomial shape fitted to the baseline's per-step counts; null: no overdispersion (Poisson). */
      dispersion: number | null;
      pValue: number;
    }
  | {
      /** No throughput data: steps at which the service was silent, against how often it was silent before. */
      test: 'silent-steps';
      silent: number;
      steps: number;
      baselineSilent: number;
      baselineSteps: number;
      pValue: number;
    }
  | {
      /** Anytime-valid Poisson rate-ratio test (Gamma-mixture martingale) over the window's errors so far. */
      test: 'sequential-counts';
      errors: number;
      requests: number;
      /** Pooled baseline rate, and its upper confidence bound the errors were tested against. */
      baselineRate: number;
      rateBound: number;
      /** Quasi-Poisson dispersion of the baseline's counts (1: Poisson). */
      dispersion: number;
      /** The test martingale now; the finding needs eValue >= threshold. pValue: 1 / its maximum so far (anytime-valid). */
      eValue: number;
      threshold: number;
      pValue: number;
    }
  | {
      /** Anytime-valid conformal test (rank martingale) of the window's points against the baseline. */
      test: 'sequential-shift';
      alternative: 'greater' | 'less' | 'two-sided';
      n: number;
      baselineN: number;
      eValue: number;
      threshold: number;
      pValue: number;
    };

/** Everything a finding was decided on, so an SRE can check the judge's arithmetic. */
export interface FindingEvidence {
  baseline: BaselineEvidence | null;
  test: TestEvidence | null;
  /** Significance level the test had to beat (1 - confidence), when there is a test. */
  alpha: number | null;
  /** Seconds of data aggregated into the observed value, and how many points that was. */
  lookback: number;
  points: number;
  /** Theil-Sen slope over the lookback (metric unit per hour), for rules with a slope condition. */
  slope?: number;
  /** How persistence was met: "held 2m at every step", "3 of the last 5 steps". */
  persistence: string;
  /** Why the step's observation is weaker than usual, e.g. "no throughput: every point in the lookback must breach". */
  note?: string;
}

/** Why the judge flagged something: exactly what, by how much, against what, since when. */
export interface Finding {
  rule: string;
  metric: string;
  severity: Severity;
  /** Series time at which the finding was established (after any `for` duration). */
  at: number;
  observed: number | null;
  baseline: number | null;
  /** Human-readable condition, e.g. "ratio > 5 and value > 0.01". */
  condition: string;
  /**
   * breach: a rule held; blind: the source failed (or a query never returned data); silent: the source answered
   * without data for a metric that had data before the deploy (DESIGN §5 "Blind is not silent").
   */
  kind: FindingKind;
  /** One sentence for people: "error_rate 3.1% vs baseline 0.2% (15.5x) for 2m". */
  summary: string;
  /** Series time at which the finding cleared (after `clearAfter` clear steps); null while it holds. Judge output only. */
  clearedAt?: number | null;
  /** A finding of a `mode: shadow` rule: judged, stored and shown, but it never rolls back, fails a verdict or alerts. */
  shadow?: boolean;
  /** Baseline spread, test statistic and p-value behind the finding. Judge output only (not stored). */
  evidence?: FindingEvidence;
}

/** The judge's answer at a point in time. Pure function of (rules, deploy, observations, now). */
export interface Judgement {
  /** watching: the window is still open and nothing forced a decision; done: decided. */
  state: 'watching' | 'done';
  /** null while watching. */
  verdict: Verdict | null;
  severity: Severity | null;
  rollback: boolean;
  rollbackAt: number | null;
  findings: Finding[];
  /** The last step (series time) that was evaluated. */
  evaluatedAt: number;
  /** Series time at which the monitoring window closes (later than window end when extended for evidence). */
  windowEnd: number;
  /** Short reason for inconclusive or pass, e.g. "not enough traffic: 0.3 req/s < 1 req/s". */
  reason: string | null;
}

/** A recording (DESIGN §3, `release-guard/recording@1`): what the guard saw for one deploy. */
export interface Recording {
  format: 'release-guard/recording@1';
  deploy: Deploy;
  series: SeriesSet;
  control?: SeriesSet;
  /** Optional: the source failures the live watch recorded, so a replay of a blind deploy stays blind (not silent). */
  blind?: BlindSpot[];
}
