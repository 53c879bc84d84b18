import type { FastifyInstance } from 'fastify';
import { requireToken } from '../auth.ts';
import type { ServerDeps } from '../types.ts';

/** Seed 004's StreamsController: status, metadata, metrics, start/stop/cleanup. */
export function streamsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const auth = { preHandler: requireToken(deps.token) };
  app.get('/api/v1/streams/status', async () => deps.status());
  app.get('/api/v1/streams/metadata', async () => deps.metadata());
  app.get('/api/v1/streams/metrics', async () => {
    const metrics = await deps.registry.getMetricsAsJSON();
    return metrics.map((m) => ({ name: m.name, help: m.help, type: m.type, values: m.values }));
  });
  app.post('/api/v1/streams/start', auth, async () => {
    await deps.start();
    return deps.status();
  });
  app.post('/api/v1/streams/stop', auth, async () => {
    await deps.stop();
    return deps.status();
  });
  app.post('/api/v1/streams/cleanup', auth, async (_req, reply) => {
    if (deps.status().running) {
      return reply
        .code(409)
        .send({ error: 'CONFLICT', message: 'stop the streams before cleaning up local state' });
    }
    await deps.cleanup();
    return { cleaned: true };
  });
}
