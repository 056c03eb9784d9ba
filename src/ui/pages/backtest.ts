// Backtest: paste a changed rule file, see which stored deploys would change verdict, severity, rollback or
// time-to-rollback, and what that does to the labelled false alarms and missed regressions. Nothing is saved.
import { api, ApiError } from '../api.js';
import { errorBox, h, render, table, time } from '../dom.js';
import type { Ctx } from '../ctx.js';

interface Outcome {
  verdict: string | null;
  severity: string | null;
  rollback: boolean;
  timeToRollback: number | null;
  rules: string[];
}
interface BacktestAnswer {
  judged: number;
  changed: Array<{
    deployId: string;
    service: string;
    environment: string;
    startedAt: number;
    label: string | null;
    current: Outcome;
    candidate: Outcome;
    changes: string[];
  }>;
  labels: Record<string, { labelled: number; failingNow: number; failingWithCandidate: number }>;
  elapsedMs: number;
}

const show = (o: Outcome) => `${o.verdict ?? '–'} ${o.severity ?? ''}${o.rollback ? ` · rollback at +${o.timeToRollback}s` : ''}`;

export function backtestPage(_ctx: Ctx): void {
  const file = h('input', { name: 'file', value: 'default.yaml', required: true, pattern: '[A-Za-z0-9._-]+\\.ya?ml' });
  const since = h(
    'select',
    { name: 'since' },
    ['1d', '7d', '14d', '30d', '90d'].map((s) => h('option', { value: s }, `last ${s}`)),
  );
  since.value = '14d';
  const service = h('input', { name: 'service', placeholder: 'any' });
  const environment = h('input', { name: 'environment', placeholder: 'any' });
  const text = h('textarea', { name: 'text', rows: 16, spellcheck: 'false', 'aria-label': 'rule file', placeholder: 'paste the changed rule file (YAML)' });
  const out = h('div', { 'aria-live': 'polite', id: 'backtest-result' });
  const run = async (e: Event) => {
    e.preventDefault();
    out.replaceChildren(h('p', {}, 'Re-judging stored deploys…'));
    try {
      const body = {
        file: file.value,
        text: text.value,
        since: since.value,
        ...(service.value.trim() ? { service: service.value.trim() } : {}),
        ...(environment.value.trim() ? { environment: environment.value.trim() } : {}),
      };
      const r = await api<BacktestAnswer>('/v1/backtest', { method: 'POST', body });
      out.replaceChildren(
        h('p', {}, `${r.changed.length} of ${r.judged} deploys would change (re-judged in ${r.elapsedMs} ms).`),
        table(
          ['Deploy', 'Service', 'Started', 'Now', 'With candidate', 'Changes', 'Label'],
          r.changed.map((c) => [
            h('a', { href: `/ui/deploys/${encodeURIComponent(c.deployId)}`, 'data-nav': true }, c.deployId),
            `${c.service}/${c.environment}`,
            time(c.startedAt),
            show(c.current),
            h('strong', {}, show(c.candidate)),
            c.changes.join(', '),
            c.label ?? '',
          ]),
          'Deploys whose outcome changes',
        ),
        table(
          ['Label', 'Labelled', 'Failing now', 'Failing with candidate'],
          Object.entries(r.labels).map(([l, e]) => [l, String(e.labelled), String(e.failingNow), String(e.failingWithCandidate)]),
          'Labelled deploys (false alarms should stop failing, missed regressions should start)',
        ),
      );
    } catch (err) {
      const problems =
        err instanceof ApiError
          ? (err.body as { problems?: Array<{ file: string; line: number; column: number; path: string; message: string }> })?.problems
          : undefined;
      out.replaceChildren(errorBox(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)));
      if (problems)
        out.append(
          h(
            'ul',
            { class: 'error', id: 'rule-problems' },
            problems.map((p) => h('li', {}, `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`)),
          ),
        );
    }
  };
  render(
    h('h1', {}, 'Backtest a rule change'),
    h(
      'p',
      { class: 'muted' },
      'The pasted file replaces (or adds) the file of that name in memory; it is validated like a rule file, judged against stored deploys, and never written to disk.',
    ),
    h(
      'form',
      { onsubmit: run },
      h(
        'div',
        { class: 'row' },
        h('label', {}, 'File name', file),
        h('label', {}, 'Deploys from', since),
        h('label', {}, 'Service', service),
        h('label', {}, 'Environment', environment),
      ),
      text,
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Run backtest')),
    ),
    out,
  );
}
