// Query templates shared by the real sources: finds {{placeholders}} and renders them through a source-specific escaper.
import type { MetricQuery } from './types.js';

/** Placeholders filled from the deploy; sources escape their values so a deploy field can never change the query. */
export const DEPLOY_PLACEHOLDERS = ['service', 'environment', 'version'] as const;
export type DeployPlaceholder = (typeof DEPLOY_PLACEHOLDERS)[number];

/** One `{{name}}` in a template, with its character offsets. */
export interface Placeholder {
  name: string;
  start: number;
  end: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** Every placeholder in `template`, in order. */
export function findPlaceholders(template: string): Placeholder[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, start: m.index, end: m.index + m[0].length }));
}

/** The deploy's values for the placeholders. The control scope (the stable fleet) runs the previous version. */
export function deployValues(q: Pick<MetricQuery, 'deploy' | 'scope'>): Record<DeployPlaceholder, string> {
  const { deploy } = q;
  const version = q.scope === 'control' ? (deploy.previousVersion ?? deploy.version) : deploy.version;
  return { service: deploy.service, environment: deploy.environment, version };
}

/** A rendered template, or why it cannot be rendered (a mistake in the rule file: not retryable). */
export type Rendered = { ok: true; text: string } | { ok: false; error: string };

/**
 * Replaces each placeholder with `render(placeholder)`. `render` returns the text to insert, or
 * `{ error }` to refuse (unknown name, unsafe position). The first refusal is the answer.
 */
export function renderTemplate(template: string, render: (p: Placeholder) => string | { error: string }): Rendered {
  let text = '';
  let from = 0;
  for (const p of findPlaceholders(template)) {
    const value = render(p);
    if (typeof value !== 'string') return { ok: false, error: value.error };
    text += template.slice(from, p.start) + value;
    from = p.end;
  }
  return { ok: true, text: text + template.slice(from) };
}

/** The message for a placeholder nobody knows, listing the ones that exist. */
export function unknownPlaceholder(name: string, known: readonly string[]): { error: string } {
  return { error: `unknown placeholder {{${name}}}; use one of ${known.map((k) => `{{${k}}}`).join(' ')}` };
}
