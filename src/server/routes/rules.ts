import type { FastifyInstance } from 'fastify';
import { isFraudstreamError } from '../../errors.ts';
import { requireToken } from '../auth.ts';
import type { ServerDeps } from '../types.ts';

/** Rule packs: read the active version; replace it (validated, versioned, hot-reloaded). */
export function rulesRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const rules = deps.rules;
  if (!rules) return;
  app.get('/api/v1/rules', async () => rules.get());
  app.put('/api/v1/rules', { preHandler: requireToken(deps.token) }, async (req, reply) => {
    try {
      return await rules.put(req.body);
    } catch (err) {
      if (isFraudstreamError(err)) return reply.code(400).send({ error: err.code, message: err.message });
      throw err;
    }
  });
}
