// Rule quality: per rule over a period — fired, rolled back, marked false alarm / correct, precision, time to establish;
// shadow rules (judged, never acted on) in a table of their own.
import type { QualityResponse } from '../../api/schemas/tuning.js';
import { api } from '../api.js';
import { h, num, render, table } from '../dom.js';
import type { Ctx } from '../ctx.js';

type Row = QualityResponse['rules'][number];

function qualityTable(rows: Row[], caption: string, mode: 'enforced' | 'shadow') {
  const attr = mode === 'shadow' ? 'data-shadow-precision' : 'data-precision';
  return table(
    ['Rule', 'Fired', 'Rolled back', 'False alarm', 'Correct', 'Precision', 'Median to established (s)'],
    rows.map((r) => [
      r.rule,
      String(r.fired),
      String(r.rolledBack),
      String(r.falseAlarm),
      String(r.correct),
      h('span', { [attr]: r.rule }, r.precision === null ? '–' : `${Math.round(r.precision * 100)}%`),
      num(r.medianToEstablished),
    ]),
    caption,
  );
}

export async function qualityPage(ctx: Ctx): Promise<void> {
  const since = h(
    'select',
    { name: 'since' },
    ['1d', '7d', '14d', '30d', '90d'].map((s) => h('option', { value: s }, `last ${s}`)),
  );
  since.value = new URLSearchParams(location.search).get('since') ?? '30d';
  const q = await api<QualityResponse>(`/v1/rules/quality?since=${encodeURIComponent(since.value)}`);
  render(
    h('h1', {}, 'Rule quality'),
    h(
      'form',
      { class: 'row', onsubmit: (e: Event) => (e.preventDefault(), ctx.go(`/ui/quality?since=${since.value}`)) },
      h('label', {}, 'Period', since),
      h('button', { type: 'submit', class: 'primary' }, 'Show'),
    ),
    h(
      'p',
      { class: 'muted' },
      'Precision = marked correct / (marked correct + marked false alarm), from the latest label of each deploy. Time to establish: deploy start → finding established.',
    ),
    qualityTable(q.rules, 'Enforced rules', 'enforced'),
    q.shadow.length > 0
      ? [
          h('h2', {}, 'Shadow rules'),
          h(
            'p',
            { class: 'muted' },
            'Judged and stored, never acted on; not counted above. Agreement: the deploy failed or was marked a missed regression. False alarm: it passed and was marked correct, or the label names the rule.',
          ),
          qualityTable(q.shadow, 'Shadow rules (never acted on)', 'shadow'),
        ]
      : null,
  );
}
