// The API's response schemas cover what the guard has: a judged deploy view (with evidence and actions) round-trips
// unchanged, and a field no schema names is dropped rather than leaked.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeployListResponse, DeployResponse, SilenceDetailResponse } from '../../src/api/schemas/index.js';
import { judge } from '../../src/judge/judge.js';
import { readRecording } from '../../src/recording/read.js';
import { actionOf } from '../../src/store/outbox.js';
import type { DeliveryRecord, DeployView } from '../../src/store/records.js';
import { defaultPolicy } from '../judge/default-policy.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'recordings');

async function judgedView(): Promise<DeployView> {
  const { deploy, series } = await readRecording(join(FIXTURES, 'broken-error-spike.json'));
  const rules = defaultPolicy();
  const j = judge(rules, deploy, { series }, deploy.startedAt + rules.window);
  const delivery: DeliveryRecord = {
    id: 3,
    dedupKey: `rollback:${deploy.id}:k8s`,
    deployId: deploy.id,
    service: deploy.service,
    environment: deploy.environment,
    kind: 'hook',
    event: 'rollback',
    channel: 'k8s',
    channelType: 'exec',
    severity: 'P1',
    thread: null,
    payload: {},
    status: 'delivered',
    attempts: 1,
    nextAttemptAt: 1,
    deadlineAt: 2,
    lastError: null,
    output: 'rolled back',
    silenceId: null,
    action: { kind: 'rollback', target: 'k8s', request: { hook: 'k8s', reason: 'spike' } },
    createdAt: 1,
    updatedAt: 2,
    finishedAt: 2,
  };
  return {
    deploy: {
      ...deploy,
      previousVersion: deploy.previousVersion ?? null,
      commit: deploy.commit ?? null,
      labels: { team: 'a' },
      links: {},
      origin: 'api',
      receivedAt: deploy.startedAt + 1,
    },
    watch: {
      deployId: deploy.id,
      status: 'fail',
      source: 'demo',
      timeScale: 1,
      windowEnd: j.windowEnd,
      interval: 60,
      evaluatedAt: j.evaluatedAt,
      supersededBy: null,
      reason: j.reason,
      updatedAt: 9,
    },
    verdict: { deployId: deploy.id, verdict: 'fail', severity: j.severity, rollback: j.rollback, rollbackAt: j.rollbackAt, reason: j.reason, decidedAt: 9 },
    findings: j.findings,
    actions: [actionOf(delivery, [{ attempt: 1, startedAt: 1.5, finishedAt: 2, durationMs: 500, outcome: 'delivered', httpStatus: 200, error: null }])!],
  };
}

describe('response schemas', () => {
  it('a judged deploy view with evidence and actions round-trips unchanged', async () => {
    const view = await judgedView();
    expect(view.findings[0]?.evidence?.test?.pValue).toBeTypeOf('number');
    expect(DeployResponse.parse(view)).toEqual(view);
  });

  it('a list item is the view without finding evidence and action payloads; the page carries its next cursor', async () => {
    const view = await judgedView();
    const { evidence: _evidence, ...finding } = view.findings[0]!;
    const [action] = view.actions;
    const summary = {
      ...view,
      findings: view.findings.map(({ evidence: _e, ...f }) => f),
      actions: [{ id: action!.id, kind: 'rollback', target: 'k8s', status: 'succeeded', createdAt: 1, finishedAt: 2 }],
    };
    // A full view given to the list schema is cut down to the summary, never passed through.
    expect(DeployListResponse.parse({ deploys: [view], next: 'abc' })).toEqual({ deploys: [summary], next: 'abc' });
    expect(DeployListResponse.parse({ deploys: [summary], next: null }).deploys[0]?.findings[0]).toEqual(finding);
    expect(JSON.stringify(DeployListResponse.parse({ deploys: [view], next: null }))).not.toMatch(/pValue|rolled back|"request"/);
    expect(DeployListResponse.safeParse({ deploys: [summary] }).success).toBe(false);
  });

  it('drops fields no schema names instead of passing a record through', async () => {
    const view = await judgedView();
    const leaky = { ...view, deploy: { ...view.deploy, internal: 'x' }, rowid: 7 };
    expect(DeployResponse.parse(leaky)).toEqual(view);
  });

  it('refuses a body that breaks the contract (a bug, answered 500 by respond)', () => {
    expect(DeployResponse.safeParse({ deploy: null }).success).toBe(false);
    expect(SilenceDetailResponse.safeParse({ silence: { id: 'one' }, mutedDeliveries: [] }).success).toBe(false);
  });
});
