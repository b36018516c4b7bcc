// Formatting of the result rows: a plain-text table for the terminal.
export interface Row {
  technique: string;
  detail: string;
  /** Top-1 accuracy in % and its change against f32 in points. */
  accuracy: number;
  delta: number;
  bytes: number;
  /** f32 bytes / bytes. */
  smaller: number;
  /** Median ms of a batch-1 forward, and the f32 median measured alongside / this one. */
  latencyMs: number;
  faster: number;
  /** Fraction of zero weights, for techniques that report one. */
  sparsity?: number;
  /** Seconds the technique took (training included). */
  seconds: number;
}

const group = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export const fmtBytes = group;
export const fmtLatency = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

/** The rows as an aligned text table. */
export function table(rows: Row[]): string {
  const head = ['technique', 'accuracy', 'Δ', 'bytes', '×smaller', 'batch-1 latency', '×faster', 'time'];
  const body = rows.map((r, i) => [
    r.technique,
    `${r.accuracy.toFixed(2)}%`,
    i === 0 ? '–' : `${r.delta >= 0 ? '+' : ''}${r.delta.toFixed(2)}`,
    group(r.bytes),
    `${r.smaller.toFixed(2)}×`,
    fmtLatency(r.latencyMs),
    `${r.faster.toFixed(2)}×`,
    `${r.seconds.toFixed(1)} s`,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: string[]) => cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
