/**
 * ServerDeps for a running FraudApp: the seed 004 streams API, interactive queries over the
 * engine's stores, rules (GET/PUT, hot reload), `/predict/raw`, circuit breakers, the monitor and
 * the live feed.
 */
import type { FraudApp } from '../apps/fraud/app/fraud-app.ts';
import { rulesApi } from '../apps/fraud/rules/index.ts';
import type { FraudAlert } from '../sinks/alerts/index.ts';
import { registerFraudMetrics } from './fraud-metrics.ts';
import { RealTimeMonitor } from './monitor/monitor.ts';
import type { ServerDeps, StreamsStatus, WindowedValue } from './types.ts';

const STATE_NAMES: Record<string, StreamsStatus['state']> = {
  created: 'CREATED',
  starting: 'RESTORING',
  running: 'RUNNING',
  closing: 'STOPPED',
  closed: 'STOPPED',
  failed: 'ERROR',
};

export function fraudServerDeps(
  app: FraudApp,
  options: { token: string; instanceId?: string },
): ServerDeps & {
  monitorInstance: RealTimeMonitor;
} {
  const streams = app.streams;
  const storeNames = () => streams.topology.stores().map((s) => s.name);
  // Ready only when no task is restoring (a task appears in taskIds() before all others have restored).
  const ready = () => streams.ready() && streams.taskIds().length > 0;
  const lag = registerFraudMetrics(app);
  const monitor = new RealTimeMonitor(
    'fraudstream',
    () => {
      const s = app.stats.snapshot();
      const errors = s.deadLetters;
      return {
        error_rate: s.events > 0 ? (100 * errors) / (s.events + errors) : 0,
        latency_p99_ms: s.latencyP99Ms,
        events_per_sec: s.eventsPerSec,
        breakers_open: app.breakers().filter((b) => b.state === 'open').length,
        consumer_lag: lag.current(),
      };
    },
    {
      health: () => ({
        engine: streams.state === 'running' ? 'healthy' : streams.state === 'failed' ? 'down' : 'degraded',
        analyst: app.breakers().some((b) => b.state === 'open') ? 'degraded' : 'healthy',
        log: 'healthy',
      }),
    },
  );
  const monitorTimer = setInterval(() => monitor.evaluate(), 5000);
  monitorTimer.unref();
  const rules = rulesApi(app.rules);
  return {
    monitorInstance: monitor,
    registry: app.registry,
    token: options.token,
    status: () => ({
      running: streams.state === 'running' || streams.state === 'starting',
      state: streams.state === 'running' && !ready() ? 'RESTORING' : (STATE_NAMES[streams.state] ?? 'ERROR'),
      applicationId: app.config.engine.applicationId,
      uptimeMs: app.uptimeMs(),
    }),
    metadata: () => [
      {
        instanceId: options.instanceId ?? '0',
        host: `${app.config.server.host}:${app.config.server.port}`,
        log: app.log.kind,
        tasks: streams.tasksMetadata(),
        stores: storeNames(),
      },
    ],
    ready,
    start: async () => {
      // Processing is started once by the CLI; a restart needs a new process (state is not reusable).
      if (streams.state !== 'running')
        throw Object.assign(new Error('restart the process to start again'), { statusCode: 409 });
    },
    stop: () => app.stop(),
    cleanup: async () => {},
    storeNames,
    storeGet: (store, key) => streams.store<{ get(k: string): unknown }>(store).get(key),
    storeWindowFetch: (store, key, from, to) => {
      const s = streams.store<{
        fetchRange(
          k: string,
          f: number,
          t: number,
        ): Iterable<{ key: { window: { start: number; end: number } }; value: unknown }>;
      }>(store);
      const out: WindowedValue[] = [];
      for (const w of s.fetchRange(key, from, to))
        out.push({ windowStart: w.key.window.start, windowEnd: w.key.window.end, value: w.value });
      return out;
    },
    breakers: () => app.breakers(),
    rules,
    predict: (raw) => app.predict(raw),
    monitor: () => monitor.dashboard(),
    subscribe: (listener) =>
      app.subscribe((event) => {
        if (event.type === 'stats') {
          listener({
            type: 'stats',
            data: { ...(event.data as object), monitorAlerts: monitor.activeAlerts(), lag: lag.current() },
          });
        } else {
          const a = event.data as FraudAlert;
          listener({
            type: 'alert',
            data: { ...a, reasons: a.reasons.map((r) => r.code), customer: a.customerId },
          });
        }
      }),
  };
}
