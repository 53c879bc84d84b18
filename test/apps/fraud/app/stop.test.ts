/**
 * FraudApp.stop is one shutdown however often it is called: `POST /api/v1/streams/stop` stops the
 * app, processing then ends, and `fraudstream start` stops it too while the first stop still runs.
 * Two shutdowns interleaved closed what the other was still using (a CI run answered the POST with
 * 500 FS_LOG_CLOSED "producer is closed"). Real embedded log, generator feed, alert delivery.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { testFraudApp } from '../fixtures/app.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-app-stop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('stop() called again while it runs waits for the same shutdown; it logs and closes once', async () => {
  const { app, log, lines } = await testFraudApp(
    dir,
    'stop-twice',
    { generator: { eventsPerSecond: 2000 } },
    true,
  );
  try {
    await app.start();
    const until = Date.now() + 20_000;
    while (app.liveSnapshot().events < 200 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.ok(app.liveSnapshot().events >= 200, 'the app scores the feed');
    const stops = [app.stop()];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 2));
      stops.push(app.stop());
    }
    await Promise.all(stops);
    await app.stop(); // and once more after it ended
    assert.equal(lines.filter((l) => l.event === 'shutdown').length, 1, 'one shutdown');
    assert.equal(app.streams.state, 'closed');
  } finally {
    await app.stop().catch(() => {});
    await log.close();
  }
});
