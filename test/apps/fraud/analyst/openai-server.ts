/**
 * A local HTTP server speaking the OpenAI chat-completions protocol (the LLM cannot run here).
 * It reads the orders from the user message and answers like a model would, or misbehaves on
 * demand: slow, HTTP 500, non-JSON content, JSON of the wrong shape.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Mode = 'ok' | 'slow' | 'error500' | 'garbage' | 'wrong-shape';

export interface FakeLlm {
  url: string;
  mode: Mode;
  requests: { model: string; orderIds: string[]; auth: string | undefined }[];
  close(): Promise<void>;
}

export async function startOpenAiServer(slowMs = 2000): Promise<FakeLlm> {
  const state: FakeLlm = { url: '', mode: 'ok', requests: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const payload = JSON.parse(body);
      const user = payload.messages.find((m: { role: string }) => m.role === 'user');
      const orders: { id: string; amount?: number }[] = JSON.parse(user.content).orders;
      state.requests.push({
        model: payload.model,
        orderIds: orders.map((o) => o.id),
        auth: req.headers.authorization,
      });
      const reply = (content: string) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'chatcmpl-test',
            object: 'chat.completion',
            model: payload.model,
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
          }),
        );
      const verdicts = () =>
        JSON.stringify({
          results: orders.map((o) => ({
            id: o.id,
            verdict: (o.amount ?? 0) > 500 ? 'fraud' : 'legitimate',
            confidence: 0.9,
            rationale: `amount ${o.amount}`,
          })),
        });
      switch (state.mode) {
        case 'ok':
          return reply(verdicts());
        case 'slow':
          setTimeout(() => !res.destroyed && reply(verdicts()), slowMs);
          return;
        case 'error500':
          return res
            .writeHead(500, { 'content-type': 'application/json' })
            .end('{"error":{"message":"overloaded"}}');
        case 'garbage':
          return reply('Sure! Here is my analysis: looks fraudulent to me.');
        case 'wrong-shape':
          return reply(JSON.stringify({ results: orders.map((o) => ({ id: o.id, verdict: 'maybe' })) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
