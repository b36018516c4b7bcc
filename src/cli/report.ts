// A self-contained HTML report (inline CSS and SVG, no scripts, no external assets): the results
// table, accuracy against size with the Pareto front, accuracy against sparsity, and per-layer
// int8/int4 sensitivity bars.
import type * as st from '../index.js';
import { fmtBytes, fmtLatency, type Row } from './table.js';

export interface ReportData {
  dataset: string;
  arch: string;
  rows: Row[];
  sensitivity: st.LayerSensitivity[];
  seconds: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const W = 560;
const H = 320;
const M = { l: 64, r: 24, t: 20, b: 48 };
const COLORS = ['#444', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];

interface Point { x: number; y: number; label: string; color: string }

/** "Nice" tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

/** 1-2-5 ticks per decade inside [10^lo, 10^hi]. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) for (const m of [1, 2, 5]) if (Math.log10(m * 10 ** d) >= lo && Math.log10(m * 10 ** d) <= hi) out.push(m * 10 ** d);
  return out;
}

/** A scatter plot; `front` draws a line through those points in x order. */
function scatter(id: string, points: Point[], o: { xLabel: string; yLabel: string; logX?: boolean; xDomain?: [number, number]; front?: Point[]; xFmt: (v: number) => string }): string {
  const fx = (v: number) => (o.logX ? Math.log10(v) : v);
  const xs = points.map((p) => fx(p.x));
  const ys = points.map((p) => p.y);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const padX = (x1 - x0 || 1) * 0.12;
  const padY = (y1 - y0 || 1) * 0.15;
  [x0, x1, y0, y1] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  if (o.xDomain) [x0, x1] = o.xDomain;
  const px = (v: number) => M.l + ((fx(v) - x0) / (x1 - x0)) * (W - M.l - M.r);
  const py = (v: number) => H - M.b - ((v - y0) / (y1 - y0)) * (H - M.t - M.b);
  const xt = o.logX ? logTicks(x0, x1) : ticks(x0, x1);
  const parts: string[] = [];
  parts.push(`<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="#fafafa" stroke="#ccc"/>`);
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${py(t)}" y2="${py(t)}" stroke="#e4e4e4"/><text x="${M.l - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`);
  for (const t of xt) parts.push(`<line y1="${M.t}" y2="${H - M.b}" x1="${px(t)}" x2="${px(t)}" stroke="#e4e4e4"/><text x="${px(t)}" y="${H - M.b + 16}" text-anchor="middle">${esc(o.xFmt(t))}</text>`);
  parts.push(`<text x="${(W + M.l) / 2}" y="${H - 8}" text-anchor="middle" class="axis">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(o.yLabel)}</text>`);
  if (o.front && o.front.length > 1) parts.push(`<polyline class="front" fill="none" stroke="#2ca02c" stroke-width="2" stroke-dasharray="5 3" points="${o.front.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}"/>`);
  for (const p of points) {
    parts.push(`<circle class="point" cx="${px(p.x)}" cy="${py(p.y)}" r="6" fill="${p.color}"><title>${esc(`${p.label}: ${p.y.toFixed(2)}%, ${o.xFmt(p.x)}`)}</title></circle>`);
    parts.push(`<text x="${px(p.x) + 9}" y="${py(p.y) - 8}" class="label">${esc(p.label)}</text>`);
  }
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img">${parts.join('')}</svg>`;
}

/** The rows not dominated by a smaller-or-equal, at-least-as-accurate row, by size. */
export function paretoFront(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
  const front: Point[] = [];
  for (const p of sorted) if (!front.length || p.y > front[front.length - 1]!.y) front.push(p);
  return front;
}

/** Horizontal bars of the accuracy drop per layer and dtype (SQNR in the label). */
function sensitivityBars(id: string, s: st.LayerSensitivity[]): string {
  const rows = s.filter((r) => r.accuracyDrop !== undefined);
  const rowH = 26;
  const h = M.t + rows.length * rowH + 40;
  const maxPos = Math.max(0, ...rows.map((r) => r.accuracyDrop! * 100));
  const maxNeg = Math.max(0, ...rows.map((r) => -r.accuracyDrop! * 100));
  const x0 = 180;
  const x1 = W - 120;
  const zero = x0 + (x1 - x0) * (maxNeg > 0 ? maxNeg / (maxNeg + Math.max(maxPos, 0.25)) : 0);
  const scale = (x1 - x0) / Math.max(0.5, maxPos + maxNeg);
  const parts = rows.map((r, i) => {
    const y = M.t + i * rowH;
    const d = r.accuracyDrop! * 100;
    const w = Math.max(1, Math.abs(d) * scale);
    const x = d >= 0 ? zero : zero - w;
    return `<text x="${x0 - 10}" y="${y + 16}" text-anchor="end">${esc(`layer ${r.name} (${r.type}) ${r.dtype}`)}</text>`
      + `<rect class="bar" x="${x}" y="${y + 4}" width="${w}" height="${rowH - 10}" fill="${r.dtype === 'int4' ? '#ff7f0e' : '#1f77b4'}"><title>${esc(`${r.name} ${r.dtype}: drop ${d.toFixed(2)} points, SQNR ${r.sqnrDb.toFixed(1)} dB`)}</title></rect>`
      + `<text x="${(d >= 0 ? x + w : zero) + 6}" y="${y + 16}" class="label">${d.toFixed(2)} pt · ${r.sqnrDb.toFixed(1)} dB</text>`;
  });
  parts.push(`<line x1="${zero}" x2="${zero}" y1="${M.t}" y2="${h - 30}" stroke="#333"/>`);
  parts.push(`<text x="${(x0 + x1) / 2}" y="${h - 10}" text-anchor="middle" class="axis">accuracy drop on the held-out batch when only this layer is quantized (points)</text>`);
  return `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img">${parts.join('')}</svg>`;
}

/** The whole report as one HTML document. */
export function htmlReport(d: ReportData): string {
  const pts: Point[] = d.rows.map((r, i) => ({ x: r.bytes, y: r.accuracy, label: r.technique, color: COLORS[i % COLORS.length]! }));
  const pareto = scatter('pareto', pts, { xLabel: 'stored bytes (log scale)', yLabel: 'test accuracy (%)', logX: true, front: paretoFront(pts), xFmt: (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${Math.round(v / 1e3)} kB`) });
  const sparse = d.rows.map((r, i) => ({ r, p: pts[i]! })).filter(({ r }) => r.sparsity !== undefined);
  const pruned = sparse.filter(({ r }) => r.technique !== 'f32');
  const sparsityChart = scatter('sparsity', sparse.map(({ r, p }) => ({ ...p, x: r.sparsity! * 100 })), { xLabel: 'sparsity: zero weights (%)', yLabel: 'test accuracy (%)', xDomain: [-2, 100], xFmt: (v) => `${+v.toFixed(1)}%` });
  const noPruning = pruned.length ? '' : '<p class="note" id="no-pruning">No pruning results: no registered technique reports a sparsity yet. Only the f32 model\'s own fraction of zero weights is plotted.</p>';
  const sens = d.sensitivity.length ? sensitivityBars('sensitivity', d.sensitivity) : '<p class="note">No sensitivity results (no technique ran st.sensitivity on a labeled held-out batch).</p>';
  const head = ['technique', 'settings', 'accuracy', 'Δ', 'bytes', '×smaller', 'batch-1 latency', '×faster', 'sparsity', 'time'];
  const rows = d.rows.map((r, i) => `<tr><td>${esc(r.technique)}</td><td>${esc(r.detail)}</td><td>${r.accuracy.toFixed(2)}%</td><td>${i === 0 ? '–' : `${r.delta >= 0 ? '+' : ''}${r.delta.toFixed(2)}`}</td><td>${fmtBytes(r.bytes)}</td><td>${r.smaller.toFixed(2)}×</td><td>${esc(fmtLatency(r.latencyMs))}</td><td>${r.faster.toFixed(2)}×</td><td>${r.sparsity === undefined ? '' : `${(r.sparsity * 100).toFixed(1)}%`}</td><td>${r.seconds.toFixed(1)} s</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slimtensor compression report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:24px}.chart{flex:0 0 auto}
svg{font:11px system-ui,sans-serif;background:#fff}svg .axis{font-size:12px;fill:#333}svg .label{fill:#222}
.note{background:#fff7e0;border:1px solid #e8d28a;padding:6px 10px;max-width:540px}
</style></head><body>
<h1>slimtensor compression report</h1>
<p>Model ${esc(d.arch)} on ${esc(d.dataset)}. Accuracy on the test split; bytes of the stored file; latency is the median of batch-1 forwards; ×faster is the median over rounds of t(f32)/t(technique), the two models called in turn in the same run. Total ${d.seconds.toFixed(1)} s.</p>
<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
<div class="charts">
<div class="chart"><h2>Accuracy against size (Pareto front dashed)</h2>${pareto}</div>
<div class="chart"><h2>Accuracy against sparsity</h2>${sparsityChart}${noPruning}</div>
<div class="chart"><h2>Per-layer sensitivity (int8 blue, int4 orange)</h2>${sens}</div>
</div>
</body></html>
`;
}
