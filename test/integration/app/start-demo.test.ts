/**
 * Issue 5 acceptance, end to end: `fraudstream start --duration 30 --json` on the embedded log exits 0
 * with events and alerts; SIGTERM mid-run shuts down gracefully with a summary; a bad flag is one
 * line and exit code 2.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type AppProcess, lastJsonLine, startApp, tempDirs, until } from './app-process.ts';

const children: AppProcess[] = [];
const dirs: ReturnType<typeof tempDirs>[] = [];
after(() => {
  for (const c of children) c.kill();
  for (const d of dirs) d.cleanup();
});

function run(args: string[]) {
  const d = tempDirs('start');
  dirs.push(d);
  const app = startApp(['--port', '0', ...args], {
    logDir: d.log,
    env: { FRAUDSTREAM_ENGINE_STATE_DIR: d.state, FRAUDSTREAM_LAKE_BASE_PATH: `${d.root}/lake` },
  });
  children.push(app);
  return app;
}

test('start --duration 30 --json exits 0 with events and alerts in the last-line summary', {
  timeout: 90_000,
}, async () => {
  const app = run(['--duration', '30', '--json']);
  const { code, stdout, stderr } = await app.exited;
  assert.equal(code, 0, stderr);
  const summary = lastJsonLine(stdout) as {
    events: number;
    alerts: Record<string, number>;
    events_per_sec: number;
    dead_letters: number;
  };
  assert.ok(summary.events > 0, `events: ${summary.events}`);
  assert.ok(summary.alerts.total > 0, `alerts: ${JSON.stringify(summary.alerts)}`);
  const byLevel = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].reduce((s, l) => s + (summary.alerts[l] ?? 0), 0);
  assert.equal(byLevel, summary.alerts.total, 'alerts by level add up to the total');
  assert.ok(summary.events_per_sec > 0);
  assert.equal(typeof summary.dead_letters, 'number');
  assert.match(stderr, /dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard/);
});

test('SIGTERM mid-run shuts down gracefully: exit 0 and a summary', { timeout: 60_000 }, async () => {
  const app = run(['--json']);
  const port = await app.port;
  // Wait until orders are being scored, so the shutdown happens mid-processing.
  await until(
    async () => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      const m = /^fraudstream_fraud_events_total (\d+)/m.exec(text);
      return m && Number(m[1]) > 0 ? true : undefined;
    },
    30_000,
    'scored events',
  );
  app.child.kill('SIGTERM');
  const { code, signal, stdout, stderr } = await app.exited;
  assert.equal(signal, null, 'exited by itself, not killed by the signal');
  assert.equal(code, 0, stderr);
  const summary = lastJsonLine(stdout) as { events: number; state: string };
  assert.ok(summary.events > 0);
  assert.equal(summary.state, 'closed');
  assert.match(stderr, /"event":"shutdown"/);
});

test('a bad flag value prints one line naming it and exits 2', { timeout: 30_000 }, async () => {
  const app = run(['--duration', 'abc']);
  const { code, stdout, stderr } = await app.exited;
  assert.equal(code, 2);
  assert.equal(stdout, '');
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0] ?? '', /--duration.*"abc"/);
});
