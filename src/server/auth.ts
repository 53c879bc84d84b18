import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** preHandler for mutating routes: `Authorization: Bearer <token>`; 401 with a JSON body otherwise. */
export function requireToken(token: string) {
  const expected = Buffer.from(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token === '') {
      return reply
        .code(403)
        .send({ error: 'FORBIDDEN', message: 'mutating endpoints are disabled: set server.token' });
    }
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'UNAUTHORIZED', message: 'missing or wrong bearer token' });
    }
  };
}
