/**
 * The AI analyst (seed 000's AgenticFraudProcessor), with exactly the seed's safeguards:
 *
 * - circuit breaker: 5 consecutive failures → open; half-open probe after 60 s; each failed probe
 *   doubles the wait (exponential backoff, capped) — cockatiel's breaker with an ExponentialBackoff;
 * - 30 s timeout per LLM call (aggressive: the HTTP request is aborted);
 * - a bounded queue of 1000 requests with an explicit overflow policy and a metric;
 * - batches of 10 orders or 5 s, whichever comes first; 3 concurrent workers.
 *
 * The stream never waits for the LLM: `submit()` answers synchronously whether the request was
 * queued or why it falls back (disabled, breaker open, queue full); the verdict arrives later through
 * `done` / `onOutcome`. Timeouts, HTTP errors and invalid replies resolve as fallbacks too (counted),
 * never as exceptions into the pipeline.
 *
 * @example
 *   const analyst = new Analyst({ endpoint: { url: 'http://127.0.0.1:11434/v1', model: 'llama3.1' }, registry });
 *   const { status, done } = analyst.submit({ id: order.order_id, facts: { amount: 812, rules: ['CRYPTO'] } });
 *   if (status === 'queued') done.then((o) => audit(o));
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type IBackoffFactory,
  type IHalfOpenAfterBackoffContext,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { type ChatEndpoint, postChatCompletion } from './client.ts';
import { type AnalysisRequest, buildChatRequest, parseChatReply, type Verdict } from './protocol.ts';

export type FallbackReason =
  | 'disabled'
  | 'breaker_open'
  | 'queue_full'
  | 'timeout'
  | 'http_error'
  | 'invalid_reply'
  | 'shutdown';

export type AnalystOutcome =
  | { id: string; status: 'analyzed'; verdict: Verdict; latencyMs: number }
  | { id: string; status: 'fallback'; reason: FallbackReason; detail?: string };

export interface SubmitResult {
  status: 'queued' | 'fallback';
  reason?: FallbackReason;
  done: Promise<AnalystOutcome>;
}

export interface AnalystOptions {
  endpoint: ChatEndpoint;
  enabled?: boolean;
  registry?: Registry;
  /** seed 000: 1000 */
  maxQueueSize?: number;
  /** `reject-new`: the new request falls back; `drop-oldest`: the oldest queued one falls back */
  overflowPolicy?: 'reject-new' | 'drop-oldest';
  /** seed 000: 10 orders */
  batchSize?: number;
  /** seed 000: 5 s */
  batchTimeoutMs?: number;
  /** seed 000: 3 workers */
  concurrency?: number;
  /** seed 000: 30 s */
  timeoutMs?: number;
  /** seed 000: 5 failures */
  failureThreshold?: number;
  /** seed 000: 60 s before the half-open probe */
  recoveryMs?: number;
  /** cap of the exponential backoff between failed probes */
  maxRecoveryMs?: number;
  onOutcome?: (outcome: AnalystOutcome) => void;
}

interface Pending {
  request: AnalysisRequest;
  enqueuedAt: number;
  resolve: (o: AnalystOutcome) => void;
}

export class Analyst {
  private readonly opts: Required<Omit<AnalystOptions, 'registry' | 'onOutcome' | 'endpoint'>>;
  private readonly endpoint: ChatEndpoint;
  private readonly onOutcome?: (o: AnalystOutcome) => void;
  private readonly queue: Pending[] = [];
  private readonly breaker;
  private readonly policy;
  private inFlight = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failures = 0;
  private lastFailureAt: number | null = null;
  /** consecutive openings (for the backoff) and when the current one allows a half-open probe */
  private openings = 0;
  private openUntil = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly metrics;

  constructor(options: AnalystOptions) {
    this.endpoint = options.endpoint;
    this.onOutcome = options.onOutcome;
    this.opts = {
      enabled: options.enabled ?? true,
      maxQueueSize: options.maxQueueSize ?? 1000,
      overflowPolicy: options.overflowPolicy ?? 'reject-new',
      batchSize: options.batchSize ?? 10,
      batchTimeoutMs: options.batchTimeoutMs ?? 5000,
      concurrency: options.concurrency ?? 3,
      timeoutMs: options.timeoutMs ?? 30_000,
      failureThreshold: options.failureThreshold ?? 5,
      recoveryMs: options.recoveryMs ?? 60_000,
      maxRecoveryMs: options.maxRecoveryMs ?? 15 * 60_000,
    };
    this.breaker = circuitBreaker(handleAll, {
      breaker: new ConsecutiveBreaker(this.opts.failureThreshold),
      halfOpenAfter: this.recoveryBackoff(),
    });
    this.policy = wrap(this.breaker, timeout(this.opts.timeoutMs, TimeoutStrategy.Aggressive));
    const registers = options.registry ? [options.registry] : [];
    this.metrics = {
      outcomes: new Counter({
        name: 'fraudstream_analyst_outcomes_total',
        help: 'analyst requests by outcome (analyzed or fallback reason)',
        labelNames: ['outcome'],
        registers,
      }),
      latency: new Histogram({
        name: 'fraudstream_analyst_latency_seconds',
        help: 'LLM call latency per batch',
        buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
      queueSize: new Gauge({
        name: 'fraudstream_analyst_queue_size',
        help: 'requests waiting for a worker',
        registers,
      }),
      overflow: new Counter({
        name: 'fraudstream_analyst_queue_overflow_total',
        help: 'requests that fell back because the queue was full',
        registers,
      }),
      trips: new Counter({
        name: 'fraudstream_analyst_breaker_trips_total',
        help: 'times the breaker opened',
        registers,
      }),
      breakerOpen: new Gauge({
        name: 'fraudstream_analyst_breaker_open',
        help: '1 while the analyst circuit breaker is open',
        registers,
      }),
    };
    this.breaker.onBreak(() => {
      this.openings++;
      this.openUntil = Date.now() + this.recoveryDelay(this.openings);
      this.metrics.trips.inc();
      this.metrics.breakerOpen.set(1);
    });
    this.breaker.onReset(() => {
      this.openings = 0;
      this.metrics.breakerOpen.set(0);
    });
  }

  /** 60 s before the first half-open probe, doubled after each failed probe, capped. */
  private recoveryBackoff(): IBackoffFactory<IHalfOpenAfterBackoffContext> {
    const factory: IBackoffFactory<IHalfOpenAfterBackoffContext> = {
      next: (ctx) => ({ duration: this.recoveryDelay(ctx.attempt), next: factory.next }),
    };
    return factory;
  }

  private recoveryDelay(attempt: number): number {
    return Math.min(this.opts.maxRecoveryMs, this.opts.recoveryMs * 2 ** Math.max(0, attempt - 1));
  }

  /** Breaker state for `/health/circuit-breakers`. */
  breakerStatus() {
    const names = {
      [CircuitState.Closed]: 'closed',
      [CircuitState.Open]: 'open',
      [CircuitState.HalfOpen]: 'half-open',
      [CircuitState.Isolated]: 'isolated',
    } as const;
    return {
      name: 'analyst',
      state: names[this.breaker.state],
      failures: this.failures,
      lastFailureAt: this.lastFailureAt === null ? null : new Date(this.lastFailureAt).toISOString(),
    };
  }

  queueSize(): number {
    return this.queue.length;
  }

  submit(request: AnalysisRequest): SubmitResult {
    if (!this.opts.enabled) return this.fallbackNow(request.id, 'disabled');
    if (this.closed) return this.fallbackNow(request.id, 'shutdown');
    // While open and before the recovery time, fall back at once; after it, let one request through
    // as the half-open probe (cockatiel moves to half-open lazily, on the next execute).
    const state = this.breaker.state;
    if (
      state === CircuitState.Isolated ||
      state === CircuitState.HalfOpen ||
      (state === CircuitState.Open && Date.now() < this.openUntil)
    ) {
      return this.fallbackNow(request.id, 'breaker_open');
    }
    if (this.queue.length >= this.opts.maxQueueSize) {
      this.metrics.overflow.inc();
      if (this.opts.overflowPolicy === 'reject-new') return this.fallbackNow(request.id, 'queue_full');
      const oldest = this.queue.shift()!;
      this.finish(oldest, { id: oldest.request.id, status: 'fallback', reason: 'queue_full' });
    }
    let resolve!: (o: AnalystOutcome) => void;
    const done = new Promise<AnalystOutcome>((r) => (resolve = r));
    this.queue.push({ request, enqueuedAt: Date.now(), resolve });
    this.metrics.queueSize.set(this.queue.length);
    this.pump();
    return { status: 'queued', done };
  }

  /** Resolves when the queue is empty and no batch is in flight. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Stops accepting; queued requests fall back with `shutdown`; in-flight batches finish. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.batchTimer);
    for (const p of this.queue.splice(0))
      this.finish(p, { id: p.request.id, status: 'fallback', reason: 'shutdown' });
    await this.drain();
  }

  private fallbackNow(id: string, reason: FallbackReason): SubmitResult {
    const outcome: AnalystOutcome = { id, status: 'fallback', reason };
    this.metrics.outcomes.inc({ outcome: reason });
    this.onOutcome?.(outcome);
    return { status: 'fallback', reason, done: Promise.resolve(outcome) };
  }

  private finish(p: Pending, outcome: AnalystOutcome): void {
    this.metrics.outcomes.inc({ outcome: outcome.status === 'analyzed' ? 'analyzed' : outcome.reason });
    p.resolve(outcome);
    this.onOutcome?.(outcome);
  }

  /** Dispatch full batches while workers are free; a partial batch waits at most batchTimeoutMs. */
  private pump(): void {
    while (this.inFlight < this.opts.concurrency && this.queue.length >= this.opts.batchSize) {
      this.dispatch(this.queue.splice(0, this.opts.batchSize));
    }
    if (this.queue.length > 0 && this.batchTimer === undefined) {
      const wait = Math.max(0, this.queue[0].enqueuedAt + this.opts.batchTimeoutMs - Date.now());
      this.batchTimer = setTimeout(() => {
        this.batchTimer = undefined;
        if (this.inFlight < this.opts.concurrency && this.queue.length > 0) {
          this.dispatch(this.queue.splice(0, this.opts.batchSize));
        }
        this.pump();
      }, wait);
    }
    this.metrics.queueSize.set(this.queue.length);
    if (this.queue.length === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private dispatch(batch: Pending[]): void {
    this.inFlight++;
    const started = performance.now();
    const ids = batch.map((p) => p.request.id);
    this.policy
      .execute(async ({ signal }) => {
        const body = await postChatCompletion(
          this.endpoint,
          buildChatRequest(
            this.endpoint.model,
            batch.map((p) => p.request),
          ),
          signal,
        );
        return parseChatReply(body, ids);
      })
      .then(
        (verdicts) => {
          const latencyMs = performance.now() - started;
          this.metrics.latency.observe(latencyMs / 1000);
          for (const p of batch) {
            this.finish(p, {
              id: p.request.id,
              status: 'analyzed',
              verdict: verdicts.get(p.request.id)!,
              latencyMs,
            });
          }
        },
        (err: unknown) => {
          const reason = classify(err);
          if (reason !== 'breaker_open') {
            this.failures++;
            this.lastFailureAt = Date.now();
          }
          const detail = err instanceof Error ? err.message : String(err);
          for (const p of batch) this.finish(p, { id: p.request.id, status: 'fallback', reason, detail });
        },
      )
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }
}

function classify(err: unknown): FallbackReason {
  if (err instanceof BrokenCircuitError) return 'breaker_open';
  if (err instanceof TaskCancelledError) return 'timeout';
  const code = (err as { code?: string }).code;
  if (code === 'FS_ANALYST_REPLY') return 'invalid_reply';
  return 'http_error';
}
