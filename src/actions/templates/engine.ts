// A small logic-less template language for message texts: {{path}}, {{{raw}}}, {{#if}}…{{else}}…{{/if}}, {{#each}}…{{/each}}.
/**
 * Syntax (a subset of Mustache/Handlebars, so SREs can guess it):
 * - `{{deploy.version}}` inserts a value, escaped for the output (HTML for email bodies, Slack mrkdwn for Slack);
 *   `{{{text}}}` inserts it unescaped. A key that exists with a null value renders as nothing; a key that does not
 *   exist is an error (so typos are caught when the guard starts, not at 3 a.m.).
 * - `{{#if findings}}…{{else}}…{{/if}}`: truthy means not null, not false, not "", not 0, not an empty list.
 * - `{{#each findings}}…{{/each}}`: inside, names resolve against the item first, then outward; `{{this}}` is the
 *   item, `{{@number}}` its 1-based position.
 * - `{{! a comment }}` renders nothing.
 */

export type Escape = (text: string) => string;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; path: string; raw: boolean; line: number }
  | { kind: 'if'; path: string; then: Node[]; else: Node[]; line: number }
  | { kind: 'each'; path: string; body: Node[]; line: number };

/** A parsed template; `render` throws a TemplateError for a missing key. */
export interface CompiledTemplate {
  name: string;
  render(context: Record<string, unknown>, escape: Escape): string;
}

/** A template problem, with the template's name and line. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([^}]*?)\s*\}\}/g;
const PATH = /^(?:this|@index|@number|[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Parses `source`; throws a TemplateError naming `name` and the line for unbalanced or malformed tags. */
export function compileTemplate(name: string, source: string): CompiledTemplate {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { kind: 'if' | 'each' }>; inElse: boolean }> = [];
  const out = (): Node[] => {
    const top = stack.at(-1);
    if (!top) return root;
    return top.node.kind === 'each' ? top.node.body : top.inElse ? top.node.else : top.node.then;
  };
  const lineAt = (index: number): number => source.slice(0, index).split('\n').length;
  const fail = (index: number, what: string): never => {
    throw new TemplateError(`template ${name}, line ${lineAt(index)}: ${what}`);
  };
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    const index = m.index;
    if (index > last) out().push({ kind: 'text', text: source.slice(last, index) });
    last = index + m[0].length;
    const raw = m[1] !== undefined;
    const tag = (m[1] ?? m[2] ?? '').trim();
    const line = lineAt(index);
    if (raw) {
      if (!PATH.test(tag)) fail(index, `"{{{${tag}}}}" is not a name such as deploy.version`);
      out().push({ kind: 'var', path: tag, raw: true, line });
    } else if (tag.startsWith('!')) {
      continue;
    } else if (tag.startsWith('#')) {
      const [keyword, path = ''] = tag.slice(1).split(/\s+/, 2);
      if (keyword !== 'if' && keyword !== 'each') fail(index, `unknown block "{{#${keyword}}}"; use {{#if name}} or {{#each name}}`);
      if (!PATH.test(path)) fail(index, `"{{#${keyword}}}" needs a name, e.g. {{#${keyword} findings}}`);
      const node: Extract<Node, { kind: 'if' | 'each' }> =
        keyword === 'if' ? { kind: 'if', path, then: [], else: [], line } : { kind: 'each', path, body: [], line };
      out().push(node);
      stack.push({ node, inElse: false });
    } else if (tag === 'else') {
      const top = stack.at(-1);
      if (!top || top.node.kind !== 'if' || top.inElse) fail(index, '{{else}} outside an {{#if}}');
      top!.inElse = true;
    } else if (tag.startsWith('/')) {
      const keyword = tag.slice(1).trim();
      const top = stack.pop();
      if (!top) fail(index, `{{/${keyword}}} closes nothing`);
      if (top!.node.kind !== keyword) fail(index, `{{/${keyword}}} closes the {{#${top!.node.kind}}} from line ${top!.node.line}`);
    } else {
      if (!PATH.test(tag)) fail(index, `"{{${tag}}}" is not a name such as deploy.version`);
      out().push({ kind: 'var', path: tag, raw: false, line });
    }
  }
  if (last < source.length) out().push({ kind: 'text', text: source.slice(last) });
  const open = stack.at(-1);
  if (open)
    throw new TemplateError(`template ${name}, line ${open.node.line}: {{#${open.node.kind} ${open.node.path}}} is never closed with {{/${open.node.kind}}}`);
  return { name, render: (context, escape) => renderNodes(name, root, [context], escape) };
}

function renderNodes(name: string, nodes: Node[], scopes: unknown[], escape: Escape): string {
  let text = '';
  for (const node of nodes) {
    if (node.kind === 'text') text += node.text;
    else if (node.kind === 'var') {
      const value = lookup(name, node.path, node.line, scopes);
      const shown = show(value);
      text += node.raw ? shown : escape(shown);
    } else if (node.kind === 'if') {
      text += renderNodes(name, truthy(lookup(name, node.path, node.line, scopes)) ? node.then : node.else, scopes, escape);
    } else {
      const list = lookup(name, node.path, node.line, scopes);
      if (list === null || list === undefined) continue;
      if (!Array.isArray(list))
        throw new TemplateError(`template ${name}, line ${node.line}: {{#each ${node.path}}} needs a list, but ${node.path} is not one`);
      list.forEach((item, i) => {
        text += renderNodes(name, node.body, [{ '@index': i, '@number': i + 1, this: item }, item, ...scopes], escape);
      });
    }
  }
  return text;
}

/** Resolves a dotted path against the innermost scope that has its first key. */
function lookup(name: string, path: string, line: number, scopes: unknown[]): unknown {
  const [head, ...rest] = path.split('.');
  const scope = scopes.find((s) => s !== null && typeof s === 'object' && Object.hasOwn(s, head!));
  if (scope === undefined) throw new TemplateError(`template ${name}, line ${line}: unknown name "${head}" in {{${path}}}`);
  let value: unknown = (scope as Record<string, unknown>)[head!];
  for (const key of rest) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || !Object.hasOwn(value, key))
      throw new TemplateError(`template ${name}, line ${line}: "${key}" does not exist in {{${path}}}`);
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== undefined && value !== false && value !== '' && value !== 0;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** HTML escaping for email bodies. */
export const htmlEscape: Escape = (text) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** No escaping: plain-text bodies, titles, logs. */
export const noEscape: Escape = (text) => text;
