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
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { FraudApp } from '../../../../src/apps/fraud/app/fraud-app.ts';
import { loadConfig } from '../../../../src/config.ts';
import { EmbeddedLog } from '../../../../src/log/embedded/index.ts';
import { createLogger } from '../../../../src/logger.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-app-stop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('stop() called again while it runs waits for the same shutdown; it logs and closes once', async () => {
  const lines: { event?: string }[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const logger = createLogger({ destination, level: 'info', pretty: false });
  const log = await EmbeddedLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
  const config = loadConfig({
    env: {},
    overrides: {
      engine: { applicationId: 'stop-twice', stateDir: path.join(dir, 'state'), stateBackend: 'memory' },
      generator: { eventsPerSecond: 2000 },
    },
  });
  const app = await FraudApp.create({ config, log, logger, generate: true });
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
