/**
 * Issue 8 acceptance: a live `/metrics` scrape of `fraudstream start` passes `promtool check metrics`
 * (Debian `prometheus`) and carries the families operators need.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type AppProcess, startApp, tempDirs, until } from './app-process.ts';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (!hasPromtool && process.env.CI)
  throw new Error(`CI must run the promtool test, but ${PROMTOOL} is missing`);
const skip = hasPromtool ? false : `no ${PROMTOOL} (apt-get install prometheus)`;

// Issue 8's list: processing rate, batch/commit duration, watermark delay, records in/out, late
// records, dead letters, consumer lag, state store size, restore progress, alerts by level,
// decisions by outcome, analyst latency, circuit-breaker trips.
const REQUIRED = [
  'fraudstream_fraud_events_per_second',
  'fraudstream_engine_records_in_total',
  'fraudstream_engine_records_out_total',
  'fraudstream_engine_commit_latency_seconds',
  'fraudstream_engine_process_latency_seconds',
  'fraudstream_engine_late_records_total',
  'fraudstream_engine_dead_letters_total',
  'fraudstream_engine_consumer_lag_records',
  'fraudstream_engine_store_entries',
  'fraudstream_engine_restore_remaining_records',
  'fraudstream_fraud_alerts_total',
  'fraudstream_fraud_decisions_total',
  'fraudstream_fraud_decision_latency_p99_seconds',
  'fraudstream_alerts_dead_letters_total',
  'fraudstream_analyst_latency_seconds',
  'fraudstream_analyst_breaker_trips_total',
  'fraudstream_analyst_breaker_open',
];

const dirs = tempDirs('metrics');
let app: AppProcess | undefined;
let deadAnalyst: http.Server | undefined;
let scrape = '';
let scrapeFile = '';

before(async () => {
  if (skip) return;
  // An LLM endpoint that always fails, so the analyst (and its breaker) is live and exports its families.
  deadAnalyst = http.createServer((_req, res) => res.writeHead(500).end('{"error":"down"}'));
  await new Promise<void>((r) => deadAnalyst?.listen(0, '127.0.0.1', r));
  const analystPort = (deadAnalyst.address() as AddressInfo).port;
  app = startApp(['--port', '0', '--rate', '3000', '--fraud-rate', '0.1'], {
    logDir: dirs.log,
    env: {
      FRAUDSTREAM_ENGINE_STATE_DIR: dirs.state,
      FRAUDSTREAM_ANALYST_ENABLED: 'true',
      FRAUDSTREAM_ANALYST_URL: `http://127.0.0.1:${analystPort}/v1`,
    },
  });
  const port = await app.port;
  // Scrape once alerts and decisions have been counted (so labelled series exist, not just HELP lines).
  scrape = await until(
    async () => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      return /^fraudstream_fraud_alerts_total\{level="[A-Z]+"\} [1-9]/m.test(text) ? text : undefined;
    },
    45_000,
    'alerts in /metrics',
  );
  scrapeFile = path.join(dirs.root, 'metrics.prom');
  writeFileSync(scrapeFile, scrape);
});

after(async () => {
  app?.kill();
  await app?.exited;
  deadAnalyst?.close();
  dirs.cleanup();
});

test('every metric family issue 8 asks for is on /metrics', { skip, timeout: 60_000 }, () => {
  const families = new Set([...scrape.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const missing = REQUIRED.filter((n) => !families.has(n));
  assert.deepEqual(missing, [], `missing families; present: ${[...families].join(', ')}`);
  for (const name of families)
    assert.match(name ?? '', /^fraudstream_[a-z]+_[a-z0-9_]+$/, 'fraudstream_<area>_<what>');
  assert.match(scrape, /^fraudstream_fraud_decisions_total\{decision="allow"\} [1-9]/m);
  assert.match(scrape, /^fraudstream_engine_records_in_total\S* [1-9]/m);
});

test('promtool parses the scrape (no syntax errors)', { skip, timeout: 30_000 }, () => {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
  // Exit 1 = unparsable exposition; exit 3 = lint findings only (checked by the next test).
  assert.notEqual(r.status, 1, r.stderr);
  assert.ok(r.status === 0 || r.status === 3, `promtool exited ${r.status}: ${r.stderr}`);
});

test('promtool check metrics passes with no lint findings', { skip, timeout: 30_000 }, () => {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool check metrics < ${scrapeFile}:\n${r.stdout}${r.stderr}`);
});
