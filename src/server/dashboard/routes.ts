import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

/** Static dashboard: one HTML page, one script, uPlot for the time series (~50 kB). */
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: path.join(here, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: path.join(here, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: path.join(uplotDir, 'uPlot.iife.min.js'), type: 'text/javascript' },
  '/vendor/uPlot.min.css': { file: path.join(uplotDir, 'uPlot.min.css'), type: 'text/css' },
};

export function dashboardRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [url, asset] of Object.entries(assets)) {
    app.get(url === '/' ? '/dashboard' : `/dashboard${url}`, async (_req, reply) => {
      let body = cache.get(url);
      if (!body) cache.set(url, (body = readFileSync(asset.file)));
      return reply.header('content-type', asset.type).send(body);
    });
  }
  app.get('/', async (_req, reply) => reply.redirect('/dashboard'));
}
