// The built-in message texts (seeds/003 "Communication"); a file of the same name in templatesDir overrides one.
import type { NoticeEvent } from '../notify/types.js';

/** Parts of a message: `title` (one line), `text` (body), `html` (email body). */
export const TEMPLATE_PARTS = ['title', 'text', 'html'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

const DEPLOY_LINE =
  '{{deploy.service}}/{{deploy.environment}} {{#if deploy.previousVersion}}{{deploy.previousVersion}} → {{/if}}{{deploy.version}} ({{deploy.id}})';
const FINDINGS = '{{#each findings}}\n- {{severity}} {{rule}}: {{summary}} [{{condition}}]{{/each}}';
const LINKS = '{{#if links.verdict}}\nVerdict: {{links.verdict}}{{/if}}';

/** Built-in `<event>.<part>` texts. The html part of every event defaults to `layout.html`. */
export const DEFAULT_TEMPLATES: Record<`${NoticeEvent}.${'title' | 'text'}` | 'layout.html' | 'digest.html', string> = {
  'alert.title': '[{{severity}}] {{deploy.service}}/{{deploy.environment}} {{deploy.version}}: {{finding.rule}} — {{finding.summary}}',
  'alert.text': `${DEPLOY_LINE}\n{{finding.severity}} {{finding.rule}}: {{finding.metric}} {{finding.observed}} vs baseline {{finding.baseline}} (condition: {{finding.condition}}), since {{finding.at}}.${LINKS}`,
  'resolve.title': '[RESOLVED] {{deploy.service}}/{{deploy.environment}} {{deploy.version}}: {{finding.rule}}',
  'resolve.text': `${DEPLOY_LINE}\n{{reason}}${LINKS}`,
  'deploy-started.title': '🚀 Deploying {{deploy.version}} to {{deploy.environment}}…',
  'deploy-started.text': `${DEPLOY_LINE}\nrelease-guard is watching it{{#if window}} for {{window}}{{/if}}.${LINKS}`,
  'deploy-passed.title': '✅ Deployment successful. Monitoring.',
  'deploy-passed.text': `${DEPLOY_LINE} passed: {{verdict.reason}}${LINKS}`,
  'deploy-rolling-back.title': '❌ Deployment failed. Rolling back. Reason: {{finding.rule}}: {{finding.summary}}',
  'deploy-rolling-back.text': `${DEPLOY_LINE}\nRolling back{{#if deploy.previousVersion}} to {{deploy.previousVersion}}{{/if}}. Findings:${FINDINGS}${LINKS}`,
  'deploy-failed.title': '❌ Deployment failed ({{verdict.severity}}), not rolled back: {{verdict.reason}}',
  'deploy-failed.text': `${DEPLOY_LINE}\nNot rolled back: {{reason}}. Findings:${FINDINGS}${LINKS}`,
  'deploy-inconclusive.title': '⚠️ Deployment inconclusive: {{deploy.service}}/{{deploy.environment}} {{deploy.version}}',
  'deploy-inconclusive.text': `${DEPLOY_LINE}\nNot enough evidence to call it good or bad: {{verdict.reason}}${LINKS}`,
  'recovered.title': '✅ Rollback recovered: {{deploy.service}}/{{deploy.environment}} is back to its baseline',
  'recovered.text': `${DEPLOY_LINE}\n{{recovery.summary}}${LINKS}`,
  'not-recovered.title': '🔥 [P0] Rollback did not recover: {{deploy.service}}/{{deploy.environment}} {{deploy.version}}',
  'not-recovered.text': `${DEPLOY_LINE}\nRolled back at {{recovery.rolledBackAt}}, still not at baseline after {{recovery.window}}: {{recovery.summary}}${FINDINGS}${LINKS}`,
  'delivery-failed.title': '⚠️ release-guard could not deliver a {{delivery.event}} to {{delivery.channel}}',
  'delivery-failed.text':
    'Gave up after {{delivery.attempts}} attempt(s){{#if delivery.deployId}} for deploy {{delivery.deployId}}{{/if}}: {{delivery.error}}\nCheck the channel; the message is kept in the outbox.',
  'guard-alert.title': '⚠️ [{{severity}}] release-guard needs attention: {{reason}}',
  'guard-alert.text': 'release-guard at {{guard.url}}: {{reason}}',
  'digest.title': 'release-guard daily digest: {{digest.counts.verdicts}} verdict(s), {{digest.counts.items}} low-severity finding(s)',
  'digest.text':
    'From {{digest.from}} to {{digest.to}}.\n\nVerdicts: {{digest.counts.pass}} pass, {{digest.counts.fail}} fail ({{digest.counts.rolledBack}} rolled back), {{digest.counts.inconclusive}} inconclusive.' +
    '{{#each digest.verdicts}}\n- {{deploy.service}}/{{deploy.environment}} {{deploy.version}}: {{verdict}}{{#if severity}} {{severity}}{{/if}}{{#if rollback}}, rolled back{{/if}} — {{reason}} ({{link}}){{/each}}' +
    '\n\nLow-severity findings:{{#each digest.items}}\n- {{severity}} {{service}}/{{environment}}: {{summary}} ({{at}}){{/each}}{{#if digest.items}}{{else}} none{{/if}}',
  'layout.html':
    '<!doctype html><html><body style="font-family: sans-serif">\n<h2>{{title}}</h2>\n<div style="white-space: pre-wrap">{{text}}</div>\n' +
    '{{#if findings}}<table border="1" cellpadding="4" cellspacing="0"><tr><th>Severity</th><th>Rule</th><th>Metric</th><th>Observed</th><th>Baseline</th><th>Condition</th></tr>' +
    '{{#each findings}}<tr><td>{{severity}}</td><td>{{rule}}</td><td>{{metric}}</td><td>{{observed}}</td><td>{{baseline}}</td><td>{{condition}}</td></tr>{{/each}}</table>{{/if}}\n' +
    '{{#if links.verdict}}<p><a href="{{links.verdict}}">View the verdict</a>{{#if links.deploy}} · <a href="{{links.deploy}}">Deploy</a>{{/if}}</p>{{/if}}\n</body></html>\n',
  'digest.html':
    '<!doctype html><html><body style="font-family: sans-serif">\n<h2>{{title}}</h2>\n<p>From {{digest.from}} to {{digest.to}}.</p>\n<h3>Verdicts</h3>\n' +
    '<table border="1" cellpadding="4" cellspacing="0"><tr><th>Deploy</th><th>Verdict</th><th>Reason</th></tr>' +
    '{{#each digest.verdicts}}<tr><td><a href="{{link}}">{{deploy.service}}/{{deploy.environment}} {{deploy.version}}</a></td><td>{{verdict}} {{severity}}{{#if rollback}} (rolled back){{/if}}</td><td>{{reason}}</td></tr>{{/each}}</table>\n' +
    '<h3>Low-severity findings</h3>\n<ul>{{#each digest.items}}<li>{{severity}} {{service}}/{{environment}}: {{summary}} ({{at}})</li>{{/each}}</ul>\n</body></html>\n',
};
