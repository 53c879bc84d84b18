/**
 * Real-time monitor (seed 003): alert rules over live metrics with conditions gt/gte/lt/lte/eq,
 * a threshold, a severity and a cooldown; default rules for error rate, latency, lag and open
 * circuit breakers; a dashboard snapshot in seed 003's shape. Fired alerts go to a listener
 * (the app wires it to the same alert channels as fraud alerts).
 *
 * @example
 *   const monitor = new RealTimeMonitor('system_monitor', () => ({ error_rate: 7 }));
 *   monitor.addAlertRule({ name: 'high_error_rate', metric: 'error_rate', condition: 'gt',
 *     threshold: 5, severity: 'high', cooldown: 300 });
 *   monitor.evaluate(); // → fires high_error_rate once per 300 s while it holds
 */
import { FraudstreamError } from '../../errors.ts';

export type Condition = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface AlertRule {
  name: string;
  metric: string;
  condition: Condition;
  threshold: number;
  severity: Severity;
  /** seconds before the same rule may fire again */
  cooldown?: number;
}

export interface MonitorAlert {
  id: string;
  rule: string;
  metric: string;
  value: number;
  threshold: number;
  condition: Condition;
  severity: Severity;
  message: string;
  firedAt: string;
}

export type ComponentHealth = Record<string, 'healthy' | 'degraded' | 'down'>;

const COMPARE: Record<Condition, (v: number, t: number) => boolean> = {
  gt: (v, t) => v > t,
  gte: (v, t) => v >= t,
  lt: (v, t) => v < t,
  lte: (v, t) => v <= t,
  eq: (v, t) => v === t,
};

/** Defaults: the failure modes an operator of a streaming fraud pipeline pages on. */
export const DEFAULT_MONITOR_RULES: AlertRule[] = [
  {
    name: 'high_error_rate',
    metric: 'error_rate',
    condition: 'gt',
    threshold: 5,
    severity: 'high',
    cooldown: 300,
  },
  {
    name: 'high_latency',
    metric: 'latency_p99_ms',
    condition: 'gt',
    threshold: 1000,
    severity: 'medium',
    cooldown: 300,
  },
  {
    name: 'consumer_lag',
    metric: 'consumer_lag',
    condition: 'gt',
    threshold: 100000,
    severity: 'medium',
    cooldown: 300,
  },
  {
    name: 'circuit_breaker_open',
    metric: 'breakers_open',
    condition: 'gte',
    threshold: 1,
    severity: 'high',
    cooldown: 60,
  },
];

export interface MonitorOptions {
  health?: () => ComponentHealth;
  onAlert?: (alert: MonitorAlert) => void;
  now?: () => number;
  rules?: AlertRule[];
}

export class RealTimeMonitor {
  readonly name: string;
  private readonly rules = new Map<string, AlertRule>();
  private readonly lastFired = new Map<string, number>();
  private readonly active = new Map<string, MonitorAlert>();
  private readonly history: MonitorAlert[] = [];
  private readonly startedAt: number;

  private readonly readMetrics: () => Record<string, number>;
  private readonly options: MonitorOptions;

  constructor(name: string, readMetrics: () => Record<string, number>, options: MonitorOptions = {}) {
    this.name = name;
    this.readMetrics = readMetrics;
    this.options = options;
    this.startedAt = this.now();
    for (const r of options.rules ?? DEFAULT_MONITOR_RULES) this.addAlertRule(r);
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  addAlertRule(rule: AlertRule): void {
    if (!(rule.condition in COMPARE)) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `monitor rule "${rule.name}": condition must be one of gt, gte, lt, lte, eq, got "${rule.condition}"`,
      );
    }
    if (!Number.isFinite(rule.threshold)) {
      throw new FraudstreamError(
        'FS_CONFIG_INVALID',
        `monitor rule "${rule.name}": threshold must be a number`,
      );
    }
    this.rules.set(rule.name, rule);
  }

  removeAlertRule(name: string): boolean {
    this.active.delete(name);
    return this.rules.delete(name);
  }

  /** Evaluate every rule once; returns the alerts fired now (cooldown respected). */
  evaluate(): MonitorAlert[] {
    const metrics = this.readMetrics();
    const now = this.now();
    const fired: MonitorAlert[] = [];
    for (const rule of this.rules.values()) {
      const value = metrics[rule.metric];
      if (value === undefined || !COMPARE[rule.condition](value, rule.threshold)) {
        this.active.delete(rule.name);
        continue;
      }
      const last = this.lastFired.get(rule.name);
      const cooldownMs = (rule.cooldown ?? 300) * 1000;
      if (last !== undefined && now - last < cooldownMs) continue;
      const alert: MonitorAlert = {
        id: `${this.name}:${rule.name}:${now}`,
        rule: rule.name,
        metric: rule.metric,
        value,
        threshold: rule.threshold,
        condition: rule.condition,
        severity: rule.severity,
        message: `${rule.metric} = ${round(value)} ${rule.condition} ${rule.threshold}`,
        firedAt: new Date(now).toISOString(),
      };
      this.lastFired.set(rule.name, now);
      this.active.set(rule.name, alert);
      this.history.push(alert);
      if (this.history.length > 500) this.history.shift();
      fired.push(alert);
      this.options.onAlert?.(alert);
    }
    return fired;
  }

  activeAlerts(): MonitorAlert[] {
    return [...this.active.values()];
  }

  /** Seed 003's `get_dashboard_data()` shape. */
  dashboard() {
    const health = this.options.health?.() ?? {};
    return {
      monitor: this.name,
      uptime_seconds: Math.round((this.now() - this.startedAt) / 1000),
      component_health: health,
      overall_health: Object.values(health).includes('down')
        ? 'down'
        : Object.values(health).includes('degraded')
          ? 'degraded'
          : 'healthy',
      // Current values, not those of the last evaluation (empty until the first tick after start).
      metrics: this.readMetrics(),
      alert_rules: [...this.rules.values()],
      active_alerts: this.activeAlerts(),
      recent_alerts: this.history.slice(-20),
    };
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
