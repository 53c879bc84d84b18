/**
 * Fans alerts out to channels without ever blocking the stream.
 *
 * - `dispatch(alert)` is synchronous: it only appends to each accepting channel's bounded queue.
 *   A full queue (slow or dead endpoint) turns the alert into a dead letter (`queue_full`)
 *   instead of waiting.
 * - Each channel drains its queue with a few concurrent sends, each attempt under a timeout,
 *   retried with exponential backoff (cockatiel) when the failure is retriable.
 * - An alert that still fails becomes a dead letter (`delivery_failed`) handed to `onDeadLetter`,
 *   which the topology produces to the dead-letter topic.
 * - Delivered `(channel, alert id)` pairs go to the dedup store; an alert whose id is already
 *   there (a re-emission after a restart) is skipped and counted as deduplicated.
 */
import {
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { Counter, Gauge, type Registry } from 'prom-client';
import { isFraudstreamError } from '../../errors.ts';
import type { FraudAlert } from './alert.ts';
import type { AlertChannel } from './channel.ts';
import { type AlertDedupStore, MemoryDedupStore } from './dedup.ts';

export type DeadLetterCode = 'queue_full' | 'delivery_failed' | 'shutdown';

export interface AlertDeadLetter {
  channel: string;
  alertId: string;
  transactionId: string;
  code: DeadLetterCode;
  /** human-readable cause, e.g. "POST http://… answered HTTP 500 (4 attempts)" */
  reason: string;
  attempts: number;
  failedAt: number;
  alert: FraudAlert;
}

export interface ChannelStats {
  queued: number;
  inFlight: number;
  delivered: number;
  deduplicated: number;
  retries: number;
  deadLettered: number;
  overflowed: number;
}

export interface AlertDispatcherOptions {
  channels: AlertChannel[];
  /** per-channel queue bound; default 1000 (seed 000's max_queue_size) */
  queueCapacity?: number;
  /** concurrent sends per channel; default 2 */
  concurrency?: number;
  /** retries after the first attempt; default 3 */
  retries?: number;
  /** first backoff delay, doubled each retry (with jitter); default 200 ms */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** per-attempt timeout; default 10 s */
  attemptTimeoutMs?: number;
  dedup?: AlertDedupStore;
  onDeadLetter?: (deadLetter: AlertDeadLetter) => void;
  now?: () => number;
  /** prom-client registry for fraudstream_alerts_* metrics (per channel) */
  registry?: Registry;
}

function registerMetrics(registry: Registry, stats: () => Record<string, ChannelStats>): void {
  const counters: Array<[keyof ChannelStats, string, string]> = [
    ['delivered', 'fraudstream_alerts_delivered_total', 'alerts delivered per channel'],
    ['deduplicated', 'fraudstream_alerts_deduplicated_total', 'alerts skipped as already delivered'],
    ['retries', 'fraudstream_alerts_retries_total', 'delivery attempts retried'],
    [
      'deadLettered',
      'fraudstream_alerts_dead_letters_total',
      'alerts dead-lettered (failed, overflow, shutdown)',
    ],
    ['overflowed', 'fraudstream_alerts_queue_overflow_total', 'alerts refused by a full channel queue'],
  ];
  // Collected from the dispatcher's own counters at scrape time: nothing to update on the hot path.
  for (const [key, name, help] of counters) {
    new Counter({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [channel, s] of Object.entries(stats())) this.inc({ channel }, s[key]);
      },
    });
  }
  new Gauge({
    name: 'fraudstream_alerts_queue_depth',
    help: 'alerts waiting or in flight per channel',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      for (const [channel, s] of Object.entries(stats())) this.set({ channel }, s.queued + s.inFlight);
    },
  });
}

interface Worker {
  channel: AlertChannel;
  queue: FraudAlert[];
  /** keys queued or in flight, so a burst of the same alert is sent once */
  pending: Set<string>;
  active: number;
  stats: ChannelStats;
  policy: IPolicy;
}

/**
 * @example
 *   const alerts = new AlertDispatcher({
 *     channels: createAlertChannels(config.alerts),
 *     dedup: LmdbDedupStore.open('./data/alert-dedup'),
 *     onDeadLetter: (dl) => dlqProducer.send(deadLetterRecord(dl)),
 *   });
 *   alerts.dispatch(alert); // returns at once
 */
export class AlertDispatcher {
  readonly #workers: Worker[];
  readonly #capacity: number;
  readonly #concurrency: number;
  readonly #dedup: AlertDedupStore;
  readonly #onDeadLetter: (deadLetter: AlertDeadLetter) => void;
  readonly #now: () => number;
  readonly #abort = new AbortController();
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: AlertDispatcherOptions) {
    this.#capacity = options.queueCapacity ?? 1000;
    this.#concurrency = options.concurrency ?? 2;
    this.#dedup = options.dedup ?? new MemoryDedupStore();
    this.#onDeadLetter = options.onDeadLetter ?? (() => {});
    this.#now = options.now ?? Date.now;
    const names = new Set<string>();
    this.#workers = options.channels.map((channel) => {
      if (names.has(channel.name)) throw new Error(`two alert channels are named "${channel.name}"`);
      names.add(channel.name);
      const stats: ChannelStats = {
        queued: 0,
        inFlight: 0,
        delivered: 0,
        deduplicated: 0,
        retries: 0,
        deadLettered: 0,
        overflowed: 0,
      };
      const retryPolicy = retry(
        handleWhen((err) => err instanceof TaskCancelledError || (isFraudstreamError(err) && err.retriable)),
        {
          maxAttempts: options.retries ?? 3,
          backoff: new ExponentialBackoff({
            initialDelay: options.initialBackoffMs ?? 200,
            maxDelay: options.maxBackoffMs ?? 30_000,
          }),
        },
      );
      retryPolicy.onRetry(() => stats.retries++);
      const policy = wrap(
        retryPolicy,
        timeout(options.attemptTimeoutMs ?? 10_000, TimeoutStrategy.Aggressive),
      );
      return { channel, queue: [], pending: new Set(), active: 0, stats, policy };
    });
    if (options.registry) registerMetrics(options.registry, () => this.stats());
  }

  /** Queues the alert on every channel that accepts it; never waits. */
  dispatch(alert: FraudAlert): void {
    if (this.#closed) {
      for (const w of this.#workers)
        if (w.channel.accepts(alert)) this.#deadLetter(w, alert, 'shutdown', 'dispatcher closed', 0);
      return;
    }
    for (const w of this.#workers) {
      if (!w.channel.accepts(alert)) continue;
      const key = dedupKey(w.channel, alert);
      if (w.pending.has(key)) {
        w.stats.deduplicated++;
        continue;
      }
      if (w.queue.length >= this.#capacity) {
        w.stats.overflowed++;
        this.#deadLetter(w, alert, 'queue_full', `queue of ${this.#capacity} alerts is full`, 0);
        continue;
      }
      w.pending.add(key);
      w.queue.push(alert);
      w.stats.queued = w.queue.length;
      this.#pump(w);
    }
  }

  /** Counters per channel name. */
  stats(): Record<string, ChannelStats> {
    const out: Record<string, ChannelStats> = {};
    for (const w of this.#workers)
      out[w.channel.name] = { ...w.stats, queued: w.queue.length, inFlight: w.active };
    return out;
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops accepting alerts, gives queued ones `drainMs` to go out, then cancels the rest as
   * `shutdown` dead letters.
   */
  async close(drainMs = 5_000): Promise<void> {
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, drainMs)))]);
    clearTimeout(timer);
    for (const w of this.#workers) {
      for (const alert of w.queue.splice(0))
        this.#deadLetter(w, alert, 'shutdown', 'dispatcher closed before delivery', 0);
    }
    this.#abort.abort();
    await this.idle();
  }

  #pump(w: Worker): void {
    while (w.active < this.#concurrency && w.queue.length > 0) {
      const alert = w.queue.shift()!;
      w.active++;
      void this.#deliver(w, alert).finally(() => {
        w.active--;
        w.pending.delete(dedupKey(w.channel, alert));
        this.#pump(w);
        if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
    }
  }

  async #deliver(w: Worker, alert: FraudAlert): Promise<void> {
    const key = dedupKey(w.channel, alert);
    let attempts = 0;
    try {
      if (await this.#dedup.has(key)) {
        w.stats.deduplicated++;
        return;
      }
      await w.policy.execute(async ({ signal }) => {
        attempts++;
        await w.channel.send(alert, signal);
      }, this.#abort.signal);
    } catch (err) {
      const message =
        err instanceof TaskCancelledError ? 'attempt timed out or was cancelled' : (err as Error).message;
      const code: DeadLetterCode = this.#abort.signal.aborted ? 'shutdown' : 'delivery_failed';
      this.#deadLetter(
        w,
        alert,
        code,
        `${message} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
        attempts,
      );
      return;
    }
    w.stats.delivered++;
    try {
      await this.#dedup.add(key);
    } catch {
      // Delivered but not remembered: a restart may resend it; PagerDuty's dedup_key and the
      // webhook Idempotency-Key still let the receiver fold it.
    }
  }

  #deadLetter(w: Worker, alert: FraudAlert, code: DeadLetterCode, reason: string, attempts: number): void {
    w.stats.deadLettered++;
    const deadLetter: AlertDeadLetter = {
      channel: w.channel.name,
      alertId: alert.alertId,
      transactionId: alert.transactionId,
      code,
      reason,
      attempts,
      failedAt: this.#now(),
      alert,
    };
    try {
      this.#onDeadLetter(deadLetter);
    } catch {
      // A failing dead-letter callback must not take the dispatcher down; the count remains.
    }
  }

  #isIdle(): boolean {
    return this.#workers.every((w) => w.queue.length === 0 && w.active === 0);
  }
}

function dedupKey(channel: AlertChannel, alert: FraudAlert): string {
  return `${channel.name}:${alert.alertId}`;
}
