// Message templates: the built-in texts carry the seeds' wording and the finding's numbers; files override them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFIER_KINDS } from '../../../src/actions/notify/registry.js';
import { sampleFacts } from '../../../src/actions/templates/context.js';
import { Templates } from '../../../src/actions/templates/templates.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rg-templates-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('built-in templates', () => {
  const t = Templates.builtIn();

  it('say what the seeds say for the deploy lifecycle', () => {
    expect(t.render(sampleFacts('deploy-started'), NOTIFIER_KINDS.slack).title).toBe('🚀 Deploying v1.2.0 to production…');
    expect(t.render(sampleFacts('deploy-passed'), NOTIFIER_KINDS.slack).title).toBe('✅ Deployment successful. Monitoring.');
    expect(t.render(sampleFacts('deploy-rolling-back'), NOTIFIER_KINDS.slack).title).toBe(
      '❌ Deployment failed. Rolling back. Reason: error-rate-spike: error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m',
    );
  });

  it('render an alert with the deploy, the numbers in their unit, and the verdict link', () => {
    const m = t.render(sampleFacts('alert'), NOTIFIER_KINDS.log);
    expect(m.title).toBe('[P1] checkout/production v1.2.0: error-rate-spike — error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m');
    expect(m.text).toBe(
      'checkout/production v1.1.9 → v1.2.0 (d-sample)\nP1 error-rate-spike: error_rate 3.1% vs baseline 0.2% (condition: ratio > 5 and value > 0.01), since 2025-11-20T14:04:00.000Z.\nVerdict: https://guard.example.com/v1/deploys/d-sample',
    );
    expect(m.html).toBe('');
  });

  it('escape Slack control characters in values and build HTML only for email', () => {
    const facts = sampleFacts('alert');
    facts.findings = [{ ...facts.findings[0]!, condition: 'value > 0.01 & <b>' }];
    expect(t.render(facts, NOTIFIER_KINDS.slack).text).toContain('condition: value &gt; 0.01 &amp; &lt;b&gt;');
    const email = t.render(facts, NOTIFIER_KINDS.email);
    expect(email.html).toContain('<h2>[P1] checkout/production v1.2.0: error-rate-spike');
    expect(email.html).toContain('<td>value &gt; 0.01 &amp; &lt;b&gt;</td>');
    expect(email.html).toContain('<a href="https://guard.example.com/v1/deploys/d-sample">View the verdict</a>');
  });

  it('list the verdicts and findings in the digest', () => {
    const m = t.render(sampleFacts('digest'), NOTIFIER_KINDS.email);
    expect(m.title).toBe('release-guard daily digest: 1 verdict(s), 1 low-severity finding(s)');
    expect(m.text).toContain('- checkout/production v1.2.0: pass — window closed (https://guard.example.com/v1/deploys/d-sample)');
    expect(m.text).toContain('- P3 checkout/production: latency_p95 +12%');
  });
});

describe('Templates.load', () => {
  it('lets a file override one part, per channel type or for all', async () => {
    await writeFile(path.join(dir, 'alert.title.tmpl'), 'ALERT {{deploy.service}} {{finding.observed}}');
    await writeFile(path.join(dir, 'slack.alert.title.tmpl'), ':rotating_light: {{deploy.service}}');
    await writeFile(path.join(dir, 'README.md'), 'not a template');
    const t = await Templates.load(dir);
    expect(t.render(sampleFacts('alert'), NOTIFIER_KINDS.email).title).toBe('ALERT checkout 3.1%');
    expect(t.render(sampleFacts('alert'), NOTIFIER_KINDS.slack).title).toBe(':rotating_light: checkout');
    expect(t.render(sampleFacts('resolve'), NOTIFIER_KINDS.slack).title).toBe('[RESOLVED] checkout/production v1.2.0: error-rate-spike');
  });

  it('reports every problem at once: unknown file names, syntax errors, unknown names', async () => {
    await writeFile(path.join(dir, 'alrt.title.tmpl'), 'x');
    await writeFile(path.join(dir, 'alert.text.tmpl'), '{{#if finding}}');
    await writeFile(path.join(dir, 'resolve.title.tmpl'), '{{deploy.versoin}}');
    const err = await Templates.load(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`${path.join(dir, 'alrt.title.tmpl')}: unknown template name`);
    expect(message).toContain(`template ${path.join(dir, 'alert.text.tmpl')}, line 1: {{#if finding}} is never closed with {{/if}}`);
    expect(message).toContain(`template ${path.join(dir, 'resolve.title.tmpl')}, line 1: "versoin" does not exist in {{deploy.versoin}}`);
  });

  it('says so when the folder cannot be read', async () => {
    await expect(Templates.load(path.join(dir, 'missing'))).rejects.toThrow(/notifications.templatesDir: cannot read .*missing \(ENOENT\)/);
  });
});
