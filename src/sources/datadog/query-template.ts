// Datadog query templates: deploy values normalized to Datadog tag syntax (no injection), and the grouped form that
// serves every watched service of a metric with one request (`service IN (a, b) … by {service}`).
import { DEPLOY_PLACEHOLDERS, deployValues, findPlaceholders, unknownPlaceholder } from '../template.js';
import type { MetricQuery } from '../types.js';

export const DATADOG_PLACEHOLDERS = [...DEPLOY_PLACEHOLDERS, 'step'] as const;

/** How one watch query maps onto Datadog requests. */
export interface DatadogPlan {
  /** Queries with the same key (same step and query apart from the service) share requests and cached answers. */
  groupKey: string;
  /** This deploy's series in a grouped answer: its normalized service; '' when the query is per deploy. */
  member: string;
  /** The tag that tells the series of a grouped answer apart, or null when the template cannot be grouped. */
  groupTag: string | null;
  /** The query for a set of members (grouped) or the deploy's own query (members ignored). */
  build(members: readonly string[]): string;
}

/**
 * A value as Datadog stores it in a tag: lower case, and every character other than letters, digits, `_ - . /`
 * (and `:` inside a tag value) turned into `_`. This is Datadog's own tag normalization, so the value still
 * matches, and it leaves no character that could end a filter or start another one (`, } ( ) *` or spaces).
 */
export function normalizeTagValue(value: string, allowColon = true): string {
  const allowed = allowColon ? /[^a-z0-9_\-./:]/g : /[^a-z0-9_\-./]/g;
  return value.toLowerCase().replace(allowed, '_').replace(/_+/g, '_');
}

const SERVICE = '\uE000service\uE001';
/** A filter block `{…}`; placeholders were replaced by sentinels, so block contents hold no braces. */
const BLOCK = /\{([^{}]*)\}/g;

/** Renders every placeholder except {{service}}, which becomes a sentinel; or says which placeholder is wrong. */
function prepare(template: string, q: Pick<MetricQuery, 'deploy' | 'scope' | 'step'>): { ok: true; text: string } | { ok: false; error: string } {
  const values = deployValues(q);
  let text = '';
  let from = 0;
  for (const p of findPlaceholders(template)) {
    let value: string;
    if (p.name === 'service') value = SERVICE;
    else if (p.name === 'step') value = String(Math.max(1, Math.round(q.step)));
    else if (p.name === 'environment' || p.name === 'version') {
      const inTag = /[A-Za-z][\w.\-/]*:$/.test(template.slice(0, p.start));
      value = normalizeTagValue(values[p.name], inTag);
    } else return { ok: false, error: unknownPlaceholder(p.name, DATADOG_PLACEHOLDERS).error };
    text += template.slice(from, p.start) + value;
    from = p.end;
  }
  return { ok: true, text: text + template.slice(from) };
}

/** The tag that every {{service}} is the value of (`service:{{service}}` inside a filter block), or null. */
function groupTagOf(text: string): string | null {
  const total = text.split(SERVICE).length - 1;
  let tag: string | null = null;
  let inBlocks = 0;
  for (const block of text.matchAll(BLOCK)) {
    for (const m of block[1]!.matchAll(/([A-Za-z][\w.\-/]*):\uE000service\uE001/g)) {
      if (tag !== null && tag !== m[1]) return null;
      tag = m[1]!;
      inBlocks += 1;
    }
  }
  return total > 0 && inBlocks === total ? tag : null;
}

/** Splits a comma-separated filter list at top-level commas. */
function terms(filters: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of filters) {
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  out.push(current.trim());
  return out.filter((t) => t !== '');
}

/** Rewrites each filter block holding `tag:{{service}}` into `tag IN (…)` and groups its query by the tag. */
function grouped(text: string, tag: string, members: readonly string[]): string {
  const inList = `${tag} IN (${members.join(', ')})`;
  const own = `${tag}:${SERVICE}`;
  return text.replace(/\{([^{}]*)\}(\s*by\s*\{([^{}]*)\})?/g, (whole, filters: string, by: string | undefined, byTags: string | undefined) => {
    if (!filters.includes(own)) return whole;
    const boolean = /\s(AND|OR|NOT|IN)\s/.test(filters);
    const rewritten = boolean
      ? filters.replaceAll(own, inList)
      : terms(filters)
          .map((t) => (t === own ? inList : t))
          .join(' AND ');
    const tags = by === undefined ? [] : terms(byTags ?? '');
    if (!tags.includes(tag)) tags.push(tag);
    return `{${rewritten}} by {${tags.join(',')}}`;
  });
}

/**
 * Plans a watch query from its Datadog template. When every {{service}} is a tag value in a filter
 * (`sum:trace.http.request.hits{service:{{service}},env:{{environment}}}`), the plan is grouped: one request
 * for all watched services of that metric (same environment, step and template), split by the tag.
 * Otherwise each deploy gets its own query.
 */
export function planDatadogQuery(
  template: string,
  q: Pick<MetricQuery, 'deploy' | 'scope' | 'step'>,
): { ok: true; plan: DatadogPlan } | { ok: false; error: string } {
  const prepared = prepare(template, q);
  if (!prepared.ok) return prepared;
  const text = prepared.text;
  const tag = groupTagOf(text);
  const service = normalizeTagValue(q.deploy.service, tag !== null);
  if (tag === null) {
    const own = text.replaceAll(SERVICE, normalizeTagValue(q.deploy.service, false));
    return { ok: true, plan: { groupKey: `${q.step}|${own}`, member: '', groupTag: null, build: () => own } };
  }
  return { ok: true, plan: { groupKey: `${q.step}|${text}`, member: service, groupTag: tag, build: (members) => grouped(text, tag, members) } };
}

/** The member a series of a grouped answer belongs to: the value of `tag` in its tag set or scope. */
export function memberOf(series: { tagSet: string[]; scope: string }, tag: string): string | null {
  const tags = series.tagSet.length > 0 ? series.tagSet : series.scope.split(',');
  const prefix = `${tag}:`;
  const hit = tags.map((t) => t.trim()).find((t) => t.startsWith(prefix));
  return hit === undefined ? null : hit.slice(prefix.length);
}
