import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../types.ts';

/** Prometheus text exposition of the app's one registry. */
export function metricsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/metrics', async (_req, reply) => {
    const body = await deps.registry.metrics();
    return reply.header('content-type', deps.registry.contentType).send(body);
  });
}
