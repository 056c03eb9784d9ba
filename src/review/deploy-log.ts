// The deployment log (the seeds' "Deployment Log Template") filled from a deploy's record, as Markdown.
import type { FeedbackRecord, ReviewActionRecord } from '../store/records.js';
import type { DeployView } from '../store/records.js';

/** Deploy values are hostile: keep them on one line and stop them from becoming Markdown/HTML structure. */
function md(value: unknown): string {
  return (
    String(value ?? '')
      // eslint-disable-next-line no-control-regex -- control characters would break the line structure
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/[\\`*_{}[\]()#+!|<>&]/g, (c) => `\\${c}`)
      .slice(0, 500)
  );
}

const iso = (t: number | null | undefined): string =>
  typeof t === 'number' && Number.isFinite(t)
    ? new Date(t * 1000)
        .toISOString()
        .replace(/:\d\d\.\d+Z$/, 'Z')
        .replace('T', ' ')
    : '-';
const box = (done: boolean): string => (done ? '[x]' : '[ ]');

export interface DeployLogInput {
  view: DeployView;
  reviewActions: ReviewActionRecord[];
  feedback: FeedbackRecord[];
}

/** Renders the template's sections from the record; checks the guard cannot know stay unticked. */
export function deployLog({ view, reviewActions, feedback }: DeployLogInput): string {
  const { deploy, watch, verdict, findings, actions } = view;
  const links = Object.entries(deploy.links ?? {});
  const labels = Object.entries(deploy.labels ?? {});
  const rolledBack = actions.some((a) => a.kind === 'rollback' && a.status === 'succeeded');
  const out = [
    `## Deployment: ${md(deploy.version)}`,
    `**Date**: ${iso(deploy.startedAt)}`,
    `**Deployer**: ${md(deploy.labels?.deployer ?? deploy.origin)}`,
    `**Environment**: ${md(deploy.environment)}`,
    `**Service**: ${md(deploy.service)}`,
    '',
    '### Changes Deployed',
    `- ${md(deploy.previousVersion ?? 'unknown')} → ${md(deploy.version)}`,
    ...links.map(([k, v]) => `- ${md(k)}: ${md(v)}`),
    ...labels.map(([k, v]) => `- label ${md(k)}=${md(v)}`),
    '',
    '### Pre-Deployment',
    '- [ ] Backup created: n/a (not known to release-guard)',
    '- [ ] Tests passed: n/a (not known to release-guard)',
    '- [ ] Staging validated',
    '',
    '### Deployment',
    `- ${box(Boolean(deploy.commit))} Code deployed: ${md(deploy.commit ?? 'commit not reported')}`,
    '- [ ] Migrations run: n/a',
    '- [ ] Services restarted',
    '',
    '### Post-Deployment',
    `- ${box(verdict?.verdict === 'pass')} Monitoring normal: ${verdict ? `${verdict.verdict}${verdict.severity ? ` (${verdict.severity})` : ''}` : `still ${md(watch?.status ?? 'unknown')}`}${verdict?.reason ? ` — ${md(verdict.reason)}` : ''}`,
    `- ${box(rolledBack)} Rolled back${verdict?.rollbackAt ? ` at ${iso(verdict.rollbackAt)}` : ''}`,
    ...findings.map((f) => `- ${f.severity} ${md(f.rule)} on ${md(f.metric)} at ${iso(f.at)}: ${md(f.summary)}`),
    ...actions.map((a) => `- ${a.kind} ${md(a.target)}: ${a.status}${a.error ? ` — ${md(a.error)}` : ''}`),
    '',
    '### Issues/Notes',
    ...reviewActions.map((a) => `- ${iso(a.createdAt)} ${a.action} by ${md(a.actor)}: ${md(a.reason)}${a.outcome ? ` (${md(a.outcome)})` : ''}`),
    ...feedback.map((f) => `- ${iso(f.createdAt)} feedback ${f.label}${f.rule ? ` (${md(f.rule)})` : ''} by ${md(f.actor)}: ${md(f.note)}`),
  ];
  if (reviewActions.length === 0 && feedback.length === 0) out.push('- none');
  return `${out.join('\n')}\n`;
}
