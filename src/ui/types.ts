// The API shapes the UI reads: the chart shapes are the server's own types; the rest restated as far as the UI uses them.

export interface Finding {
  rule: string;
  metric: string;
  severity: string;
  at: number;
  observed: number | null;
  baseline: number | null;
  condition: string;
  kind: string;
  summary: string;
  clearedAt?: number | null;
  evidence?: Record<string, unknown> | null;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  outcome: string;
  httpStatus: number | null;
  error: string | null;
}

export interface DeployView {
  deploy: {
    id: string;
    service: string;
    environment: string;
    version: string;
    previousVersion?: string | null;
    commit?: string | null;
    startedAt: number;
    receivedAt: number;
    labels?: Record<string, string>;
    links?: Record<string, string>;
    origin: string;
  };
  watch: { status: string; windowEnd: number; evaluatedAt: number | null; reason: string | null; updatedAt: number } | null;
  verdict: { verdict: string; severity: string | null; rollback: boolean; rollbackAt: number | null; reason: string | null; decidedAt: number } | null;
  findings: Finding[];
  actions: Array<{
    id: number;
    kind: string;
    target: string;
    status: string;
    output: string | null;
    error: string | null;
    createdAt: number;
    finishedAt: number | null;
    attempts: DeliveryAttempt[];
  }>;
  reviewActions?: Array<{ id: number; action: string; actor: string; reason: string; outcome: string | null; createdAt: number }>;
  feedback?: Array<{ id: number; label: string; rule: string | null; note: string; actor: string; createdAt: number }>;
  recovery?: { status: string; rolledBackAt: number; windowEnd: number; rules: string[]; checkedAt: number | null; summary: string | null } | null;
  deliveries?: Array<{
    id: number;
    event: string;
    channel: string;
    channelType: string;
    status: string;
    attempts: number;
    lastError: string | null;
    output: string | null;
    nextAttemptAt: number;
    createdAt?: number;
  }>;
}

/** One deploy of GET /v1/deploys: findings without evidence, actions without request, output and error. */
export interface DeploySummary {
  deploy: DeployView['deploy'];
  watch: DeployView['watch'];
  verdict: DeployView['verdict'];
  findings: Array<Omit<Finding, 'evidence'>>;
  actions: Array<Pick<DeployView['actions'][number], 'id' | 'kind' | 'target' | 'status' | 'createdAt' | 'finishedAt'>>;
}

/** GET /v1/deploys: a page and the cursor of the next one (null on the last page). */
export interface DeployPage {
  deploys: DeploySummary[];
  next: string | null;
}

// The chart shapes come from the server's own types-only module (erased from the bundle).
export type { DeployCharts, MetricChart, Point } from '../review/chart-types.js';
