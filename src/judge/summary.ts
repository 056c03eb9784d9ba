// Human sentences for findings: values in their units (fractions as percent, ms, req/s) and ratios as "15.5x".
import { formatDuration } from '../rules/duration.js';

/** A number rounded for people: 180, 15.5, 3.1, 0.21, 0.0042. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const abs = Math.abs(x);
  if (abs >= 100) return String(Math.round(x));
  if (abs >= 10) return String(Number(x.toFixed(1)));
  if (abs >= 1) return String(Number(x.toFixed(2)));
  return String(Number(x.toPrecision(2)));
}

/** A value in its metric's unit: fraction 0.031 → "3.1%", ms → "180ms", req/s → "50 req/s", other → "12 unit". */
export function formatValue(value: number, unit: string): string {
  switch (unit) {
    case 'fraction':
      return `${formatNumber(value * 100)}%`;
    case 'percent':
    case '%':
      return `${formatNumber(value)}%`;
    case 'ms':
    case 's':
      return `${formatNumber(value)}${unit}`;
    case '':
      return formatNumber(value);
    default:
      return `${formatNumber(value)} ${unit}`;
  }
}

export interface BreachSummaryInput {
  metric: string;
  unit: string;
  observed: number;
  baseline: number | null;
  /** Seconds the condition had held when the finding was established. */
  heldFor: number;
}

/** "error_rate 3.1% vs baseline 0.2% (15.5x baseline) for 2m". */
export function breachSummary(input: BreachSummaryInput): string {
  const { metric, unit, observed, baseline, heldFor } = input;
  let text = `${metric} ${formatValue(observed, unit)}`;
  if (baseline === null) text += ' (no pre-deploy baseline)';
  else if (baseline === 0) text += ` vs baseline ${formatValue(0, unit)}`;
  else text += ` vs baseline ${formatValue(baseline, unit)} (${formatNumber(observed / baseline)}x baseline)`;
  return heldFor > 0 ? `${text} for ${formatDuration(heldFor)}` : text;
}
