import type { FastifyInstance } from 'fastify';
import { isFraudstreamError } from '../../errors.ts';
import type { ServerDeps } from '../types.ts';

/** Seed 002's `POST /predict/raw` and seed 003's monitor dashboard, when the app provides them. */
export function appRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { predict, monitor } = deps;
  if (predict) {
    app.post('/predict/raw', async (req, reply) => {
      try {
        return await predict(req.body);
      } catch (err) {
        if (isFraudstreamError(err, 'FS_SCHEMA_INVALID')) {
          return reply.code(400).send({ error: err.code, message: err.message });
        }
        throw err;
      }
    });
  }
  if (monitor) app.get('/api/v1/monitor/dashboard', async () => monitor());
}
