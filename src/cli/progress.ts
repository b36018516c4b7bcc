/// <reference types="node" />
// Progress on stderr: a redrawn bar with an ETA on a TTY, one line per finished phase elsewhere,
// nothing with --json. Also the Ctrl-C flag that long loops poll between steps.
import { Interrupted } from './errors.js';

export class Progress {
  #label = '';
  #total = 0;
  #t0 = 0;
  #last = 0;
  readonly tty: boolean;

  constructor(readonly quiet: boolean, readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = !quiet && stream.isTTY === true;
  }

  /** A free-form line (not on --json). */
  log(text: string): void {
    if (this.quiet) return;
    if (this.tty) this.stream.write('\r\x1b[K');
    this.stream.write(`${text}\n`);
  }

  /** Starts a phase of `total` units (0 when unknown). */
  start(label: string, total: number): void {
    this.#label = label;
    this.#total = total;
    this.#t0 = performance.now();
    this.#last = 0;
    this.update(0);
  }

  /** `done` units of the current phase are finished; `extra` is appended (e.g. the loss). */
  update(done: number, extra = ''): void {
    if (!this.tty) return;
    const now = performance.now();
    if (done !== 0 && done !== this.#total && now - this.#last < 100) return;
    this.#last = now;
    const frac = this.#total ? Math.min(1, done / this.#total) : 0;
    const bar = '#'.repeat(Math.round(frac * 20)).padEnd(20, '.');
    const elapsed = (now - this.#t0) / 1000;
    const eta = frac > 0 && frac < 1 ? `  ETA ${seconds(elapsed * (1 / frac - 1))}` : '';
    this.stream.write(`\r\x1b[K${this.#label}  [${bar}] ${done}/${this.#total}${eta}${extra ? `  ${extra}` : ''}`);
  }

  /** Ends the phase with a summary line. */
  end(summary: string): void {
    this.log(`${this.#label}: ${summary} (${seconds((performance.now() - this.#t0) / 1000)})`);
  }
}

export const seconds = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

/** The Ctrl-C state: the first SIGINT sets `stop`; loops call `check()` between steps. */
export const interrupt = {
  stop: false,
  check(): void {
    if (interrupt.stop) throw new Interrupted();
  },
  /** Lets a pending SIGINT be delivered (loops are synchronous between these), then checks. */
  async yield(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    interrupt.check();
  },
};
