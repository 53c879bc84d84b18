/**
 * Engine metrics, all in one prom-client `Registry` (never the global default). Hot-path counts are
 * plain numbers on shared objects; prom-client reads them at scrape time, so processing a record costs
 * an integer increment, not a label lookup.
 *
 * Names: fraudstream_engine_<what>_<unit>.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface NodeCounts {
  in: number;
  out: number;
}

export interface StoreGaugeSource {
  storeName: string;
  approximateNumEntries(): number;
}

export interface TaskTimeSource {
  taskId: string;
  streamTime(): number;
  watermark(): number;
}

export class EngineMetrics {
  readonly registry: Registry;
  readonly processLatency: Histogram;
  readonly commitLatency: Histogram;
  /** Retriable failures (broker restart, coordinator move) recovered from by rebuilding tasks. */
  readonly recoveries: Counter;
  private readonly nodes = new Map<string, NodeCounts>();
  private readonly late = new Map<string, number>();
  private readonly dead = new Map<string, number>();
  private readonly restored = new Map<string, number>();
  private readonly restoreRemaining = new Map<string, number>();
  readonly storeSources = new Set<StoreGaugeSource>();
  readonly taskSources = new Set<TaskTimeSource>();
  private readonly clock: () => number;

  constructor(registry: Registry, clock: () => number = Date.now) {
    this.registry = registry;
    this.clock = clock;
    const self = this;
    const deltaCounter = (
      name: string,
      help: string,
      label: string,
      read: () => Iterable<[string, number]>,
    ) => {
      const reported = new Map<string, number>();
      new Counter({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        collect() {
          for (const [k, v] of read()) {
            const d = v - (reported.get(k) ?? 0);
            if (d > 0) this.inc({ [label]: k }, d);
            reported.set(k, v);
          }
        },
      });
    };
    deltaCounter(
      'fraudstream_engine_records_in_total',
      'Records received by each topology node',
      'node',
      () => [...self.nodes].map(([k, v]) => [k, v.in] as [string, number]),
    );
    deltaCounter(
      'fraudstream_engine_records_out_total',
      'Records forwarded by each topology node',
      'node',
      () => [...self.nodes].map(([k, v]) => [k, v.out] as [string, number]),
    );
    deltaCounter(
      'fraudstream_engine_late_records_total',
      'Records that arrived after their window closed (sent to the late-records topic)',
      'node',
      () => self.late,
    );
    deltaCounter(
      'fraudstream_engine_dead_letters_total',
      'Records sent to the dead-letter topic, by error kind',
      'kind',
      () => self.dead,
    );
    deltaCounter(
      'fraudstream_engine_restore_records_total',
      'Changelog records applied while restoring stores',
      'store',
      () => self.restored,
    );
    new Gauge({
      name: 'fraudstream_engine_restore_remaining_records',
      help: 'Changelog records still to restore per store',
      labelNames: ['store'],
      registers: [registry],
      collect() {
        for (const [k, v] of self.restoreRemaining) this.set({ store: k }, v);
      },
    });
    new Gauge({
      name: 'fraudstream_engine_store_entries',
      help: 'Approximate number of entries per state store (sum over tasks)',
      labelNames: ['store'],
      registers: [registry],
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const s of self.storeSources)
          sums.set(s.storeName, (sums.get(s.storeName) ?? 0) + s.approximateNumEntries());
        for (const [k, v] of sums) this.set({ store: k }, v);
      },
    });
    new Gauge({
      name: 'fraudstream_engine_stream_time_seconds',
      help: 'Stream time (max event time seen) per task, seconds since the epoch',
      labelNames: ['task'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of self.taskSources) this.set({ task: t.taskId }, t.streamTime() / 1000);
      },
    });
    new Gauge({
      name: 'fraudstream_engine_watermark_lag_seconds',
      help: 'Wall clock minus watermark per task (seconds)',
      labelNames: ['task'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of self.taskSources)
          if (t.streamTime() >= 0) this.set({ task: t.taskId }, (self.clock() - t.watermark()) / 1000);
      },
    });
    this.processLatency = new Histogram({
      name: 'fraudstream_engine_process_latency_seconds',
      help: 'Time to process one batch of records',
      registers: [registry],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    });
    this.commitLatency = new Histogram({
      name: 'fraudstream_engine_commit_latency_seconds',
      help: 'Time of one commit (steps 1–6)',
      registers: [registry],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    });
    this.recoveries = new Counter({
      name: 'fraudstream_engine_recoveries_total',
      help: 'Retriable failures (e.g. a broker restart) recovered from by rebuilding tasks from committed state',
      registers: [registry],
    });
  }

  node(name: string): NodeCounts {
    let c = this.nodes.get(name);
    if (!c) this.nodes.set(name, (c = { in: 0, out: 0 }));
    return c;
  }

  lateRecord(node: string): void {
    this.late.set(node, (this.late.get(node) ?? 0) + 1);
  }

  deadLetter(kind: string): void {
    this.dead.set(kind, (this.dead.get(kind) ?? 0) + 1);
  }

  restoreProgress(store: string, applied: number, remaining: number): void {
    this.restored.set(store, (this.restored.get(store) ?? 0) + applied);
    this.restoreRemaining.set(store, remaining);
  }

  /** Counts for tests and status pages. */
  snapshot(): { late: number; deadLetters: number; nodes: Record<string, NodeCounts> } {
    let late = 0;
    for (const v of this.late.values()) late += v;
    let dead = 0;
    for (const v of this.dead.values()) dead += v;
    return { late, deadLetters: dead, nodes: Object.fromEntries(this.nodes) };
  }
}
