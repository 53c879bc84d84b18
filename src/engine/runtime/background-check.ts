/**
 * One broker check at a time, started from the processing loop and run in the background: at most one
 * per `min(intervalMs, 5 s)`, a new one only once the last has settled. The hang watches use it
 * (repartition-hang-watch.ts, group-offsets-hang-watch.ts) so that a loop turn never waits on a broker.
 *
 * @example
 *   if (checks.due(now)) checks.start(() => lookAtTheBroker());
 *   await checks.settle(); // on close
 */
export class BackgroundCheck {
  readonly #everyMs: number;
  #nextAt = 0;
  #inFlight: Promise<void> | null = null;

  constructor(intervalMs: number) {
    this.#everyMs = Math.min(intervalMs, 5000);
  }

  /** Whether a check may start now; if so, the next one is not due before another period. */
  due(now: number): boolean {
    if (now < this.#nextAt || this.#inFlight !== null) return false;
    this.#nextAt = now + this.#everyMs;
    return true;
  }

  /** Runs `check` in the background (it must not throw: failures are the check's to log). */
  start(check: () => Promise<void>): void {
    this.#inFlight = check().finally(() => {
      this.#inFlight = null;
    });
  }

  /** Settles when the check in flight (if any) is done (tests, shutdown). */
  settle(): Promise<void> {
    return this.#inFlight ?? Promise.resolve();
  }
}
