// Deploy page: what broke and since when, charts of each judged metric, findings with evidence, what the guard did,
// the timeline, and (admin) actions and feedback.
import { api } from '../api.js';
import { metricChart } from '../chart.js';
import { errorBox, h, num, render, table, time, type Child } from '../dom.js';
import type { Ctx } from '../ctx.js';
import type { DeliveryAttempt, DeployCharts, DeployView, Finding } from '../types.js';

function evidenceList(e: Record<string, unknown> | null | undefined): Child {
  if (!e) return h('span', { class: 'muted' }, 'no evidence stored');
  const rows: Child[] = [];
  const add = (k: string, v: unknown) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) add(`${k}.${k2}`, v2);
    else rows.push(h('dt', {}, k), h('dd', {}, typeof v === 'number' ? (/\.(from|to)$/.test(k) ? time(v) : num(v)) : String(v)));
  };
  for (const [k, v] of Object.entries(e)) add(k, v);
  return h('dl', { class: 'evidence' }, rows);
}

function findingsTable(findings: Finding[]): Child {
  if (findings.length === 0) return h('p', { class: 'muted' }, 'No findings.');
  return table(
    ['Rule', 'Metric', 'Severity', 'Established', 'Observed', 'Baseline', 'Condition', 'Summary', 'Evidence'],
    findings.map((f) => [
      f.rule,
      f.metric,
      h('span', { class: `sev-${f.severity}` }, f.severity),
      time(f.at),
      h('span', { 'data-observed': f.rule }, num(f.observed)),
      num(f.baseline),
      f.condition,
      f.summary,
      evidenceList(f.evidence),
    ]),
    'Findings',
  );
}

/** "retry, HTTP 503, 412 ms — slack answered …" */
function attemptText(t: DeliveryAttempt): string {
  return `${t.outcome}${t.httpStatus === null ? '' : `, HTTP ${t.httpStatus}`}, ${num(t.durationMs)} ms${t.error ? ` — ${t.error}` : ''}`;
}

/** Each kept attempt of a delivery, one line each (the store keeps the latest ones). */
function attemptList(count: number, kept: DeliveryAttempt[]): Child {
  if (kept.length === 0) return String(count);
  const dropped = count - kept.length;
  return h(
    'div',
    {},
    String(count),
    h(
      'ol',
      { class: 'attempts', start: kept[0]!.attempt },
      kept.map((t) => h('li', { 'data-attempt': t.attempt }, h('time', {}, time(t.startedAt)), ' ', attemptText(t))),
    ),
    dropped > 0 ? h('p', { class: 'muted' }, `${dropped} earlier attempt(s) not kept`) : null,
  );
}

function timeline(v: DeployView): Child {
  const items: Array<[number, string, string]> = [
    [v.deploy.receivedAt, 'deploy', `${v.deploy.service}/${v.deploy.environment} ${v.deploy.version} received from ${v.deploy.origin}`],
  ];
  for (const f of v.findings) items.push([f.at, 'finding', `${f.severity} ${f.rule}: ${f.summary}`]);
  for (const a of v.actions) {
    items.push([a.createdAt, a.kind, `${a.target}: ${a.status}${a.error ? ` — ${a.error}` : ''}`]);
    for (const t of a.attempts) items.push([t.startedAt, `attempt ${t.attempt}`, `${a.kind} → ${a.target}: ${attemptText(t)}`]);
  }
  for (const a of v.reviewActions ?? []) items.push([a.createdAt, a.action, `${a.actor}: ${a.reason}${a.outcome ? ` (${a.outcome})` : ''}`]);
  for (const f of v.feedback ?? []) items.push([f.createdAt, `feedback ${f.label}`, `${f.actor}${f.rule ? ` on ${f.rule}` : ''}: ${f.note}`]);
  if (v.verdict)
    items.push([
      v.verdict.decidedAt,
      'verdict',
      `${v.verdict.verdict}${v.verdict.severity ? ` ${v.verdict.severity}` : ''}${v.verdict.reason ? ` — ${v.verdict.reason}` : ''}`,
    ]);
  items.sort((a, b) => a[0] - b[0]);
  return h(
    'ol',
    { class: 'timeline', 'aria-label': 'timeline' },
    items.map(([t, what, text]) => h('li', {}, h('time', {}, time(t)), ' ', h('strong', {}, what), ' ', text)),
  );
}

function actionsPanel(ctx: Ctx, v: DeployView, reload: () => void): Child {
  const reason = h('input', { name: 'reason', size: 40, placeholder: 'why (recorded in the timeline)', 'aria-label': 'reason' });
  const out = h('div', { 'aria-live': 'polite' });
  const act = (action: string) => async () => {
    out.replaceChildren();
    if (action === 'rollback' && !confirm(`Roll back ${v.deploy.service} ${v.deploy.version} now?`)) return;
    try {
      await api(`/v1/deploys/${encodeURIComponent(v.deploy.id)}/actions`, { method: 'POST', body: { action, reason: reason.value } });
      reload();
    } catch (err) {
      out.append(errorBox(err instanceof Error ? err.message : String(err)));
    }
  };
  const label = h(
    'select',
    { name: 'label', 'aria-label': 'verdict label' },
    ['correct', 'false-alarm', 'missed-regression'].map((l) => h('option', { value: l }, l)),
  );
  const rule = h(
    'select',
    { name: 'rule', 'aria-label': 'rule' },
    h('option', { value: '' }, '(no rule)'),
    v.findings.map((f) => h('option', { value: f.rule }, f.rule)),
  );
  const note = h('input', { name: 'note', size: 40, placeholder: 'note', 'aria-label': 'feedback note' });
  const mark = async (e: Event) => {
    e.preventDefault();
    out.replaceChildren();
    try {
      await api(`/v1/deploys/${encodeURIComponent(v.deploy.id)}/feedback`, {
        method: 'POST',
        body: { label: label.value, ...(rule.value ? { rule: rule.value } : {}), note: note.value },
      });
      reload();
    } catch (err) {
      out.append(errorBox(err instanceof Error ? err.message : String(err)));
    }
  };
  const readOnly = ctx.session.role !== 'admin';
  return h(
    'section',
    { class: 'panel', 'aria-label': 'actions' },
    h('h2', {}, 'Act'),
    readOnly ? h('p', { class: 'muted' }, 'You are logged in read-only: actions need the admin token, and the guard will refuse them.') : null,
    h(
      'div',
      { class: 'row' },
      reason,
      ...[
        ['acknowledge', 'Acknowledge'],
        ['note', 'Add note'],
        ['extend', 'Extend watch 10m'],
        ['stop', 'Stop watching'],
      ].map(([a, t]) => h('button', { type: 'button', 'data-action': a, onclick: act(a as string) }, t as string)),
      h('button', { type: 'button', class: 'danger', 'data-action': 'rollback', onclick: act('rollback') }, 'Roll back now'),
    ),
    h(
      'form',
      { class: 'row', onsubmit: mark },
      h('label', {}, 'Verdict was', label),
      h('label', {}, 'Rule', rule),
      h('label', {}, 'Note', note),
      h('button', { type: 'submit' }, 'Mark verdict'),
    ),
    out,
  );
}

export async function deployPage(ctx: Ctx, id: string): Promise<void> {
  const path = `/v1/deploys/${encodeURIComponent(id)}`;
  const [v, charts] = await Promise.all([api<DeployView>(path), api<DeployCharts>(`${path}/charts`)]);
  const d = v.deploy;
  const first = [...v.findings].sort((a, b) => a.at - b.at)[0];
  const status = v.verdict?.verdict ?? v.watch?.status ?? 'unknown';
  const width = Math.min(660, Math.max(520, Math.floor((document.getElementById('main')?.clientWidth ?? 1280) / 2) - 56));
  const reload = () => void deployPage(ctx, id).catch((err: unknown) => render(errorBox(String(err))));
  render(
    h('p', {}, h('a', { href: '/ui', 'data-nav': true }, '← Deploys')),
    h('h1', {}, `${d.service} / ${d.environment} `, h('span', { class: 'muted' }, d.version)),
    h(
      'p',
      { class: 'summary' },
      h('span', { class: `status-${status}`, id: 'status' }, status),
      v.verdict?.severity ? h('span', { class: `sev-${v.verdict.severity}` }, ` ${v.verdict.severity}`) : null,
      first ? ` — ${first.rule} since ${time(first.at)}: ${first.summary}` : '',
      v.verdict?.rollback ? ` — rolled back at ${time(v.verdict.rollbackAt)}` : '',
      v.verdict?.reason ? h('span', { class: 'muted' }, ` (${v.verdict.reason})`) : null,
    ),
    h(
      'p',
      { class: 'muted' },
      `deploy ${d.id} · previous ${d.previousVersion ?? '–'} · commit ${d.commit ?? '–'} · started ${time(d.startedAt)} · `,
      h('a', { href: `${path}/log.md` }, 'deployment log (Markdown)'),
    ),
    Object.keys(d.labels ?? {}).length + Object.keys(d.links ?? {}).length > 0
      ? h(
          'p',
          { class: 'muted' },
          Object.entries(d.labels ?? {}).map(([k, val]) => h('span', { class: 'label' }, `${k}=${val} `)),
          Object.entries(d.links ?? {}).map(([k, url]) => h('a', { href: url, rel: 'noopener noreferrer' }, `${k} `)),
        )
      : null,
    h(
      'section',
      { class: 'charts', 'aria-label': 'charts' },
      charts.metrics.map((m) => metricChart(m, charts, width)),
    ),
    findingsTable(v.findings),
    actionsPanel(ctx, v, reload),
    h('h2', {}, 'What the guard did'),
    v.recovery
      ? h(
          'p',
          { id: 'recovery' },
          h('strong', {}, `Recovery check: ${v.recovery.status}`),
          ` — rolled back at ${time(v.recovery.rolledBackAt)}, checking until ${time(v.recovery.windowEnd)}${v.recovery.summary ? `: ${v.recovery.summary}` : ''}`,
        )
      : null,
    v.actions.length === 0 && (v.deliveries ?? []).length === 0
      ? h('p', { class: 'muted' }, 'Nothing yet.')
      : table(
          ['Event', 'Channel / hook', 'Type', 'Status', 'Attempts', 'Last error', 'Output'],
          (v.deliveries ?? []).map((x) => [
            x.event,
            x.channel,
            x.channelType,
            x.status,
            attemptList(x.attempts, v.actions.find((a) => a.id === x.id)?.attempts ?? []),
            x.lastError ?? '',
            x.output ? h('pre', {}, x.output) : '',
          ]),
          'Alerts, messages and hook calls, with every attempt',
        ),
    h('h2', {}, 'Timeline'),
    timeline(v),
    (v.feedback ?? []).length > 0
      ? table(
          ['When', 'Label', 'Rule', 'By', 'Note'],
          (v.feedback ?? []).map((f) => [time(f.createdAt), f.label, f.rule ?? '', f.actor, f.note]),
          'Feedback',
        )
      : null,
  );
}
