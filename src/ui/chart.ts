// One uPlot chart per judged metric: the series over baseline + window, the baseline band (median ± spread over the
// baseline period), each rule's threshold, and vertical markers for the deploy, established findings and the rollback.
import uPlot from 'uplot';
import { h } from './dom.js';
import type { DeployCharts, MetricChart } from './types.js';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Every x of the deploy's and control's points, ascending; each series aligned to it (null where absent). */
function aligned(m: MetricChart): { xs: number[]; ys: Array<number | null>; control: Array<number | null> } {
  const xs = [...new Set([...m.points.map((p) => p[0]), ...m.control.map((p) => p[0])])].sort((a, b) => a - b);
  const own = new Map(m.points);
  const ctl = new Map(m.control);
  return { xs, ys: xs.map((x) => own.get(x) ?? null), control: xs.map((x) => ctl.get(x) ?? null) };
}

export function metricChart(m: MetricChart, all: DeployCharts, width: number): HTMLElement {
  const box = h('figure', { class: 'chart', 'data-metric': m.metric, 'data-points': m.points.length }, h('h3', {}, m.metric));
  const { xs, ys, control } = aligned(m);
  const inBand = (x: number): boolean => m.band !== null && x >= m.band.from && x < m.band.to;
  const bandLo = xs.map((x) => (inBand(x) && m.band ? m.band.lo : null));
  const bandHi = xs.map((x) => (inBand(x) && m.band ? m.band.hi : null));
  const accent = cssVar('--accent');
  const bad = cssVar('--bad');
  const fg = cssVar('--muted');
  const series: uPlot.Series[] = [
    {},
    { label: m.metric, stroke: accent, width: 1.5, spanGaps: false },
    { label: 'control', stroke: fg, dash: [4, 4], width: 1, show: m.control.length > 0 },
    { label: 'baseline −spread', stroke: 'transparent', points: { show: false } },
    { label: 'baseline +spread', stroke: 'transparent', points: { show: false } },
    ...m.thresholds.map((t): uPlot.Series => ({ label: `${t.rule}: ${t.condition}`, stroke: bad, dash: [6, 3], width: 1, points: { show: false } })),
  ];
  const data: uPlot.AlignedData = [xs, ys, control, bandLo, bandHi, ...m.thresholds.map((t) => xs.map(() => t.value))];
  const markers = [
    { at: all.startedAt, color: fg, text: 'deploy' },
    ...m.established.map((e) => ({ at: e.at, color: bad, text: `${e.rule} ${e.severity}` })),
    ...(all.rollbackAt !== null ? [{ at: all.rollbackAt, color: bad, text: 'rollback' }] : []),
  ];
  const opts: uPlot.Options = {
    width,
    height: 220,
    series,
    bands: [{ series: [4, 3], fill: cssVar('--band') }],
    axes: [
      { stroke: fg, grid: { stroke: cssVar('--line') } },
      { stroke: fg, grid: { stroke: cssVar('--line') }, size: 60 },
    ],
    scales: { x: { time: true } },
    hooks: {
      draw: [
        (u) => {
          const { ctx } = u;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px system-ui`;
          for (const mk of markers) {
            const x = Math.round(u.valToPos(mk.at, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = mk.color;
            ctx.fillStyle = mk.color;
            ctx.setLineDash([3, 3]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(mk.text, x + 3, u.bbox.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
  if (xs.length === 0) box.append(h('p', { class: 'muted' }, 'no data stored for this metric'));
  else new uPlot(opts, data, box);
  const facts = [
    m.band ? `baseline median ${fmt(m.band.median)} (band ${fmt(m.band.lo)} – ${fmt(m.band.hi)})` : 'no baseline',
    ...m.thresholds.map((t) => `${t.rule}: ${t.condition} → ${fmt(t.value)}`),
  ];
  box.append(h('figcaption', { class: 'muted' }, facts.join(' · ')));
  return box;
}

function fmt(v: number): string {
  return Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(2) : String(Math.round(v * 1000) / 1000);
}
