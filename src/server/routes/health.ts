import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../types.ts';

/** Liveness, readiness (503 until state is restored) and circuit-breaker state (seed 000). */
export function healthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/health/live', async () => ({ status: 'UP' }));
  app.get('/health/ready', async (_req, reply) => {
    const s = deps.status();
    const ready = deps.ready() && s.running;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'UP' : 'DOWN', state: s.state });
  });
  app.get('/health/circuit-breakers', async () => {
    const breakers = deps.breakers();
    return { status: breakers.some((b) => b.state === 'open') ? 'DEGRADED' : 'UP', breakers };
  });
}
