/**
 * Issue 8 acceptance: a real browser (Debian Chromium via playwright-core) opens the dashboard of a
 * running `fraudstream start` (embedded log, generator on), sees the events/s number and the alert
 * feed change, and saves a screenshot under test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type AppProcess, REPO, startApp, tempDirs } from './app-process.ts';
import { chromiumMissing, launchChromium } from './browser.ts';

const skip = chromiumMissing();
const dirs = tempDirs('dashboard');
let app: AppProcess | undefined;
let browser: Browser | undefined;

after(async () => {
  await browser?.close();
  app?.kill();
  await app?.exited;
  dirs.cleanup();
});

const number = (text: string | null) => Number((text ?? '').replace(/[^0-9.]/g, '') || Number.NaN);

test('the dashboard shows live events/s and a changing alert feed', { skip, timeout: 90_000 }, async () => {
  app = startApp(['--port', '0', '--rate', '1500', '--fraud-rate', '0.1'], {
    logDir: dirs.log,
    env: { FRAUDSTREAM_ENGINE_STATE_DIR: dirs.state },
  });
  const port = await app.port;
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/dashboard`);
  assert.match(await page.title(), /fraudstream/i);

  // Page-side expressions as strings: this file is type-checked without the DOM library.
  const kpi = (id: string) =>
    `Number(document.getElementById('${id}')?.textContent?.replace(/\\D/g, '') || 0)`;
  // events/s becomes a positive number, pushed over SSE; the alert feed gets entries.
  await page.waitForFunction(`${kpi('kpi-rate')} > 0`, null, { timeout: 45_000 });
  await page.waitForFunction(`(document.getElementById('alerts')?.children.length ?? 0) > 0`, null, {
    timeout: 45_000,
  });
  const before = {
    events: number(await page.textContent('#kpi-events')),
    alerts: number(await page.textContent('#kpi-alerts')),
    feedTop: await page.textContent('#alerts li:first-child'),
  };
  // …and keeps changing: more events, a different newest alert on the feed.
  await page.waitForFunction(
    `${kpi('kpi-events')} > ${before.events} && document.querySelector('#alerts li:first-child')?.textContent !== ${JSON.stringify(before.feedTop)}`,
    null,
    { timeout: 45_000 },
  );
  const later = {
    rate: number(await page.textContent('#kpi-rate')),
    events: number(await page.textContent('#kpi-events')),
    alerts: number(await page.textContent('#kpi-alerts')),
  };
  assert.ok(later.events > before.events);
  assert.ok(later.alerts >= before.alerts);
  assert.ok(later.rate > 0);
  // The chart library drew a canvas, and the risk-level bars have rows.
  assert.ok((await page.locator('#chart-rate canvas').count()) > 0, 'uPlot canvas');
  assert.ok((await page.locator('#levels .row').count()) > 0, 'risk-level bars');
  assert.deepEqual(pageErrors, []);

  const out = path.join(REPO, 'test-artifacts');
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, 'dashboard.png'), fullPage: true });
});
