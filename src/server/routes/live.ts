import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../types.ts';

/** Server-sent events for the dashboard: stats ticks, alerts, monitor state. */
export function liveRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/v1/live', (req, reply) => {
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    reply.raw.write(': connected\n\n');
    const unsubscribe =
      deps.subscribe?.((event) => {
        reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      }) ?? (() => {});
    const keepAlive = setInterval(() => reply.raw.write(': ping\n\n'), 15000);
    req.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    reply.hijack();
  });
}
