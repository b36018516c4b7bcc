// The page of the browser example: buttons and file inputs post requests to worker.js (where
// slimtensor runs), the progress bar follows its messages, and each result becomes a table row, a
// point of the accuracy-against-size chart (inline SVG) and a download link (a Blob URL).
import type { Request, Row } from './worker.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker('./worker.js', { type: 'module' });
const rows: Row[] = [];
const buttons = [$<HTMLButtonElement>('train'), $<HTMLButtonElement>('compress')];
let haveModel = false;

function busy(on: boolean, label = '') {
  buttons.forEach((b) => (b.disabled = on));
  if (!on && !haveModel) $<HTMLButtonElement>('compress').disabled = true;
  document.body.dataset.busy = String(on);
  if (label) $('status').textContent = label;
}

function send(req: Request, label: string, transfer: Transferable[] = []) {
  $('error').textContent = '';
  $<HTMLProgressElement>('progress').value = 0;
  busy(true, label);
  worker.postMessage(req, transfer);
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function render() {
  const f32 = rows.find((r) => r.name === 'f32');
  $('results').querySelector('tbody')!.innerHTML = rows.map((r) => `<tr data-name="${esc(r.name)}">
    <td>${esc(r.name)}</td><td class="bytes">${r.bytes}</td><td>${f32 ? (f32.bytes / r.bytes).toFixed(2) : ''}×</td>
    <td class="accuracy">${r.accuracy.toFixed(2)}</td><td>${f32 ? (r.accuracy - f32.accuracy >= 0 ? '+' : '') + (r.accuracy - f32.accuracy).toFixed(2) : ''}</td>
    <td class="latency">${r.latencyMs.toFixed(3)}</td><td class="detail">${esc(r.detail)}</td></tr>`).join('');
  chart();
}

/** Accuracy (y) against size in KB (x, from 0), one labelled point per row. */
function chart() {
  const W = 640, H = 300, L = 56, R = 20, T = 16, B = 44;
  const maxX = Math.max(...rows.map((r) => r.bytes)) * 1.1 / 1024;
  const accs = rows.map((r) => r.accuracy);
  const lo = Math.max(0, Math.floor(Math.min(...accs) / 5) * 5 - 5), hi = Math.min(100, Math.ceil(Math.max(...accs) / 5) * 5 + 5);
  const x = (kb: number) => L + (kb / maxX) * (W - L - R);
  const y = (a: number) => T + (1 - (a - lo) / (hi - lo)) * (H - T - B);
  const parts = [`<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`, `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`];
  for (let i = 0; i <= 4; i++) parts.push(`<text x="${x((maxX * i) / 4)}" y="${H - B + 16}" text-anchor="middle">${((maxX * i) / 4).toFixed(0)}</text>`);
  for (let a = lo; a <= hi; a += hi - lo > 40 ? 10 : 5) {
    parts.push(`<text x="${L - 6}" y="${y(a) + 4}" text-anchor="end">${a}</text>`, `<line x1="${L}" y1="${y(a)}" x2="${W - R}" y2="${y(a)}" stroke="#eee"/>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">size (KB)</text>`, `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">accuracy (%)</text>`);
  for (const r of rows) {
    const color = r.name === 'f32' ? '#555' : '#3d6fd8';
    parts.push(`<circle class="point" cx="${x(r.bytes / 1024).toFixed(1)}" cy="${y(r.accuracy).toFixed(1)}" r="5" fill="${color}"><title>${esc(r.name)}: ${r.bytes} bytes, ${r.accuracy.toFixed(2)}%</title></circle>`);
    parts.push(`<text x="${(x(r.bytes / 1024) + 8).toFixed(1)}" y="${(y(r.accuracy) - 8).toFixed(1)}">${esc(r.name)}</text>`);
  }
  $('chart').innerHTML = parts.join('');
}

worker.onmessage = (e: MessageEvent) => {
  const m = e.data;
  if (m.kind === 'progress') {
    $<HTMLProgressElement>('progress').value = m.fraction;
    $('status').textContent = m.label;
    return;
  }
  if (m.kind === 'error') {
    $('error').textContent = m.message;
    busy(false, 'Failed.');
    return;
  }
  if (m.kind === 'data') {
    $('dataName').textContent = m.name;
    busy(false, `Loaded ${m.name}.`);
    return;
  }
  const row: Row = m.row;
  if (row.name === 'f32') {
    rows.length = 0;
    $('downloads').innerHTML = '';
    haveModel = true;
  }
  const i = rows.findIndex((r) => r.name === row.name);
  if (i >= 0) rows[i] = row;
  else rows.push(row);
  render();
  if (row.name !== 'f32') {
    const a = document.createElement('a');
    a.className = 'download';
    a.href = URL.createObjectURL(new Blob([m.file], { type: 'application/octet-stream' }));
    a.download = m.fileName;
    a.textContent = `Download ${m.fileName} (${m.file.byteLength} bytes)`;
    $('downloads').append(a);
  }
  $<HTMLProgressElement>('progress').value = 1;
  busy(false, `Done: ${row.name}, ${row.bytes} bytes, ${row.accuracy.toFixed(2)}% accuracy.`);
};

$('train').onclick = () => send({ kind: 'train' }, 'Training…');
$('compress').onclick = () => {
  const technique = (document.querySelector('input[name=technique]:checked') as HTMLInputElement).value as 'int8' | 'int4' | 'prune90';
  send({ kind: 'compress', technique }, `Compressing (${technique})…`);
};
$<HTMLInputElement>('model').onchange = async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ kind: 'load', name: file.name, bytes }, `Loading ${file.name}…`, [bytes.buffer]);
};
$<HTMLInputElement>('fashion').onchange = async (e) => {
  const files = await Promise.all(Array.from((e.target as HTMLInputElement).files ?? []).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  send({ kind: 'data', files }, 'Reading Fashion-MNIST…', files.map((f) => f.bytes.buffer));
};
document.body.dataset.ready = 'true';
