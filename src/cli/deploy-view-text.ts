// Deploys as text for people at a terminal: a table that fits 100 columns, and one deploy in detail.
import type { DeploySummaryWire, DeployViewWire } from './guard-client.js';
import { fit, printable, shortTime, sinceStart } from './terminal-text.js';

export const TEXT_WIDTH = 100;

/** "fail P1", "watching", "pass". */
function statusOf(v: DeploySummaryWire): string {
  const status = v.verdict?.verdict ?? v.watch?.status ?? '?';
  return `${status}${v.verdict?.severity ? ` ${v.verdict.severity}` : ''}${v.verdict?.rollback ? ' ↩' : ''}`;
}

/**
 * A table of deploys, newest first, every line at most `width` columns. Ids, versions and names too long for
 * their column are cut with `…` and a footnote says how to see them whole.
 */
export function formatDeployTable(views: DeploySummaryWire[], width = TEXT_WIDTH): string {
  if (views.length === 0) return 'no deploys match';
  const header = { id: 'ID', status: 'STATUS', target: 'SERVICE/ENVIRONMENT', version: 'VERSION', started: 'STARTED' };
  const rows = views.map((v) => ({
    id: printable(v.deploy.id, 200),
    status: printable(statusOf(v), 20),
    target: printable(`${v.deploy.service}/${v.deploy.environment}`, 300),
    version: printable(v.deploy.version, 300),
    started: shortTime(v.deploy.startedAt),
  }));
  const longest = (k: keyof typeof header) => Math.max(header[k].length, ...rows.map((r) => r[k].length));
  const statusW = longest('status');
  const startedW = 17;
  const free = width - statusW - startedW - 4 * 2;
  const idW = Math.min(longest('id'), Math.max(12, Math.floor(free * 0.4)));
  const versionW = Math.min(longest('version'), Math.max(8, Math.floor((free - idW) * 0.35)));
  const targetW = Math.min(longest('target'), free - idW - versionW);
  const line = (r: typeof header) => [fit(r.id, idW), fit(r.status, statusW), fit(r.target, targetW), fit(r.version, versionW), r.started].join('  ').trimEnd();
  const cut = rows.some((r) => r.id.length > idW || r.target.length > targetW || r.version.length > versionW);
  return [line(header), ...rows.map(line), ...(cut ? ['(some values were cut to fit; --json prints them whole)'] : [])].join('\n');
}

/** Word-wraps `text` to `width` columns (spacing kept), continuation lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let current: string | null = null;
  for (const word of text.split(' ')) {
    const limit = lines.length === 0 ? width : width - indent;
    if (current !== null && current.length + 1 + word.length > limit) {
      lines.push(current);
      current = null;
    }
    let w = word;
    while (w.length > limit) {
      lines.push(w.slice(0, limit));
      w = w.slice(limit);
    }
    current = current === null ? w : `${current} ${w}`;
  }
  if (current) lines.push(current);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}

/** Primitive leaves of an evidence object as `path=value`, e.g. `test.p=0.0003`. */
function evidenceItems(evidence: unknown, prefix = '', out: string[] = []): string[] {
  if (evidence === null || evidence === undefined || out.length >= 12) return out;
  if (typeof evidence !== 'object') {
    out.push(`${prefix}=${typeof evidence === 'number' ? Number(evidence.toPrecision(4)) : printable(evidence, 80)}`);
    return out;
  }
  if (Array.isArray(evidence)) return out;
  for (const [k, value] of Object.entries(evidence)) evidenceItems(value, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/** One deploy: what, where, the watch, the verdict with its findings and their evidence, the actions taken. */
export function formatDeployDetail(v: DeployViewWire, uiLink: string, width = TEXT_WIDTH): string {
  const d = v.deploy;
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(...wrap(`${name.padEnd(10)}${value}`, width, 10));
  out.push(...wrap(`deploy ${printable(d.id, 200)}`, width, 7));
  field('service', `${printable(d.service, 200)} / ${printable(d.environment, 200)}`);
  field(
    'version',
    `${printable(d.version, 300)}${d.previousVersion ? ` (was ${printable(d.previousVersion, 300)})` : ''}${d.commit ? `, commit ${printable(d.commit, 80)}` : ''}`,
  );
  field('started', shortTime(d.startedAt));
  for (const [name, url] of Object.entries(d.links ?? {})) field('link', `${printable(name, 60)}: ${printable(url, 400)}`);
  const labels = Object.entries(d.labels ?? {}).map(([k, val]) => `${printable(k, 60)}=${printable(val, 120)}`);
  if (labels.length) field('labels', labels.join(', '));
  if (v.watch) {
    const w = v.watch;
    const at = w.evaluatedAt === null ? 'not evaluated yet' : `evaluated to ${sinceStart(w.evaluatedAt, d.startedAt)}`;
    field('watch', `${printable(w.status, 20)} — window to ${sinceStart(w.windowEnd, d.startedAt)}, ${at}`);
  }
  const reason = v.verdict?.reason ?? v.watch?.reason;
  field('verdict', `${printable(statusOf(v), 30)}${reason ? ` — ${printable(reason, 1000)}` : ''}`);
  out.push(v.findings.length ? 'findings' : 'findings  none');
  for (const f of v.findings) {
    const cleared = f.clearedAt == null ? '' : `, cleared ${sinceStart(f.clearedAt, d.startedAt)}`;
    out.push(
      ...wrap(
        `  ${printable(f.severity, 4)} ${printable(f.rule, 100)} (${printable(f.metric, 60)}, ${printable(f.kind, 10)}) at ${sinceStart(f.at, d.startedAt)}${cleared}`,
        width,
        6,
      ),
    );
    out.push(...wrap(`    ${printable(f.summary, 1000)}`, width, 6));
    out.push(...wrap(`    condition ${printable(f.condition, 300)}; observed ${num(f.observed)}, baseline ${num(f.baseline)}`, width, 6));
    const ev = evidenceItems(f.evidence);
    if (ev.length) out.push(...wrap(`    evidence ${ev.join(', ')}`, width, 6));
  }
  out.push(v.actions.length ? 'actions' : 'actions   none');
  for (const a of v.actions) {
    const detail = a.error ?? a.output?.trim().split('\n')[0];
    out.push(
      ...wrap(`  ${printable(a.kind, 20)} → ${printable(a.target, 80)}: ${printable(a.status, 20)}${detail ? ` — ${printable(detail, 400)}` : ''}`, width, 6),
    );
  }
  // A link is never broken across lines (it could not be clicked or copied): too long, it gets a line of its own.
  out.push(...(10 + uiLink.length <= width ? [`ui        ${uiLink}`] : ['ui', uiLink]));
  return out.join('\n');
}

const num = (x: number | null): string => (x === null ? '—' : String(Number(x.toPrecision(4))));
