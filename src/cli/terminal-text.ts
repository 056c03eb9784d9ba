// Makes deploy values (hostile: service, version, labels, findings, hook output) safe to print on a terminal or CI log.

/** C0/C1 control characters (ESC, CR, BEL, …), bidi overrides and line separators: each becomes one visible `�`. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of text that cannot move the cursor, recolour the terminal, start a new log line (and with it a
 * GitHub `::workflow-command::`) or reorder what follows it. Long values are cut with an ellipsis.
 */
export function printable(value: unknown, max = 500): string {
  const text = String(value ?? '').replace(UNPRINTABLE, '\ufffd');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Pads or cuts to exactly `width` columns (for tables). */
export function fit(value: unknown, width: number): string {
  const text = printable(value, Math.max(1, width));
  return text.padEnd(width);
}

/** Series seconds as "+3m", "+1h05m", "+45s" after the deploy start. */
export function sinceStart(t: number, startedAt: number): string {
  const s = Math.max(0, Math.round(t - startedAt));
  if (s < 60) return `+${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `+${m}m` : `+${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Unix seconds as "2026-11-29 16:40Z". */
export function shortTime(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}
