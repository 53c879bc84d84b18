/**
 * Screenshot of the live dashboard for the README: runs `fraudstream start` on a throw-away embedded
 * log, lets it run for a while, and saves a PNG through headless Debian Chromium.
 *
 * @example
 *   node scripts/screenshot.ts docs/images/dashboard.png 25
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApp, tempDirs } from '../test/integration/app/app-process.ts';
import { launchChromium } from '../test/integration/app/browser.ts';

const out = path.resolve(process.argv[2] ?? 'test-artifacts/dashboard.png');
const seconds = Number(process.argv[3] ?? 25);
const dirs = tempDirs('screenshot');
const app = startApp(['--port', '0', '--rate', '1500', '--fraud-rate', '0.05'], {
  logDir: dirs.log,
  env: { FRAUDSTREAM_ENGINE_STATE_DIR: dirs.state },
});
try {
  const port = await app.port;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`http://127.0.0.1:${port}/dashboard`);
    await sleep(seconds * 1000);
    await page.screenshot({ path: out, fullPage: true });
    process.stderr.write(`screenshot: ${out}\n`);
  } finally {
    await browser.close();
  }
} finally {
  app.kill();
  await app.exited;
  dirs.cleanup();
}
