/**
 * Issue 8 / seed 000 operations contract on a real `fraudstream start` process:
 * `/health/ready` is 503 while state is restored from the changelogs and 200 after; mutating
 * endpoints are 401 without the bearer token; `POST /predict/raw` scores a valid order and rejects
 * an invalid one with 400.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SyntheticGenerator } from '../../../src/sources/generator/index.ts';
import { type AppProcess, lastJsonLine, startApp, tempDirs, until } from './app-process.ts';

const children: AppProcess[] = [];
const dirs = tempDirs('health');
after(async () => {
  for (const c of children) c.kill();
  await Promise.all(children.map((c) => c.exited));
  dirs.cleanup();
});

// In-memory state: a restart has nothing local and must restore every store from its changelog.
const env = {
  FRAUDSTREAM_ENGINE_STATE_DIR: dirs.state,
  FRAUDSTREAM_ENGINE_STATE_BACKEND: 'memory',
  FRAUDSTREAM_SERVER_TOKEN: 'test-token',
};

function run(args: string[]) {
  const app = startApp(['--port', '0', ...args], { logDir: dirs.log, env });
  children.push(app);
  return app;
}

function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

describe('restart restores state; /health/ready follows it', () => {
  const observed: { status: number; state: string }[] = [];
  let restored = 0;
  let remaining = -1;

  before(async () => {
    // Build up state (customers, feature state, merchant risk) in the changelogs.
    const first = run(['--duration', '8', '--rate', '4000', '--json']);
    const done = await first.exited;
    assert.equal(done.code, 0, done.stderr);
    assert.ok((lastJsonLine(done.stdout).events as number) > 0);
    // Restart without the generator on a port chosen here, and poll readiness from the moment it
    // listens (connection refused until then): waiting for the `server` log line instead races a
    // short restore on a loaded machine.
    const port = await freePort();
    const second = startApp(['--no-generator', '--port', String(port)], { logDir: dirs.log, env });
    children.push(second);
    for (;;) {
      const res = await readiness(port, second);
      const body = (await res.json()) as { state: string };
      observed.push({ status: res.status, state: body.state });
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    restored = metricSum(text, 'fraudstream_engine_restore_records_total');
    remaining = metricSum(text, 'fraudstream_engine_restore_remaining_records');
    second.kill();
    await second.exited;
  });

  test('the restarted app restored its stores from the changelogs before it was ready', () => {
    assert.ok(restored > 0, `restored ${restored} records`);
    assert.equal(remaining, 0);
    assert.equal(observed.at(-1)?.status, 200);
    assert.equal(observed.at(-1)?.state, 'RUNNING');
    // Never 200 and then 503 again, and nothing but 503/200.
    assert.deepEqual(
      observed.filter((o) => o.status !== 503 && o.status !== 200),
      [],
    );
  });

  test('/health/ready answers 503 while restoring', () => {
    const first = observed[0];
    assert.equal(first?.status, 503, `observed: ${JSON.stringify(observed.slice(0, 3))}`);
    assert.match(first?.state ?? '', /^(CREATED|RESTORING)$/);
  });
});

describe('auth and /predict/raw on a running app', () => {
  let app: AppProcess;
  let base = '';
  before(async () => {
    app = run(['--rate', '500']);
    base = `http://127.0.0.1:${await app.port}`;
    await until(async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined), 30_000, 'ready');
  });

  test('mutating endpoints: 401 with a JSON error without or with a wrong token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: 'test-token' }]) {
      const res = await fetch(`${base}/api/v1/streams/cleanup`, { method: 'POST', headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(((await res.json()) as { error: string }).error, 'UNAUTHORIZED');
    }
    const rules = await fetch(`${base}/api/v1/rules`, {
      method: 'PUT',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(rules.status, 401);
    // Read-only endpoints stay open.
    assert.equal((await fetch(`${base}/api/v1/streams/status`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/rules`)).status, 200);
  });

  test('read-only operations endpoints describe the running app', async () => {
    const meta = (await (await fetch(`${base}/api/v1/streams/metadata`)).json()) as {
      tasks: { id: string; partitions: { topic: string; partition: number }[]; stores: string[] }[];
      stores: string[];
    }[];
    const tasks = meta[0]?.tasks ?? [];
    assert.ok(tasks.length > 0, 'tasks');
    for (const t of tasks) assert.ok(t.partitions.length > 0, `task ${t.id} has input partitions`);
    assert.ok(meta[0]?.stores.includes('fraud-customers'));
    // Interactive query: a generated customer's profile from the table's store.
    const customer = await until(
      async () => {
        const res = await fetch(`${base}/api/v1/stores/fraud-customers/keys/cus_000001`);
        return res.ok ? ((await res.json()) as { value: { customer_id: string } }) : undefined;
      },
      20_000,
      'customer cus_000001 in the store',
    );
    assert.equal(customer.value.customer_id, 'cus_000001');
    assert.equal((await fetch(`${base}/api/v1/stores/no-such-store/keys/x`)).status, 404);
    const breakers = (await (await fetch(`${base}/health/circuit-breakers`)).json()) as { status: string };
    assert.match(breakers.status, /^(UP|DEGRADED)$/);
    const monitor = (await (await fetch(`${base}/api/v1/monitor/dashboard`)).json()) as {
      component_health: Record<string, string>;
      metrics: Record<string, number>;
    };
    assert.equal(monitor.component_health.engine, 'healthy');
    assert.equal(typeof monitor.metrics.consumer_lag, 'number');
  });

  test('with the token the request is authorised (cleanup of a running app is a 409, not a 401)', async () => {
    const res = await fetch(`${base}/api/v1/streams/cleanup`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token' },
    });
    assert.equal(res.status, 409);
  });

  test('POST /predict/raw scores a valid order and names what is wrong with an invalid one', async () => {
    const order = firstOrder();
    const ok = await post(`${base}/predict/raw`, order);
    assert.equal(ok.status, 200);
    const scored = (await ok.json()) as {
      event_id: string;
      risk_level: string;
      risk_score: number;
      decision: string;
    };
    assert.equal(scored.event_id, order.order_id);
    assert.match(scored.risk_level, /^(MINIMAL|LOW|MEDIUM|HIGH|CRITICAL)$/);
    assert.equal(typeof scored.risk_score, 'number');
    assert.match(scored.decision, /^(allow|review|block)$/);

    const bad = await post(`${base}/predict/raw`, { ...order, amount: -5 });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as { error: string; message: string };
    assert.equal(err.error, 'FS_SCHEMA_INVALID');
    assert.match(err.message, /amount/);
    const notJson = await fetch(`${base}/predict/raw`, {
      method: 'POST',
      body: 'nope',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
  });

  test('POST /api/v1/streams/stop with the token stops processing and the process exits 0', async () => {
    const res = await fetch(`${base}/api/v1/streams/stop`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token' },
    });
    // on failure, say why: the error body and the app's log (a CI run once answered 500 here)
    if (res.status !== 200)
      assert.fail(`stop answered ${res.status}: ${await res.text()}\n${app.stderr().slice(-4000)}`);
    const { code, stderr } = await app.exited;
    assert.equal(code, 0, stderr);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** GET /health/ready, retrying every 5 ms while nothing listens yet (fails if the app exits). */
async function readiness(port: number, app: AppProcess): Promise<Response> {
  for (;;) {
    try {
      return await fetch(`http://127.0.0.1:${port}/health/ready`);
    } catch (error) {
      if (app.child.exitCode !== null) throw new Error(`app exited (${app.child.exitCode}): ${app.stderr()}`);
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function firstOrder(): Record<string, unknown> & { order_id: string } {
  for (const r of new SyntheticGenerator({ seed: 7, count: 500, kinds: ['customer', 'merchant', 'order'] })) {
    if (r.kind === 'order') return r.value as Record<string, unknown> & { order_id: string };
  }
  throw new Error('the generator produced no order');
}

function post(url: string, body: unknown) {
  return fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
}
