// Deploy list: filters (service, environment, status, severity, time) and live updates over server-sent events.
import { api } from '../api.js';
import { h, render, table, time } from '../dom.js';
import type { Ctx } from '../ctx.js';
import type { DeployPage, DeploySummary } from '../types.js';

const STATUSES = ['', 'watching', 'pass', 'fail', 'inconclusive', 'superseded', 'stopped'];
const SEVERITIES = ['', 'P0', 'P1', 'P2', 'P3'];
const SINCE: Array<[string, number]> = [
  ['any time', 0],
  ['last hour', 3600],
  ['last 24 hours', 86400],
  ['last 7 days', 7 * 86400],
  ['last 30 days', 30 * 86400],
];

function select(name: string, options: Array<[string, string]>, value: string): HTMLSelectElement {
  const el = h(
    'select',
    { name },
    options.map(([v, label]) => h('option', { value: v }, label)),
  );
  el.value = value;
  return el;
}

export async function listPage(ctx: Ctx): Promise<void> {
  const q = new URLSearchParams(location.search);
  const service = h('input', { name: 'service', value: q.get('service') ?? '', placeholder: 'any', size: 16 });
  const environment = h('input', { name: 'environment', value: q.get('environment') ?? '', placeholder: 'any', size: 12 });
  const status = select(
    'status',
    STATUSES.map((s) => [s, s || 'any']),
    q.get('status') ?? '',
  );
  const severity = select(
    'severity',
    SEVERITIES.map((s) => [s, s || 'any']),
    q.get('severity') ?? '',
  );
  const since = select(
    'since',
    SINCE.map(([l, s]) => [String(s), l]),
    q.get('since') ?? '0',
  );
  const live = h('span', { class: 'live', 'aria-live': 'polite' });
  const results = h('div', {});

  /** The pages loaded so far (the first, plus any asked for with "More"); a live update reloads as many. */
  let pages = 1;

  async function load(): Promise<void> {
    const params = new URLSearchParams({ limit: '200' });
    for (const [k, el] of [
      ['service', service],
      ['environment', environment],
      ['status', status],
    ] as const)
      if (el.value.trim()) params.set(k, el.value.trim());
    const deploys: DeploySummary[] = [];
    let next: string | null = null;
    for (let page = 0; page < pages; page++) {
      if (page > 0 && next === null) break;
      if (next !== null) params.set('cursor', next);
      const got: DeployPage = await api<DeployPage>(`/v1/deploys?${params}`);
      deploys.push(...got.deploys);
      next = got.next;
    }
    const cutoff = Number(since.value) > 0 ? Date.now() / 1000 - Number(since.value) : 0;
    const shown = deploys.filter((d) => (!severity.value || d.verdict?.severity === severity.value) && d.deploy.startedAt >= cutoff);
    const more = next !== null;
    const loadMore = () => {
      pages += 1;
      void load();
    };
    const moreButton = more ? h('button', { type: 'button', onclick: loadMore }, 'More') : null;
    results.replaceChildren(
      table(
        ['Deploy', 'Service', 'Environment', 'Version', 'Status', 'Severity', 'Started', 'Findings'],
        shown.map((d) => [
          h('a', { href: `/ui/deploys/${encodeURIComponent(d.deploy.id)}`, 'data-nav': true }, d.deploy.id),
          d.deploy.service,
          d.deploy.environment,
          d.deploy.version,
          h('span', { class: `status-${d.watch?.status ?? ''}` }, d.watch?.status ?? '–'),
          h('span', { class: `sev-${d.verdict?.severity ?? ''}` }, d.verdict?.severity ?? '–'),
          time(d.deploy.startedAt),
          d.findings.map((f) => f.rule).join(', '),
        ]),
        `${shown.length} deploys${more ? ' (more below)' : ''}`,
      ),
      ...(moreButton ? [moreButton] : []),
    );
  }

  const form = h(
    'form',
    {
      class: 'row',
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const p = new URLSearchParams();
        for (const el of [service, environment, status, severity, since]) if (el.value.trim() && el.value !== '0') p.set(el.name, el.value.trim());
        ctx.go(`/ui${p.size > 0 ? `?${p}` : ''}`);
      },
    },
    h('label', {}, 'Service', service),
    h('label', {}, 'Environment', environment),
    h('label', {}, 'Status', status),
    h('label', {}, 'Severity', severity),
    h('label', {}, 'Started', since),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    live,
  );
  render(h('h1', {}, 'Deploys'), form, results);
  await load();

  const events = new EventSource('/v1/events');
  events.addEventListener('open', () => (live.textContent = '● live'));
  events.addEventListener('error', () => (live.textContent = 'reconnecting…'));
  events.addEventListener('deploys', () => void load().then(() => (live.textContent = `● live, updated ${new Date().toLocaleTimeString()}`)));
  ctx.onLeave(() => events.close());
}
