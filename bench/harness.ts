// Measures contenders on one case with tinybench, in interleaved rounds (the machines are shared
// and noisy: each round runs every contender, the best median per contender is kept), and prints
// ratios of ours against each peer measured in the same run.
import { Bench } from 'tinybench';

export interface Contender {
  name: string;
  fn: () => unknown;
  /** Slow baselines (plain JS loops) get fewer iterations. */
  slow?: boolean;
}

export interface Case {
  suite: string;
  name: string;
  /** Unit of the reported rate, e.g. 'GFLOP/s'. */
  unit: string;
  /** Work per call in the unit's numerator (e.g. 2·m·n·k / 1e9 for GFLOP). */
  work: number;
  ours: Contender;
  peers: Contender[];
}

export interface Options { quick: boolean; json: boolean; rounds?: number }

export interface Line { suite: string; case: string; unit: string; ours: number; peer: string; peerValue: number; ratio: number }

async function medianMs(c: Contender, quick: boolean): Promise<number> {
  const bench = new Bench({
    time: c.slow ? 0 : quick ? 150 : 400,
    iterations: c.slow ? (quick ? 1 : 2) : 5,
    warmupTime: c.slow ? 0 : 50,
    warmupIterations: c.slow ? 0 : 3,
  });
  bench.add(c.name, c.fn);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${c.name}: ${r.state === 'errored' ? r.error.message : r.state}`);
  return r.latency.p50;
}

/** Rate (work per second) of each contender, best of `rounds` interleaved rounds. */
export async function measure(c: Case, opts: Options): Promise<Map<string, number>> {
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const all = [c.ours, ...c.peers];
  const best = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? all : [...all].reverse();
    for (const contender of order) {
      if (contender.slow && r > 0) continue;
      const rate = c.work / (await medianMs(contender, opts.quick) / 1000);
      best.set(contender.name, Math.max(best.get(contender.name) ?? 0, rate));
    }
  }
  return best;
}

export function lines(c: Case, rates: Map<string, number>): Line[] {
  const ours = rates.get(c.ours.name)!;
  return c.peers.map((p) => ({ suite: c.suite, case: c.name, unit: c.unit, ours: round(ours), peer: p.name, peerValue: round(rates.get(p.name)!), ratio: round(ours / rates.get(p.name)!) }));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function print(out: Line[], opts: Options): void {
  if (opts.json) {
    for (const l of out) console.log(JSON.stringify(l));
    return;
  }
  for (const l of out) {
    console.log(`${l.suite.padEnd(9)} ${l.case.padEnd(22)} ours ${l.ours.toFixed(2).padStart(8)} ${l.unit}  ${l.peer.padEnd(18)} ${l.peerValue.toFixed(2).padStart(8)}  ratio ${l.ratio.toFixed(2)}×`);
  }
}

export { randomF32 } from './random.js';
