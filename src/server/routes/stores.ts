import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerDeps } from '../types.ts';

/** JSON.stringify writes a Map as {}: store values holding one (the fraud customer state) show it as an object. */
function mapsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

/** A store query's answer as JSON, Maps in its values included (key lookups and window fetches). */
function asJson(reply: FastifyReply, body: object): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body, mapsAsObjects));
}

/** Interactive queries over the running app's state stores (read-only). */
export function storesRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/v1/stores', async () => ({ stores: deps.storeNames() }));
  app.get<{ Params: { store: string; key: string }; Querystring: { from?: string; to?: string } }>(
    '/api/v1/stores/:store/keys/:key',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            from: { type: 'string', pattern: '^[0-9]+$' },
            to: { type: 'string', pattern: '^[0-9]+$' },
          },
        },
      },
    },
    async (req, reply) => {
      const { store, key } = req.params;
      if (!deps.storeNames().includes(store)) {
        return reply.code(404).send({ error: 'NOT_FOUND', message: `no store named "${store}"` });
      }
      if (req.query.from !== undefined || req.query.to !== undefined) {
        const from = Number(req.query.from ?? 0);
        const to = Number(req.query.to ?? Date.now());
        return asJson(reply, { store, key, from, to, windows: deps.storeWindowFetch(store, key, from, to) });
      }
      const value = deps.storeGet(store, key);
      if (value === undefined) {
        return reply.code(404).send({ error: 'NOT_FOUND', message: `key "${key}" not in store "${store}"` });
      }
      return asJson(reply, { store, key, value });
    },
  );
}
