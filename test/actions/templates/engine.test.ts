// The template language: values, escaping, if/else, each, and errors that name the template and line.
import { describe, expect, it } from 'vitest';
import { compileTemplate, htmlEscape, noEscape, TemplateError } from '../../../src/actions/templates/engine.js';

const ctx = {
  deploy: { version: 'v1.2.0', previousVersion: null, labels: { team: 'a<b' } },
  findings: [
    { rule: 'r1', n: 1 },
    { rule: 'r2', n: 2 },
  ],
  none: [],
  flag: false,
};
const render = (src: string, escape = noEscape) => compileTemplate('t', src).render(ctx, escape);

describe('templates', () => {
  it('inserts values, null as nothing, objects as JSON', () => {
    expect(render('v={{deploy.version}} p={{deploy.previousVersion}} l={{deploy.labels}}')).toBe('v=v1.2.0 p= l={"team":"a<b"}');
  });

  it('escapes for HTML unless triple braces are used', () => {
    expect(render('{{deploy.labels.team}} {{{deploy.labels.team}}}', htmlEscape)).toBe('a&lt;b a<b');
  });

  it('renders if/else and each with the item first, then outer names, and @number', () => {
    expect(render('{{#each findings}}[{{@number}} {{rule}} {{deploy.version}}]{{/each}}')).toBe('[1 r1 v1.2.0][2 r2 v1.2.0]');
    expect(render('{{#if none}}some{{else}}none{{/if}} {{#if findings}}yes{{/if}} {{#if flag}}x{{else}}off{{/if}}')).toBe('none yes off');
    expect(render('a{{! a comment }}b')).toBe('ab');
  });

  it('reports unknown names and malformed blocks with the line', () => {
    expect(() => render('line 1\n{{deploy.versoin}}')).toThrow('template t, line 2: "versoin" does not exist in {{deploy.versoin}}');
    expect(() => render('{{nope}}')).toThrow('template t, line 1: unknown name "nope" in {{nope}}');
    expect(() => compileTemplate('t', '{{#if a}}\n\n{{/each}}')).toThrow('template t, line 3: {{/each}} closes the {{#if}} from line 1');
    expect(() => compileTemplate('t', '{{#each findings}}x')).toThrow(TemplateError);
    expect(() => compileTemplate('t', '{{#while x}}{{/while}}')).toThrow('unknown block "{{#while}}"');
    expect(() => compileTemplate('t', '{{else}}')).toThrow('{{else}} outside an {{#if}}');
  });
});
