// Lays a notice out as Slack Block Kit: title and text, the deploy's facts as fields, links as a context line.
// https://api.slack.com/reference/block-kit/blocks
import type { NotifierCapabilities } from '../capabilities.js';
import { safeHref } from '../link.js';
import type { Notice } from '../types.js';
import type { SlackPayload } from './schema.js';

/** Slack's limits: section text 3000 characters, at most 10 fields of 2000. */
const TEXT_LIMIT = 3000;
const FIELD_LIMIT = 2000;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack: the text body is mrkdwn (values escaped), one thread per deploy, nothing to resolve. */
export const SLACK_CAPABILITIES: NotifierCapabilities = { escapeText: slackEscape, html: false, threadBy: 'deploy', resolvable: false };

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The Slack message for a notice. `notice.text` is already mrkdwn (rendered with Slack escaping). */
export function slackMessage(notice: Notice): SlackPayload {
  const blocks: SlackPayload['blocks'] = [
    { type: 'section', text: { type: 'mrkdwn', text: cut(`*${slackEscape(notice.title)}*${notice.text ? `\n${notice.text}` : ''}`, TEXT_LIMIT) } },
  ];
  const fields = factFields(notice);
  if (fields.length > 0) blocks.push({ type: 'section', fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: cut(text, FIELD_LIMIT) })) });
  const links = notice.links.flatMap((l) => {
    const href = safeHref(l.href);
    return href ? [`<${href}|${slackEscape(l.text)}>`] : [];
  });
  if (links.length > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join('  ·  ') }] });
  // The top-level text is the notification fallback, and Slack parses it as mrkdwn too (`<!channel>` would ping).
  return { text: slackEscape(notice.title), blocks };
}

function factFields(notice: Notice): string[] {
  const d = notice.deploy;
  if (!d || notice.event === 'digest') return [];
  const fields = [
    `*Service*\n${slackEscape(`${d.service}/${d.environment}`)}`,
    `*Version*\n${slackEscape(d.previousVersion ? `${d.previousVersion} → ${d.version}` : d.version)}`,
  ];
  if (notice.severity) fields.push(`*Severity*\n${notice.severity}`);
  const finding = notice.findings[0];
  if (finding && (notice.event === 'alert' || notice.event === 'deploy-rolling-back' || notice.event === 'not-recovered')) {
    fields.push(`*Rule*\n${slackEscape(finding.rule)}`, `*Condition*\n${slackEscape(finding.condition)}`);
  }
  return fields;
}
