// Rule quality: per rule over a period — fired, rolled back, marked false alarm / correct, precision, time to establish.
import { api } from '../api.js';
import { h, num, render, table } from '../dom.js';
import type { Ctx } from '../ctx.js';

interface QualityAnswer {
  since: number;
  rules: Array<{ rule: string; fired: number; rolledBack: number; falseAlarm: number; correct: number; precision: number | null; medianToEstablished: number | null }>;
}

export async function qualityPage(ctx: Ctx): Promise<void> {
  const since = h('select', { name: 'since' }, ['1d', '7d', '14d', '30d', '90d'].map((s) => h('option', { value: s }, `last ${s}`)));
  since.value = new URLSearchParams(location.search).get('since') ?? '30d';
  const q = await api<QualityAnswer>(`/v1/rules/quality?since=${encodeURIComponent(since.value)}`);
  render(
    h('h1', {}, 'Rule quality'),
    h('form', { class: 'row', onsubmit: (e: Event) => (e.preventDefault(), ctx.go(`/ui/quality?since=${since.value}`)) }, h('label', {}, 'Period', since), h('button', { type: 'submit', class: 'primary' }, 'Show')),
    h('p', { class: 'muted' }, 'Precision = marked correct / (marked correct + marked false alarm), from the latest label of each deploy. Time to establish: deploy start → finding established.'),
    table(
      ['Rule', 'Fired', 'Rolled back', 'False alarm', 'Correct', 'Precision', 'Median to established (s)'],
      q.rules.map((r) => [r.rule, String(r.fired), String(r.rolledBack), String(r.falseAlarm), String(r.correct), h('span', { 'data-precision': r.rule }, r.precision === null ? '–' : `${Math.round(r.precision * 100)}%`), num(r.medianToEstablished)]),
    ),
  );
}
