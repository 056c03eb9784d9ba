// Links in alerts come from deploys (hostile input): only http(s), re-serialised, nothing that ends a Slack link.

/** Characters that end or split a Slack `<href|text>` link, or a quoted HTML attribute. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINK_BREAKERS = /[|<>"'\s\u0000-\u001f\u007f-\u009f]/;

/**
 * The link as the WHATWG URL parser serialises it (`new URL(href).href`, so `<`, `>` and spaces are
 * percent-encoded), or null when it is not http(s) or still holds `|`, `<`, `>`, quotes, spaces or controls.
 */
export function safeHref(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return LINK_BREAKERS.test(url.href) ? null : url.href;
}
