/**
 * Prometheus families of the fraud application that the engine and the alert dispatcher do not
 * already export (issue 8): processing rate, alerts by level, decisions by outcome, risk levels,
 * input-to-decision latency, and consumer lag of the application's group. Values are read from the
 * app's live statistics at scrape time, so they can never drift from what the dashboard shows.
 *
 * @example
 *   const lag = registerFraudMetrics(app); // then GET /metrics
 *   lag.current(); // total records behind, for the dashboard
 */
import { Counter, Gauge } from 'prom-client';
import type { FraudApp } from '../apps/fraud/app/fraud-app.ts';

export interface ConsumerLag {
  /** total records the application's group is behind on its input topics (last measurement) */
  current(): number;
  stop(): void;
}

const LAG_INTERVAL_MS = 2000;

export function registerFraudMetrics(app: FraudApp): ConsumerLag {
  const registry = app.registry;
  const lag = new LagTracker(app);
  // One registry per app; a second server over the same app reuses the families.
  if (registry.getSingleMetric('fraudstream_fraud_events_per_second')) return lag;
  const registers = [registry];
  const snapshot = () => app.stats.snapshot();
  new Gauge({
    name: 'fraudstream_fraud_events_per_second',
    help: 'Scored events per second over the last few seconds (processing rate)',
    registers,
    collect() {
      this.set(snapshot().eventsPerSec);
    },
  });
  new Counter({
    name: 'fraudstream_fraud_events_total',
    help: 'Events scored by the fraud topology',
    registers,
    collect() {
      this.reset();
      this.inc(snapshot().events);
    },
  });
  countsBy(
    'fraudstream_fraud_alerts_total',
    'Fraud alerts by risk level',
    'level',
    () => snapshot().alertsByLevel,
  );
  countsBy(
    'fraudstream_fraud_decisions_total',
    'Decisions by outcome',
    'decision',
    () => snapshot().decisions,
  );
  countsBy(
    'fraudstream_fraud_risk_levels_total',
    'Scored events by risk level',
    'level',
    () => snapshot().levels,
  );
  new Gauge({
    name: 'fraudstream_fraud_decision_latency_p99_seconds',
    help: 'p99 of the time from an event being received to its decision, recent events',
    registers,
    collect() {
      this.set(snapshot().latencyP99Ms / 1000);
    },
  });
  new Gauge({
    name: 'fraudstream_engine_consumer_lag_records',
    help: "Records the application's consumer group is behind on its input topics",
    registers,
    collect() {
      this.set(lag.current());
    },
  });
  return lag;

  function countsBy(name: string, help: string, label: string, read: () => Record<string, number>) {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers,
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(read())) this.inc({ [label]: k }, v);
      },
    });
  }
}

/** Measures lag in the background (admin calls are async; scrapes and SSE ticks read the cache). */
class LagTracker implements ConsumerLag {
  private value = 0;
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  private readonly app: FraudApp;

  constructor(app: FraudApp) {
    this.app = app;
    this.timer = setInterval(() => void this.measure(), LAG_INTERVAL_MS);
    this.timer.unref();
  }

  current(): number {
    return this.value;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async measure(): Promise<void> {
    if (this.busy || this.app.streams.state !== 'running') return;
    this.busy = true;
    try {
      const appId = this.app.config.engine.applicationId;
      const topology = this.app.streams.topology;
      const topics = topology.subtopologies.flatMap((s) =>
        s.sourceTopics.map((t) => topology.topicName(appId, t)),
      );
      const admin = this.app.log.admin();
      const committed = new Map(
        (await admin.committedOffsets(appId, topics)).map((o) => [`${o.topic}|${o.partition}`, o.offset]),
      );
      let total = 0;
      for (const topic of topics) {
        for (const o of await admin.listOffsets(topic))
          total += Math.max(0, o.latest - (committed.get(`${topic}|${o.partition}`) ?? o.earliest));
      }
      this.value = total;
    } catch {
      // A lag measurement is best effort: keep the last value (the log may be closing).
    } finally {
      this.busy = false;
    }
  }
}
