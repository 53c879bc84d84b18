import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFraudstreamError } from '../../../src/errors.ts';
import { type AlertRule, RealTimeMonitor } from '../../../src/server/monitor/monitor.ts';

const rule = (condition: AlertRule['condition'], threshold: number): AlertRule => ({
  name: `r_${condition}`,
  metric: 'm',
  condition,
  threshold,
  severity: 'high',
  cooldown: 10,
});

describe('RealTimeMonitor (seed 003)', () => {
  it('each condition fires exactly on its side of the threshold', () => {
    const cases: [AlertRule['condition'], number, boolean][] = [
      ['gt', 5, false],
      ['gt', 4.99, true],
      ['gte', 5, true],
      ['gte', 5.01, false],
      ['lt', 5, false],
      ['lt', 5.01, true],
      ['lte', 5, true],
      ['lte', 4.99, false],
      ['eq', 5, true],
      ['eq', 5.01, false],
    ];
    for (const [cond, threshold, expected] of cases) {
      const m = new RealTimeMonitor('t', () => ({ m: 5 }), { rules: [rule(cond, threshold)] });
      assert.equal(m.evaluate().length === 1, expected, `${cond} ${threshold}`);
    }
  });

  it('respects the cooldown and clears when the condition stops holding', () => {
    let now = 0;
    let value = 10;
    const fired: string[] = [];
    const m = new RealTimeMonitor('t', () => ({ m: value }), {
      rules: [rule('gt', 5)],
      now: () => now,
      onAlert: (a) => fired.push(a.rule),
    });
    m.evaluate();
    now = 5000;
    m.evaluate();
    assert.equal(fired.length, 1, 'second evaluation inside the 10 s cooldown must not fire');
    now = 10000;
    m.evaluate();
    assert.equal(fired.length, 2);
    value = 1;
    m.evaluate();
    assert.deepEqual(m.activeAlerts(), []);
  });

  it('has default rules and a seed-003 dashboard snapshot', () => {
    const m = new RealTimeMonitor('system_monitor', () => ({ error_rate: 7, breakers_open: 0 }), {
      health: () => ({ engine: 'healthy', analyst: 'degraded' }),
    });
    const fired = m.evaluate();
    assert.deepEqual(
      fired.map((a) => a.rule),
      ['high_error_rate'],
    );
    const d = m.dashboard();
    assert.equal(d.overall_health, 'degraded');
    assert.equal(d.active_alerts[0].rule, 'high_error_rate');
    assert.equal(d.metrics.error_rate, 7);
    assert.ok(d.alert_rules.length >= 4);
  });

  it('rejects an unknown condition with a clear error', () => {
    const m = new RealTimeMonitor('t', () => ({}), { rules: [] });
    assert.throws(
      () => m.addAlertRule({ ...rule('gt', 1), condition: 'above' as never }),
      (e: unknown) => isFraudstreamError(e, 'FS_CONFIG_INVALID') && /above/.test(e.message),
    );
  });
});
