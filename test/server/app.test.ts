import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { FraudstreamError } from '../../src/errors.ts';
import type { AppState, ServerDeps } from '../../src/server/index.ts';
import { buildServer } from '../../src/server/index.ts';

/** A small in-memory application behind the ServerDeps contract: the routes are under test here. */
function fakeApp(overrides: Partial<ServerDeps> = {}) {
  const registry = new Registry();
  const processed = new Counter({
    name: 'fraudstream_engine_records_in_total',
    help: 'records in',
    registers: [registry],
  });
  processed.inc(42);
  let state: AppState = 'RESTORING';
  let restored = false;
  let rulesVersion = 1;
  const store = new Map<string, unknown>([
    ['c1', { count: 3 }],
    // a value holding a Map, as the fraud customer state does (merchants seen)
    ['m1', { seen: new Map([[7, 100]]) }],
  ]);
  const deps: ServerDeps = {
    registry,
    token: 's3cret',
    status: () => ({
      running: state === 'RUNNING' || state === 'RESTORING',
      state,
      applicationId: 'app',
      uptimeMs: 5,
    }),
    metadata: () => [{ instanceId: 'i1', host: 'h', log: 'embedded', tasks: [], stores: ['counts'] }],
    ready: () => restored,
    start: async () => {
      state = 'RUNNING';
    },
    stop: async () => {
      state = 'STOPPED';
    },
    cleanup: async () => store.clear(),
    storeNames: () => ['counts'],
    storeGet: (_s, k) => store.get(k),
    storeWindowFetch: (_s, _k, from, to) => [{ windowStart: from, windowEnd: to, value: 1 }],
    breakers: () => [{ name: 'analyst', state: 'closed', failures: 0, lastFailureAt: null }],
    rules: {
      get: () => ({ version: `v${rulesVersion}`, document: {} }),
      put: async (doc) => {
        if (!doc || typeof doc !== 'object')
          throw new FraudstreamError('FS_CONFIG_INVALID', 'rules must be an object');
        rulesVersion++;
        return { version: `v${rulesVersion}`, document: doc };
      },
    },
    ...overrides,
  };
  return {
    deps,
    finishRestore: () => {
      restored = true;
      state = 'RUNNING';
    },
  };
}

describe('server routes', () => {
  it('serves status, metadata and JSON metrics (seed 004)', async () => {
    const { deps } = fakeApp();
    const app = buildServer(deps);
    const status = await app.inject({ url: '/api/v1/streams/status' });
    assert.equal(status.statusCode, 200);
    assert.equal(status.json().state, 'RESTORING');
    assert.equal((await app.inject({ url: '/api/v1/streams/metadata' })).json()[0].instanceId, 'i1');
    const metrics = (await app.inject({ url: '/api/v1/streams/metrics' })).json();
    assert.equal(
      metrics.find((m: { name: string }) => m.name === 'fraudstream_engine_records_in_total').values[0].value,
      42,
    );
  });

  it('/health/ready is 503 during restore and 200 after', async () => {
    const { deps, finishRestore } = fakeApp();
    const app = buildServer(deps);
    assert.equal((await app.inject({ url: '/health/ready' })).statusCode, 503);
    finishRestore();
    assert.equal((await app.inject({ url: '/health/ready' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/health/live' })).statusCode, 200);
  });

  it('mutating endpoints need the bearer token: 401 JSON without, 200 with', async () => {
    const { deps } = fakeApp();
    const app = buildServer(deps);
    const denied = await app.inject({ method: 'POST', url: '/api/v1/streams/stop' });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.json().error, 'UNAUTHORIZED');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/streams/stop',
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 401);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/streams/stop',
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().state, 'STOPPED');
    const cleaned = await app.inject({
      method: 'POST',
      url: '/api/v1/streams/cleanup',
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(cleaned.statusCode, 200);
    assert.equal(deps.storeGet('counts', 'c1'), undefined);
  });

  it('refuses cleanup while running, and all mutations when no token is configured', async () => {
    const { deps, finishRestore } = fakeApp();
    finishRestore();
    const app = buildServer(deps);
    const busy = await app.inject({
      method: 'POST',
      url: '/api/v1/streams/cleanup',
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(busy.statusCode, 409);
    const noToken = buildServer(fakeApp({ token: '' }).deps);
    assert.equal((await noToken.inject({ method: 'POST', url: '/api/v1/streams/start' })).statusCode, 403);
  });

  it('interactive queries: key lookup, window fetch, 404s', async () => {
    const { deps } = fakeApp();
    const app = buildServer(deps);
    assert.deepEqual((await app.inject({ url: '/api/v1/stores/counts/keys/c1' })).json().value, { count: 3 });
    const withMap = await app.inject({ url: '/api/v1/stores/counts/keys/m1' });
    assert.equal(withMap.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(withMap.json().value, { seen: { 7: 100 } }, 'a Map as an object, not {}');
    assert.equal((await app.inject({ url: '/api/v1/stores/counts/keys/zz' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/api/v1/stores/nope/keys/c1' })).statusCode, 404);
    const win = (await app.inject({ url: '/api/v1/stores/counts/keys/c1?from=10&to=20' })).json();
    assert.deepEqual(win.windows, [{ windowStart: 10, windowEnd: 20, value: 1 }]);
    assert.equal((await app.inject({ url: '/api/v1/stores/counts/keys/c1?from=abc' })).statusCode, 400);
  });

  it('rules: get, put with token, invalid → 400 with the error code', async () => {
    const { deps } = fakeApp();
    const app = buildServer(deps);
    assert.equal((await app.inject({ url: '/api/v1/rules' })).json().version, 'v1');
    const auth = { authorization: 'Bearer s3cret' };
    assert.equal(
      (await app.inject({ method: 'PUT', url: '/api/v1/rules', payload: { packs: [] } })).statusCode,
      401,
    );
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/rules',
      headers: auth,
      payload: { packs: [] },
    });
    assert.equal(put.json().version, 'v2');
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/v1/rules',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '"x"',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'FS_CONFIG_INVALID');
  });

  it('Prometheus text on /metrics and circuit breakers on /health/circuit-breakers', async () => {
    const { deps } = fakeApp();
    const app = buildServer(deps);
    const m = await app.inject({ url: '/metrics' });
    assert.match(m.headers['content-type'] as string, /text\/plain/);
    assert.match(m.body, /fraudstream_engine_records_in_total 42/);
    const cb = (await app.inject({ url: '/health/circuit-breakers' })).json();
    assert.equal(cb.breakers[0].state, 'closed');
  });

  it('serves the dashboard page and its assets', async () => {
    const app = buildServer(fakeApp().deps);
    const page = await app.inject({ url: '/dashboard' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /fraudstream/);
    assert.equal((await app.inject({ url: '/dashboard/vendor/uPlot.iife.min.js' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/dashboard/dashboard.js' })).statusCode, 200);
  });
});
