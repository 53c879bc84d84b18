import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { Analyst, type AnalystOptions } from '../../../../src/apps/fraud/analyst/index.ts';
import { type FakeLlm, startOpenAiServer } from './openai-server.ts';

let llm: FakeLlm;
before(async () => {
  llm = await startOpenAiServer(1500);
});
after(async () => llm.close());

function analyst(extra: Partial<AnalystOptions> = {}) {
  const registry = new Registry();
  const a = new Analyst({
    endpoint: { url: llm.url, model: 'test-model', apiKey: 'sk-test' },
    registry,
    batchTimeoutMs: 20,
    ...extra,
  });
  return { a, registry };
}

const order = (id: string, amount: number) => ({ id, facts: { amount, payment_method: 'crypto' } });

async function metric(registry: Registry, name: string, label?: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => label === undefined || x.labels.outcome === label);
  return v?.value ?? 0;
}

describe('AI analyst against an OpenAI-protocol server', () => {
  it('batches up to 10 orders per call and returns validated verdicts', async () => {
    llm.mode = 'ok';
    llm.requests.length = 0;
    const { a } = analyst();
    const results = Array.from({ length: 23 }, (_, i) => a.submit(order(`o${i}`, i % 2 ? 900 : 20)));
    assert.ok(results.every((r) => r.status === 'queued'));
    const outcomes = await Promise.all(results.map((r) => r.done));
    assert.equal(llm.requests.length, 3, 'ten, ten and three');
    assert.deepEqual(llm.requests.map((r) => r.orderIds.length).sort(), [10, 10, 3]);
    assert.equal(llm.requests[0].auth, 'Bearer sk-test');
    assert.equal(llm.requests[0].model, 'test-model');
    const o1 = outcomes[1];
    assert.equal(o1.status, 'analyzed');
    assert.equal(o1.status === 'analyzed' && o1.verdict.verdict, 'fraud');
    const o2 = outcomes[2];
    assert.equal(o2.status === 'analyzed' && o2.verdict.verdict, 'legitimate');
    await a.close();
  });

  it('a slow LLM times out: the orders fall back and the call is counted as a failure', async () => {
    llm.mode = 'slow';
    const { a, registry } = analyst({ timeoutMs: 100 });
    const r = a.submit(order('slow1', 100));
    const outcome = await r.done;
    assert.equal(outcome.status, 'fallback');
    assert.equal(outcome.status === 'fallback' && outcome.reason, 'timeout');
    assert.equal(await metric(registry, 'fraudstream_analyst_outcomes_total', 'timeout'), 1);
    assert.equal(a.breakerStatus().failures, 1);
    await a.close();
  });

  it('500s open the breaker after 5 failures; it half-opens after the recovery time and closes on success', async () => {
    llm.mode = 'error500';
    const { a, registry } = analyst({ recoveryMs: 300, batchSize: 1, concurrency: 1 });
    for (let i = 0; i < 5; i++) {
      const o = await a.submit(order(`e${i}`, 10)).done;
      assert.equal(o.status === 'fallback' && o.reason, 'http_error');
    }
    assert.equal(a.breakerStatus().state, 'open');
    assert.equal(await metric(registry, 'fraudstream_analyst_breaker_trips_total'), 1);
    const rejected = a.submit(order('while-open', 10));
    assert.equal(rejected.status, 'fallback');
    assert.equal(rejected.reason, 'breaker_open');
    llm.mode = 'ok';
    await sleep(350);
    const probe = await a.submit(order('probe', 10)).done;
    assert.equal(probe.status, 'analyzed', 'half-open probe goes through');
    assert.equal(a.breakerStatus().state, 'closed');
    await a.close();
  });

  it('a failed half-open probe re-opens the breaker with a doubled wait (exponential backoff)', async () => {
    llm.mode = 'error500';
    const { a } = analyst({ recoveryMs: 300, failureThreshold: 2, batchSize: 1, concurrency: 1 });
    await a.submit(order('f1', 1)).done;
    await a.submit(order('f2', 1)).done;
    assert.equal(a.breakerStatus().state, 'open');
    await sleep(330);
    await a.submit(order('probe-fails', 1)).done;
    assert.equal(a.breakerStatus().state, 'open');
    await sleep(330);
    assert.equal(a.submit(order('still-open', 1)).reason, 'breaker_open', 'second wait is 600 ms, not 300');
    llm.mode = 'ok';
    await sleep(330);
    assert.equal((await a.submit(order('recovered', 1)).done).status, 'analyzed');
    await a.close();
  });

  it('non-JSON and wrong-shape replies are rejected and counted, never passed on', async () => {
    for (const mode of ['garbage', 'wrong-shape'] as const) {
      llm.mode = mode;
      const { a, registry } = analyst();
      const o = await a.submit(order(`g-${mode}`, 999)).done;
      assert.equal(o.status, 'fallback');
      assert.equal(o.status === 'fallback' && o.reason, 'invalid_reply');
      assert.equal(await metric(registry, 'fraudstream_analyst_outcomes_total', 'invalid_reply'), 1);
      await a.close();
    }
  });

  it('queue overflow follows the policy and is counted; disabled analyst falls back at once', async () => {
    llm.mode = 'slow';
    const { a, registry } = analyst({
      maxQueueSize: 5,
      batchSize: 10,
      batchTimeoutMs: 60_000,
      timeoutMs: 50,
    });
    const accepted = Array.from({ length: 5 }, (_, i) => a.submit(order(`q${i}`, 1)));
    assert.ok(accepted.every((r) => r.status === 'queued'));
    const overflow = a.submit(order('q-over', 1));
    assert.equal(overflow.status, 'fallback');
    assert.equal(overflow.reason, 'queue_full');
    assert.equal(await metric(registry, 'fraudstream_analyst_queue_overflow_total'), 1);
    assert.equal(a.queueSize(), 5);
    await a.close();
    assert.ok((await Promise.all(accepted.map((r) => r.done))).every((o) => o.status === 'fallback'));

    const dropOldest = analyst({ maxQueueSize: 2, batchTimeoutMs: 60_000, overflowPolicy: 'drop-oldest' }).a;
    const first = dropOldest.submit(order('d0', 1));
    dropOldest.submit(order('d1', 1));
    assert.equal(dropOldest.submit(order('d2', 1)).status, 'queued');
    const dropped = await first.done;
    assert.equal(dropped.status === 'fallback' && dropped.reason, 'queue_full');
    await dropOldest.close();

    const off = analyst({ enabled: false }).a;
    assert.equal(off.submit(order('x', 1)).reason, 'disabled');
  });
});
