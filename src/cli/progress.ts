/** A one-line progress meter (count, rate, ETA) redrawn on stderr, only when stderr is a terminal. */
import type { Output } from './command.ts';

const REDRAW_MS = 250;

export class Progress {
  readonly #out: Output;
  readonly #label: string;
  readonly #total: number | undefined;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #lastDraw = 0;
  #count = 0;

  constructor(out: Output, label: string, total?: number) {
    this.#out = out;
    this.#label = label;
    this.#total = total;
    this.#enabled = out.isTTY === true;
  }

  get count(): number {
    return this.#count;
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.#started) / 1000;
  }

  get rate(): number {
    const s = this.elapsedSeconds;
    return s > 0 ? this.#count / s : 0;
  }

  add(n: number): void {
    this.#count += n;
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const rate = this.rate;
    let line = `${this.#label} ${this.#count.toLocaleString('en-US')}`;
    if (this.#total !== undefined) line += ` / ${this.#total.toLocaleString('en-US')}`;
    line += `  ${Math.round(rate).toLocaleString('en-US')}/s`;
    if (this.#total !== undefined && rate > 0)
      line += `  ETA ${formatDuration((this.#total - this.#count) / rate)}`;
    this.#out.write(`\r\x1b[2K${line}`);
  }

  /** Clear the meter line (before the final summary). */
  done(): void {
    if (this.#enabled) this.#out.write('\r\x1b[2K');
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
