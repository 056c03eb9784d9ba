// Rules page: the effective rules for a service/environment after overrides, with the file each came from.
import { api } from '../api.js';
import { h, render, table } from '../dom.js';
import type { Ctx } from '../ctx.js';

interface RulesAnswer {
  service: string;
  environment: string;
  files: string[];
  window: number;
  interval: number;
  rules: Array<{ name: string; metric: string; severity: string; when: string; for: number; test: string; file: string; rollback: boolean }>;
  hooks: Array<{ name: string; type: string }>;
}

export async function rulesPage(ctx: Ctx): Promise<void> {
  const q = new URLSearchParams(location.search);
  const service = h('input', { name: 'service', value: q.get('service') ?? 'demo-shop', required: true });
  const environment = h('input', { name: 'environment', value: q.get('environment') ?? 'production', required: true });
  const r = await api<RulesAnswer>(`/v1/rules?${new URLSearchParams({ service: service.value, environment: environment.value })}`);
  render(
    h('h1', {}, 'Effective rules'),
    h(
      'form',
      {
        class: 'row',
        onsubmit: (e: Event) => (e.preventDefault(), ctx.go(`/ui/rules?${new URLSearchParams({ service: service.value, environment: environment.value })}`)),
      },
      h('label', {}, 'Service', service),
      h('label', {}, 'Environment', environment),
      h('button', { type: 'submit', class: 'primary' }, 'Show'),
    ),
    h(
      'p',
      { class: 'muted' },
      `files, most general first: ${r.files.join(' → ')} · window ${r.window}s · interval ${r.interval}s · rollback hooks: ${r.hooks.map((x) => `${x.name} (${x.type})`).join(', ') || 'none'}`,
    ),
    table(
      ['Rule', 'Metric', 'Severity', 'When', 'For (s)', 'Test', 'Rolls back', 'From file'],
      r.rules.map((x) => [
        x.name,
        x.metric,
        h('span', { class: `sev-${x.severity}` }, x.severity),
        x.when,
        String(x.for),
        x.test,
        x.rollback ? 'yes' : 'no',
        x.file,
      ]),
    ),
  );
}
