// Message templates: the built-in texts, overridden by files in notifications.templatesDir, checked at start-up.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderTarget } from '../notify/capabilities.js';
import { NOTIFIER_TYPES } from '../notify/registry.js';
import { NOTICE_EVENTS, type NoticeEvent } from '../notify/types.js';
import { sampleFacts, templateContext, type NoticeFacts } from './context.js';
import { DEFAULT_TEMPLATES, TEMPLATE_PARTS, type TemplatePart } from './defaults.js';
import { compileTemplate, htmlEscape, noEscape, TemplateError, type CompiledTemplate, type Escape } from './engine.js';

/** A message rendered for one channel kind. */
export interface RenderedMessage {
  title: string;
  /** Values escaped with the kind's `escapeText`. */
  text: string;
  /** Empty unless the kind has the `html` capability. */
  html: string;
}

const FILE_SUFFIX = '.tmpl';

/**
 * Every file name the templates folder may hold, without the .tmpl suffix; a file may be specific to a registered
 * channel kind (`slack.alert.text.tmpl`).
 */
export function templateNames(): string[] {
  const base = [...NOTICE_EVENTS.flatMap((e) => TEMPLATE_PARTS.map((p) => `${e}.${p}`)), 'layout.html'];
  return [...base, ...NOTIFIER_TYPES.flatMap((t) => base.map((b) => `${t}.${b}`))];
}

export class Templates {
  private constructor(
    private readonly custom: ReadonlyMap<string, CompiledTemplate>,
    private readonly builtin: ReadonlyMap<string, CompiledTemplate>,
  ) {}

  /** The built-in texts only. */
  static builtIn(): Templates {
    return new Templates(new Map(), compileBuiltins());
  }

  /**
   * Built-ins plus every `*.tmpl` file in `dir`. Throws a TemplateError listing every problem at once: unknown
   * file names, syntax errors, and names a template uses that do not exist (checked by rendering every
   * template against a sample deploy).
   */
  static async load(dir: string | undefined): Promise<Templates> {
    if (!dir) return Templates.builtIn();
    const known = new Set(templateNames());
    const problems: string[] = [];
    const custom = new Map<string, CompiledTemplate>();
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => f.endsWith(FILE_SUFFIX)).sort();
    } catch (err) {
      throw new TemplateError(`notifications.templatesDir: cannot read ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
    }
    for (const file of files) {
      const key = file.slice(0, -FILE_SUFFIX.length);
      if (!known.has(key)) {
        problems.push(
          `${path.join(dir, file)}: unknown template name; use <event>.<title|text|html>.tmpl or layout.html.tmpl, optionally prefixed with a channel type (e.g. slack.alert.text.tmpl); events: ${NOTICE_EVENTS.join(', ')}`,
        );
        continue;
      }
      try {
        custom.set(key, compileTemplate(path.join(dir, file), await readFile(path.join(dir, file), 'utf8')));
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    const templates = new Templates(custom, compileBuiltins());
    problems.push(...templates.check());
    if (problems.length > 0) throw new TemplateError(`invalid message templates:\n  - ${problems.join('\n  - ')}`);
    return templates;
  }

  /**
   * Renders the title, the text and (for a kind with the `html` capability) the HTML of a notice for a channel
   * kind: templates named for `target.type` win; text values are escaped as the kind declares.
   */
  render(facts: NoticeFacts, target: RenderTarget): RenderedMessage {
    const { type, capabilities } = target;
    const context = templateContext(facts);
    const title = this.renderPart(facts.event, 'title', type, context, noEscape).trim();
    const text = this.renderPart(facts.event, 'text', type, context, capabilities.escapeText).trim();
    const html = capabilities.html ? this.renderPart(facts.event, 'html', type, { ...context, title, text }, htmlEscape) : '';
    return { title, text, html };
  }

  private renderPart(event: NoticeEvent, part: TemplatePart, type: string, context: Record<string, unknown>, escape: Escape): string {
    const custom = this.lookup(this.custom, event, part, type);
    if (custom) {
      try {
        return custom.render(context, escape);
      } catch {
        // Checked at start-up against a full sample; a fact shape it did not foresee falls back to the built-in text.
      }
    }
    const builtin = this.lookup(this.builtin, event, part, type)!;
    return builtin.render(context, escape);
  }

  private lookup(from: ReadonlyMap<string, CompiledTemplate>, event: NoticeEvent, part: TemplatePart, type: string): CompiledTemplate | undefined {
    const names = [`${type}.${event}.${part}`, `${event}.${part}`];
    if (part === 'html') names.push(`${type}.layout.html`, 'layout.html');
    for (const n of names) {
      const t = from.get(n);
      if (t) return t;
    }
    return undefined;
  }

  /** Renders every custom template against a sample; returns the problems. */
  private check(): string[] {
    const problems: string[] = [];
    for (const [key, template] of this.custom) {
      const parts = key.split('.');
      const part = parts.at(-1) as TemplatePart;
      const event = (parts.at(-2) === 'layout' ? 'alert' : parts.at(-2)) as NoticeEvent;
      const context = templateContext(sampleFacts(event));
      try {
        template.render(part === 'html' ? { ...context, title: 'title', text: 'text' } : context, noEscape);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    return problems;
  }
}

function compileBuiltins(): Map<string, CompiledTemplate> {
  return new Map(Object.entries(DEFAULT_TEMPLATES).map(([key, source]) => [key, compileTemplate(`built-in ${key}`, source)]));
}
