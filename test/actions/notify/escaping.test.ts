// Hostile deploy fields in alerts: Slack mrkdwn escaped everywhere (blocks and fallback text), links re-serialised or
// dropped, email HTML escaped, PagerDuty links only http(s) URLs that the URL parser re-serialised.
import { describe, expect, it } from 'vitest';
import { noticeFor } from '../../../src/actions/compose.js';
import { safeHref } from '../../../src/actions/notify/link.js';
import { pagerDutyEvent } from '../../../src/actions/notify/pagerduty/index.js';
import { NOTIFIER_KINDS, type NotifierType } from '../../../src/actions/notify/registry.js';
import { slackMessage } from '../../../src/actions/notify/slack/blocks.js';
import type { Notifier } from '../../../src/actions/notify/types.js';
import { sampleFacts, type NoticeFacts } from '../../../src/actions/templates/context.js';
import { Templates } from '../../../src/actions/templates/templates.js';

const INJECTION = 'https://x.example/a> <!channel> <https://evil.example/login';
const notifierOf = (type: NotifierType) => ({ type, name: type, capabilities: NOTIFIER_KINDS[type].capabilities }) as unknown as Notifier;

function hostileFacts(link: string = INJECTION): NoticeFacts {
  const facts = sampleFacts('alert');
  const deploy = { ...facts.deploy!, version: 'v1 <!channel> & <!here>', service: 'checkout', previousVersion: '<@U123>', links: { ci: link } };
  return { ...facts, deploy, links: { ...facts.links, deploy: link } };
}

/** Every `<…>` Slack would parse as a link or mention, with what is inside. */
const slackAngles = (text: string) => [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1]);

describe('Slack payloads', () => {
  it('escape &, < and > in every field, including the top-level fallback text', () => {
    const facts = hostileFacts();
    const notice = noticeFor({ ...facts, deploy: facts.deploy }, notifierOf('slack'), Templates.builtIn());
    const payload = slackMessage({ ...notice, title: `Deploy ${facts.deploy!.version} failed` });
    const json = JSON.stringify(payload);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<!here>');
    expect(json).not.toContain('<@U123>');
    expect(payload.text).toBe('Deploy v1 &lt;!channel&gt; &amp; &lt;!here&gt; failed');
    // The only angle brackets left are our own links, each a re-serialised http(s) URL and a label.
    const texts = [...JSON.stringify(payload.blocks).matchAll(/"text":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(texts.length).toBeGreaterThan(3);
    for (const inner of texts.flatMap(slackAngles)) expect(inner).toMatch(/^https?:\/\/[^\s|<>]+\|(Verdict|Deploy)$/);
  });

  it('re-serialise a link through the URL parser, so the injected mention becomes inert percent-escapes', () => {
    const notice = noticeFor(hostileFacts(), notifierOf('slack'), Templates.builtIn());
    const context = JSON.stringify(slackMessage(notice).blocks.at(-1));
    expect(context).toContain('<https://x.example/a%3E%20%3C!channel%3E%20%3Chttps://evil.example/login|Deploy>');
  });

  it('drop a link that still holds | or is not http(s)', () => {
    expect(safeHref('https://x.example/a|Click')).toBeNull();
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
    const notice = noticeFor(hostileFacts('https://x.example/a|Click me'), notifierOf('slack'), Templates.builtIn());
    expect(notice.links.map((l) => l.text)).toEqual(['Verdict']);
    const forged = JSON.stringify(slackMessage({ ...notice, links: [{ href: 'https://x.example/a|<!channel>', text: 'Deploy' }] }));
    expect(forged).not.toContain('<!channel');
    expect(forged).not.toContain('x.example');
  });
});

describe('email HTML', () => {
  it('escapes deploy fields and link attributes', () => {
    const notice = noticeFor(hostileFacts(), notifierOf('email'), Templates.builtIn());
    expect(notice.html).not.toContain('<!channel>');
    expect(notice.html).toContain('&lt;!channel&gt;');
    for (const m of notice.html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^https?:\/\/[^\s"<>]+$/);
  });
});

describe('PagerDuty events', () => {
  it('carry only re-serialised http(s) links', () => {
    const event = pagerDutyEvent(noticeFor(hostileFacts(), notifierOf('pagerduty'), Templates.builtIn()));
    const links = 'links' in event ? (event.links ?? []) : [];
    expect(links.map((l) => l.href)).toEqual([
      'https://guard.example.com/v1/deploys/d-sample',
      'https://x.example/a%3E%20%3C!channel%3E%20%3Chttps://evil.example/login',
    ]);
  });
});
