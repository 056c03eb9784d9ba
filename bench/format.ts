// Number and table formatting shared by the benchmarks' reports.

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
export const mins = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(1)} min`);

/** A Markdown table; the first row is the header. */
export function markdown(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
