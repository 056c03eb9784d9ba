// What a channel kind can do, declared once on the kind: templates, compose and the responder read these, never a kind's name.
import type { Escape } from '../templates/engine.js';

/** How a kind's deliveries are threaded, and whether the incidents it opens can be resolved. */
export type NotifierThreading =
  /** One thread per deploy: its messages go out in order. */
  | { threadBy: 'deploy'; resolvable: false }
  /**
   * One thread per incident (the notice's incident key, else the deploy), so a resolve never overtakes its
   * trigger. `resolvable`: an incident it opens stays open until it gets a `resolve` notice with the same key
   * (PagerDuty's dedup_key), so the responder sends it one when the finding clears or the rollback recovers.
   */
  | { threadBy: 'incident'; resolvable: boolean };

export type NotifierCapabilities = NotifierThreading & {
  /**
   * Escapes each value a template inserts with `{{name}}` into the text body, for the markup the kind sends it in
   * (Slack mrkdwn: `&`, `<`, `>`); `noEscape` for plain text. Titles are rendered unescaped: a kind that puts
   * the title into markup escapes it itself.
   */
  escapeText: Escape;
  /** The kind sends an HTML body: the `html` template part is rendered for it, every value HTML-escaped. */
  html: boolean;
};

/** A kind as templates see it: its `type` (the prefix of its template files, `slack.alert.text.tmpl`) and what it can do. */
export interface RenderTarget {
  readonly type: string;
  readonly capabilities: NotifierCapabilities;
}

/** The `thread` a delivery of a notice to a kind is stored with (the outbox sends one thread of a channel in order). */
export function threadOf(capabilities: NotifierCapabilities, notice: { incidentKey: string | null; deployId: string | null }): string | null {
  return capabilities.threadBy === 'incident' ? (notice.incidentKey ?? notice.deployId) : notice.deployId;
}
