/**
 * The operations server: REST API (seed 004 streams endpoints, seed 000 health, seed 002
 * predict), interactive queries, rules, Prometheus metrics, live feed and the dashboard.
 *
 * @example
 *   const server = buildServer(deps);
 *   await server.listen({ port: 8080, host: '127.0.0.1' });
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { dashboardRoutes } from './dashboard/routes.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes } from './routes/live.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { appRoutes } from './routes/predict.ts';
import { rulesRoutes } from './routes/rules.ts';
import { storesRoutes } from './routes/stores.ts';
import { streamsRoutes } from './routes/streams.ts';
import type { ServerDeps } from './types.ts';

export function buildServer(deps: ServerDeps, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    reply.code(status).send({ error: err.code ?? 'INTERNAL', message: err.message });
  });
  healthRoutes(app, deps);
  streamsRoutes(app, deps);
  storesRoutes(app, deps);
  rulesRoutes(app, deps);
  metricsRoutes(app, deps);
  liveRoutes(app, deps);
  appRoutes(app, deps);
  dashboardRoutes(app);
  return app;
}
