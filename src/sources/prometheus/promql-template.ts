// Renders PromQL templates: deploy values are escaped for the string literal they sit in, so they can never change the query.
import { DEPLOY_PLACEHOLDERS, deployValues, renderTemplate, unknownPlaceholder, type Rendered } from '../template.js';
import type { MetricQuery } from '../types.js';

/** Placeholders a PromQL template may use. `step` and `rateInterval` are durations like "60s". */
export const PROMQL_PLACEHOLDERS = [...DEPLOY_PLACEHOLDERS, 'step', 'rateInterval'] as const;

type Quote = '"' | "'" | '`';

/** Where a placeholder sits: outside any string, or inside a string literal (and whether it is a regex matcher's). */
interface Context {
  quote: Quote | null;
  regex: boolean;
}

/** The lexical context at every offset that starts a placeholder (a small PromQL string scanner). */
function contexts(template: string, offsets: number[]): Map<number, Context> {
  const wanted = new Set(offsets);
  const out = new Map<number, Context>();
  let quote: Quote | null = null;
  let regex = false;
  for (let i = 0; i < template.length; i++) {
    if (wanted.has(i)) out.set(i, { quote, regex: quote !== null && regex });
    const c = template[i]!;
    if (quote === null) {
      if (c === '"' || c === "'" || c === '`') {
        quote = c;
        regex = /[=!]~\s*$/.test(template.slice(0, i));
      }
    } else if (c === '\\' && quote !== '`') {
      i += 1;
    } else if (c === quote) {
      quote = null;
    }
  }
  return out;
}

/** RE2 metacharacters, escaped so a value matches itself literally in =~ and !~. */
function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** Escapes `value` for a PromQL string literal quoted with `quote` (Go string syntax); null if impossible. */
function escapeString(value: string, quote: Quote): string | null {
  if (quote === '`') return value.includes('`') ? null : value;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

export interface PromqlTiming {
  step: number;
  scrapeInterval: number;
}

/** Seconds as a PromQL duration: 60 → "60s", 0.5 → "500ms". */
export function promDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

/**
 * Renders a PromQL template for a query. {{service}}, {{environment}} and {{version}} must sit inside a quoted
 * label value (`{service="{{service}}"}`); there they are escaped for that literal, and for regex matchers
 * (`=~`, `!~`) regex metacharacters are escaped too, so the value only ever matches itself. {{step}} and
 * {{rateInterval}} (= max(step, 4 × scrapeInterval)) render as durations, e.g. `rate(x[{{rateInterval}}])`.
 */
export function renderPromql(template: string, q: Pick<MetricQuery, 'deploy' | 'scope'>, timing: PromqlTiming): Rendered {
  const values = deployValues(q);
  const where = contexts(
    template,
    [...template.matchAll(/\{\{/g)].map((m) => m.index),
  );
  return renderTemplate(template, (p) => {
    if (p.name === 'step') return promDuration(timing.step);
    if (p.name === 'rateInterval') return promDuration(Math.max(timing.step, 4 * timing.scrapeInterval));
    if (!(p.name in values)) return unknownPlaceholder(p.name, PROMQL_PLACEHOLDERS);
    const ctx = where.get(p.start) ?? { quote: null, regex: false };
    if (ctx.quote === null) {
      return { error: `{{${p.name}}} must sit inside a quoted label value, e.g. {${p.name}="{{${p.name}}}"}, so that it is escaped` };
    }
    const raw = values[p.name as keyof typeof values];
    const escaped = escapeString(ctx.regex ? escapeRegex(raw) : raw, ctx.quote);
    if (escaped === null)
      return { error: `the ${p.name} "${raw}" contains a backtick and cannot sit in a \`raw string\`; use "double quotes" around {{${p.name}}}` };
    return escaped;
  });
}
