/**
 * Engine benchmark: `npm run bench -- engine [--quick] [--only=<case prefix>] [--no-warmup]`.
 *
 * Three topologies run by `StreamsApp` on the embedded log (one input partition, so one task on one
 * core; exactly-once, default 100 ms commit interval, the product's default fsync policy — the
 * `log.fsync`/`log.fsyncIntervalMs` defaults of src/config.ts, i.e. `interval`, every 200 ms, off the
 * main thread — as `npm start` opens it):
 *   stateless  filter → mapValues → filter → map → to
 *   windowed   30-minute hopping count (advance 5 min, emit on update) over 100k keys
 *   join       stream–table left join against a 100k-key table
 * each with in-memory and (where there is state) LMDB stores.
 *
 * Each case first runs once, unmeasured, on a fifth of its backlog in a scratch log of its own
 * (`--no-warmup` skips it), so a case's figure does not depend on which cases ran before it
 * (`--only=<case prefix>` gives the same figures as the full run).
 *
 * Per case these figures:
 *   events_per_sec  a pre-produced backlog of N input records, from app start until the app's committed
 *                   input offsets cover all of them (so: processed, outputs written, committed);
 *   events_per_cpu_sec  the same backlog ÷ the process's CPU time (user + system) over that interval:
 *                   on a shared machine wall time includes waiting for a core, CPU time does not;
 *   p50_ms / p99_ms end-to-end latency at a steady offered load (batches every 10 ms, a quarter of the
 *                   measured throughput, capped at 20k/s): from the producer's send to the commit that
 *                   makes the record's outputs visible to read_committed readers (under exactly-once,
 *                   outputs and input offsets commit in one transaction).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import {
  lmdbBackend,
  minutes,
  Serdes,
  type StoreBackendFactory,
  StreamBuilder,
  StreamsApp,
  TimeWindows,
  type Topology,
} from '../src/engine/index.ts';
import { EmbeddedLog, type Log, type ProducerRecord } from '../src/log/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const KEYS = 100_000;
/** The product defaults (not the environment's overrides). */
const LOG_DEFAULTS = loadConfig({ env: {} }).log;
const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

interface Payment {
  card: string;
  amount: number;
  merchant: string;
  country: string;
}

interface Scenario {
  name: string;
  /** records of the measured input topic */
  events: number;
  topology(): Topology;
  /** extra topics to fill before the app starts (e.g. the table of a join) */
  prefill?(log: Log): Promise<number>;
  backend?: StoreBackendFactory;
}

const paymentSerdes = { key: Serdes.string(), value: Serdes.json<Payment>() };

function stateless(): Topology {
  const builder = new StreamBuilder();
  builder
    .stream('payments', paymentSerdes)
    .filter((_card, p) => p.amount > 0)
    .mapValues((p) => ({ ...p, amountCents: Math.round(p.amount * 100) }))
    .filter((_card, p) => p.country !== 'XX')
    .map(
      (card, p) =>
        [p.merchant, { card, amountCents: p.amountCents }] as [string, { card: string; amountCents: number }],
    )
    .to('payments-by-merchant', { key: Serdes.string(), value: Serdes.json() });
  return builder.build();
}

function windowed(): Topology {
  const builder = new StreamBuilder();
  builder
    .stream('payments', paymentSerdes)
    .groupByKey()
    .windowedBy(TimeWindows.ofSize(minutes(30)).advanceBy(minutes(5)))
    .count({ as: 'payments-per-card-30m', emit: 'update' })
    .toStream()
    .to('payments-per-card-30m', { key: Serdes.windowed(Serdes.string()), value: Serdes.number() });
  return builder.build();
}

function join(): Topology {
  const builder = new StreamBuilder();
  const customers = builder.table('customers', {
    key: Serdes.string(),
    value: Serdes.json<{ segment: string }>(),
    as: 'customers',
  });
  builder
    .stream('payments', paymentSerdes)
    .leftJoin(customers, (p, c) => ({ ...p, segment: c?.segment ?? 'unknown' }))
    .to('payments-enriched', { key: Serdes.string(), value: Serdes.json() });
  return builder.build();
}

function payment(i: number, events: number): ProducerRecord {
  const card = `card-${String((i * 7919) % KEYS).padStart(6, '0')}`;
  const value: Payment = {
    card,
    amount: 1 + (i % 500),
    merchant: `m-${i % 2000}`,
    country: i % 50 === 0 ? 'XX' : 'US',
  };
  // Event time spans 4 hours over the backlog: every record falls in 6 hopping windows.
  return {
    topic: 'payments',
    key: Buffer.from(card),
    value: Buffer.from(JSON.stringify(value)),
    timestamp: BASE_TIME + Math.floor((i / events) * 4 * 3_600_000),
  };
}

async function prefillCustomers(log: Log): Promise<number> {
  await log.admin().createTopic({ name: 'customers', partitions: 1, cleanupPolicy: 'compact' });
  const producer = await log.producer();
  for (let i = 0; i < KEYS; i += 10_000) {
    const batch: ProducerRecord[] = [];
    for (let j = i; j < i + 10_000; j++) {
      batch.push({
        topic: 'customers',
        key: Buffer.from(`card-${String(j).padStart(6, '0')}`),
        value: Buffer.from(JSON.stringify({ segment: j % 3 === 0 ? 'gold' : 'standard' })),
        timestamp: BASE_TIME - 3_600_000,
      });
    }
    await producer.send(batch);
  }
  await producer.close();
  return KEYS;
}

async function committedInput(log: Log, applicationId: string, topics: string[]): Promise<number> {
  const offsets = await log.admin().committedOffsets(applicationId, topics);
  return offsets.reduce((sum, o) => sum + o.offset, 0);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const openScratchLog = (dir: string) =>
  EmbeddedLog.open({
    dir: path.join(dir, 'log'),
    fsync: LOG_DEFAULTS.fsync,
    fsyncIntervalMs: LOG_DEFAULTS.fsyncIntervalMs,
  });

/** Produces the input backlog (and the table, if the scenario has one); returns the record count. */
async function produceBacklog(log: Log, scenario: Scenario, events: number): Promise<number> {
  await log.admin().createTopic({ name: 'payments', partitions: 1 });
  const prefilled = (await scenario.prefill?.(log)) ?? 0;
  const producer = await log.producer();
  for (let i = 0; i < events; i += 10_000) {
    const batch: ProducerRecord[] = [];
    for (let j = i; j < Math.min(i + 10_000, events); j++) batch.push(payment(j, events));
    await producer.send(batch);
  }
  await producer.close();
  return events + prefilled;
}

/** Runs the app until its committed input offsets cover `total` records. */
async function processBacklog(
  log: Log,
  app: StreamsApp,
  applicationId: string,
  scenario: Scenario,
  total: number,
): Promise<void> {
  const inputTopics = scenario.prefill ? ['payments', 'customers'] : ['payments'];
  await app.start();
  while ((await committedInput(log, applicationId, inputTopics)) < total) {
    if (app.state === 'failed') throw new Error(`${scenario.name}: app failed`);
    await sleep(5);
  }
}

/**
 * The same scenario on a fifth of the backlog in its own scratch log, not measured: the JIT has
 * compiled this case's code paths before the measured run, whichever cases ran before it.
 */
async function warmUp(ctx: BenchContext, scenario: Scenario, index: number): Promise<void> {
  const dir = path.join(ctx.tmpDir, `case-${index}-warmup`);
  const log = await openScratchLog(dir);
  try {
    const total = await produceBacklog(log, scenario, Math.round(scenario.events / 5));
    ctx.progress(`${scenario.name}: warm-up on ${total} records (not measured)`);
    const app = new StreamsApp(scenario.topology(), {
      applicationId: `warmup-${index}`,
      log,
      stateDir: path.join(dir, 'state'),
      stateBackend: scenario.backend,
    });
    await processBacklog(log, app, `warmup-${index}`, scenario, total);
    await app.close();
  } finally {
    await log.close();
  }
}

async function runScenario(
  ctx: BenchContext,
  scenario: Scenario,
  index: number,
  latencySeconds: number,
): Promise<BenchResult[]> {
  const dir = path.join(ctx.tmpDir, `case-${index}`);
  const log = await openScratchLog(dir);
  const applicationId = `bench-${index}`;
  try {
    const total = await produceBacklog(log, scenario, scenario.events);
    const inputTopics = scenario.prefill ? ['payments', 'customers'] : ['payments'];
    const producer = await log.producer();
    ctx.progress(`${scenario.name}: ${total} records produced, processing`);

    const app = new StreamsApp(scenario.topology(), {
      applicationId,
      log,
      stateDir: path.join(dir, 'state'),
      stateBackend: scenario.backend,
    });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await processBacklog(log, app, applicationId, scenario, total);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const eventsPerSec = total / seconds;
    ctx.progress(`${scenario.name}: ${Math.round(eventsPerSec)} events/s; measuring latency`);

    // Steady load: every 10 ms a batch; latency = commit covering the record − its send time.
    const rate = Math.min(eventsPerSec / 4, 20_000);
    const perBatch = Math.max(1, Math.round(rate / 100));
    const sent: Array<{ upTo: number; at: number; count: number }> = [];
    let produced = total;
    const latencies: number[] = [];
    let stop = false;
    const watcher = (async () => {
      let next = 0;
      while (!stop || next < sent.length) {
        const committed = await committedInput(log, applicationId, inputTopics);
        const now = performance.now();
        while (next < sent.length && sent[next].upTo <= committed) {
          for (let k = 0; k < sent[next].count; k++) latencies.push(now - sent[next].at);
          next++;
        }
        await sleep(1);
      }
    })();
    const deadline = performance.now() + latencySeconds * 1000;
    let i = scenario.events;
    while (performance.now() < deadline) {
      const at = performance.now();
      const batch: ProducerRecord[] = [];
      for (let k = 0; k < perBatch; k++) batch.push(payment(i++, scenario.events));
      await producer.send(batch);
      produced += batch.length;
      sent.push({ upTo: produced, at, count: batch.length });
      await sleep(Math.max(0, 10 - (performance.now() - at)));
    }
    stop = true;
    await watcher;
    await producer.close();
    await app.close();
    latencies.sort((a, b) => a - b);
    return [
      { case: scenario.name, metric: 'events_per_sec', value: Math.round(eventsPerSec), unit: 'events/s' },
      {
        case: scenario.name,
        metric: 'events_per_cpu_sec',
        value: Math.round(total / cpuSeconds),
        unit: 'events/cpu-s',
      },
      {
        case: scenario.name,
        metric: 'p50_ms',
        value: Number(percentile(latencies, 50).toFixed(1)),
        unit: 'ms',
      },
      {
        case: scenario.name,
        metric: 'p99_ms',
        value: Number(percentile(latencies, 99).toFixed(1)),
        unit: 'ms',
      },
    ];
  } finally {
    await log.close();
  }
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const quick = ctx.args.includes('--quick');
  const scale = quick ? 0.2 : 1;
  const latencySeconds = quick ? 1 : 3;
  const n = (count: number) => Math.round(count * scale);
  const scenarios: Scenario[] = [
    { name: 'stateless filter/map chain', events: n(500_000), topology: stateless },
    { name: 'windowed hopping 30m/5m count, 100k keys, memory', events: n(300_000), topology: windowed },
    {
      name: 'windowed hopping 30m/5m count, 100k keys, lmdb',
      events: n(300_000),
      topology: windowed,
      backend: lmdbBackend(),
    },
    {
      name: 'join stream-table, 100k-key table, memory',
      events: n(300_000),
      topology: join,
      prefill: prefillCustomers,
    },
    {
      name: 'join stream-table, 100k-key table, lmdb',
      events: n(300_000),
      topology: join,
      prefill: prefillCustomers,
      backend: lmdbBackend(),
    },
  ];
  const only = ctx.args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const results: BenchResult[] = [];
  const warm = !ctx.args.includes('--no-warmup');
  for (const [index, scenario] of scenarios.entries()) {
    if (only && !scenario.name.startsWith(only)) continue;
    if (warm) await warmUp(ctx, scenario, index);
    results.push(...(await runScenario(ctx, scenario, index, latencySeconds)));
  }
  return results;
}
