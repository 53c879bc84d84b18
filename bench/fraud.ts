/**
 * Fraud pipeline benchmark: `npm run bench -- fraud [--orders N] [--seconds S] [--rates 10000,1000]
 * [--only throughput|latency] [--cpu-prof <file>] [--kafka host:port|off] [--commit-interval ms]
 * [--warmup S] [--max-warmup S] [--targets embedded,kafka] [--max-poll n] [--customers N]
 * [--state memory|lmdb]` (profile: the first target's throughput window; kafka: default
 * $FRAUDSTREAM_KAFKA_BROKERS or 127.0.0.1:9092, skipped when no broker answers).
 *
 * The full fraud topology (validation → merchant stage → customer stage: point-in-time features,
 * the four shipped rule packs, decision; outputs to scored/audit/review/alerts/seed 004 routes),
 * run by `StreamsApp` as `fraudstream start` runs it (exactly-once, the commit interval of config
 * engine.commitIntervalMs's default unless --commit-interval; in-memory stores, or with --state lmdb
 * LMDB stores as `fraudstream start`'s default: cases `embedded lmdb …`, `kafka lmdb …`), with one partition
 * per topic (one task per stage, one process), on a scratch embedded log (`embedded …` cases) and on the local Kafka broker with run-prefixed topics deleted
 * afterwards (`kafka …` cases). Generator orders (seed 7, 2% fraud) with their customer and merchant profiles
 * (300 merchants; customers: 5,000 for throughput, 50,000 for latency, or --customers for both).
 *
 *   embedded max throughput        N orders pre-loaded; from app start until every order is scored
 *                                  and the final commit is done: events_per_sec; events_per_cpu_sec
 *                                  (÷ the process's CPU time: wall time on a shared machine includes
 *                                  waiting for a core) and cpu_share (cores the process got)
 *   embedded latency at R/s        orders appended at R per second (batches every 10 ms, event
 *                                  time = append time): a warm-up, not counted (JIT, table loading,
 *                                  the backlog these leave), of at least --warmup seconds (1) and
 *                                  until every order appended 250 ms earlier has been decided, at
 *                                  every tick for 0.5 s (caught up), at most --max-warmup seconds
 *                                  (10: a rate over capacity never catches up); then S seconds:
 *                                    warmup_s                   how long the warm-up took
 *                                    p50_ms / p99_ms            append → decision (audit decidedAt)
 *                                    p99_committed_ms           append → the fraud.scored record read
 *                                                               by a read_committed consumer
 *                                    events_per_sec             orders scored ÷ (first append → last decision)
 *                                  a rate above the pipeline's capacity shows up as a growing backlog,
 *                                  so its p99 is large: that is the honest figure, not a failure.
 * Before each measured window a full GC clears the bench's own set-up garbage.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ScratchPipeline } from '../src/apps/fraud/backtest/index.ts';
import { RulesEngine, SHIPPED_RULE_PACK_FILES } from '../src/apps/fraud/rules/index.ts';
import { loadConfig } from '../src/config.ts';
import type { Log, ProducerRecord } from '../src/log/index.ts';
import { KafkaLog } from '../src/log/kafka/index.ts';
import { type GeneratedRecord, SyntheticGenerator } from '../src/sources/generator/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

/** Where the pipeline runs: a scratch embedded log (log undefined) or a shared Kafka broker. */
interface Target {
  name: 'embedded' | 'kafka';
  log?: Log;
  maxPollRecords?: number;
  /** the app's commit interval (undefined: the engine's exactly-once default, as `fraudstream start`) */
  commitIntervalMs?: number;
  /** state stores (--state memory|lmdb; default memory) */
  stateBackend: 'memory' | 'lmdb';
}
/** Throughput: N orders over 30 days of event time, ~9 per customer in a 7-day window at 200k. */
const CUSTOMERS = 5000;
/**
 * Latency: event time is append time, so at 10k/s 5,000 customers would each buy twice a second —
 * every order a velocity alert, every history filling to its cap, figures set by the run's length
 * (20 s at 10k/s: p99 ~1 s, from a growing backlog). 50,000: one order per customer every 5 s.
 */
const LATENCY_CUSTOMERS = 50_000;
/** an order's timestamp in its waiting JSON bytes: 13 digits, overwritten with the append time's */
const TIMESTAMP_MARK = 1_000_000_000_000;
const TIMESTAMP_FIELD = `"timestamp":${TIMESTAMP_MARK}`;
const TIMESTAMP_DIGITS = String(TIMESTAMP_MARK).length;
const MERCHANTS = 300;
/** generous bound on waiting for a backlog to drain */
const DRAIN_TIMEOUT_MS = 300_000;

/** `embedded`, `kafka`; with LMDB state stores `embedded lmdb`, `kafka lmdb` */
function caseName(target: Target): string {
  return target.stateBackend === 'lmdb' ? `${target.name} lmdb` : target.name;
}

function arg(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The bench's data: seed 7, 2 % fraud, 300 merchants; profiles first, then `orders` orders. */
function generator(orders: number, startTime: number, customers: number): SyntheticGenerator {
  return new SyntheticGenerator({
    seed: 7,
    fraudRate: 0.02,
    count: orders,
    startTime,
    kinds: ['customer', 'merchant', 'order'],
    customers,
    merchants: MERCHANTS,
  });
}

function generate(
  orders: number,
  startTime: number,
  customers: number,
): { profiles: GeneratedRecord[]; orders: GeneratedRecord[] } {
  const out = { profiles: [] as GeneratedRecord[], orders: [] as GeneratedRecord[] };
  for (const r of generator(orders, startTime, customers))
    (r.kind === 'order' ? out.orders : out.profiles).push(r);
  return out;
}

/**
 * Orders waiting to be appended, as JSON bytes in one off-heap buffer (not 100k strings that every
 * major GC of the app marks and compacts, as a producer in another process would not add), each
 * with a 13-digit timestamp placeholder that `take` overwrites with the append time.
 */
class PendingOrders {
  readonly #bytes: Buffer;
  readonly #keys: Buffer;
  /** per order: [value start, value end, key start, key end, timestamp digits at] */
  readonly #at: Float64Array;

  constructor(orders: GeneratedRecord[]) {
    const values = orders.map((r) =>
      Buffer.from(JSON.stringify({ ...(r.value as object), timestamp: TIMESTAMP_MARK })),
    );
    const keys = orders.map((r) => Buffer.from(r.key));
    this.#at = new Float64Array(orders.length * 5);
    let v = 0;
    let k = 0;
    for (let i = 0; i < orders.length; i++) {
      const mark = values[i].indexOf(TIMESTAMP_FIELD);
      if (mark < 0) throw new Error(`order ${i} has no timestamp placeholder`);
      this.#at.set(
        [
          v,
          v + values[i].length,
          k,
          k + keys[i].length,
          v + mark + TIMESTAMP_FIELD.length - TIMESTAMP_DIGITS,
        ],
        i * 5,
      );
      v += values[i].length;
      k += keys[i].length;
    }
    this.#bytes = Buffer.concat(values, v);
    this.#keys = Buffer.concat(keys, k);
  }

  /** Order i as a record stamped `timestamp` (a copy: the producer may keep it). */
  take(i: number, topic: string, timestamp: number): ProducerRecord {
    const at = this.#at;
    const j = i * 5;
    const digits = String(timestamp);
    if (digits.length !== TIMESTAMP_DIGITS)
      throw new Error(`timestamp ${timestamp} does not have ${TIMESTAMP_DIGITS} digits`);
    const value = Buffer.from(this.#bytes.subarray(at[j], at[j + 1]));
    value.write(digits, at[j + 4] - at[j], 'latin1');
    return { topic, key: this.#keys.subarray(at[j + 2], at[j + 3]), value, timestamp };
  }
}

/**
 * A full garbage collection before a measured window, so that the bench's own set-up garbage (the
 * generated records) is not collected inside it (a producer in another process would not leave
 * any). `gc` is exposed at run time: `--expose-gc` makes new contexts carry it.
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function toProducerRecord(pipeline: ScratchPipeline, r: GeneratedRecord): ProducerRecord {
  const topic =
    r.kind === 'order'
      ? pipeline.topics.orders
      : r.kind === 'customer'
        ? pipeline.topics.customers
        : pipeline.topics.merchants;
  return {
    topic,
    key: Buffer.from(r.key),
    value: Buffer.from(JSON.stringify(r.value)),
    timestamp: r.timestamp,
  };
}

async function rules(): Promise<RulesEngine> {
  return RulesEngine.fromFiles([...SHIPPED_RULE_PACK_FILES], { logger: { info() {}, warn() {} } });
}

async function sendAll(pipeline: ScratchPipeline, records: ProducerRecord[]): Promise<void> {
  const producer = await pipeline.log.producer();
  // 500 records (~300 KB) per send: Kafka refuses a produce request over its 1 MB message limit.
  for (let i = 0; i < records.length; i += 500) await producer.send(records.slice(i, i + 500));
  await producer.close();
}

function waitFor(
  condition: () => boolean,
  pipeline: ScratchPipeline,
  what: string,
  timeoutMs = DRAIN_TIMEOUT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pipeline.failure !== undefined) return reject(pipeline.failure);
      if (condition()) return resolve();
      if (performance.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

/** Profiles only the measured window (not generation or loading) when `--cpu-prof <file>` is given. */
async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}

async function maxThroughput(
  ctx: BenchContext,
  target: Target,
  orders: number,
  customers: number,
  cpuProf?: string,
): Promise<BenchResult[]> {
  // Only the count is kept once the records are on the log: the app never holds its input, and a
  // bench that kept 200k generated orders alive would make every major GC of the app mark them.
  let data: ReturnType<typeof generate> | undefined = generate(
    orders,
    Date.now() - 30 * 86_400_000,
    customers,
  );
  const orderCount = data.orders.length;
  const profileCount = data.profiles.length;
  let done = 0;
  const pipeline = await ScratchPipeline.open({
    rules: await rules(),
    log: target.log,
    maxPollRecords: target.maxPollRecords,
    commitIntervalMs: target.commitIntervalMs,
    stateBackend: target.stateBackend,
    parentDir: ctx.tmpDir,
    onScored: () => done++,
    onRejected: () => done++,
  });
  try {
    const loading = sendAll(
      pipeline,
      [...data.profiles, ...data.orders].map((r) => toProducerRecord(pipeline, r)),
    );
    data = undefined;
    await loading;
    ctx.progress(`throughput: ${orderCount} orders + ${profileCount} profiles loaded`);
    collectGarbage();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    let scoredAt = 0;
    await profiled(cpuProf, async () => {
      await pipeline.start();
      await waitFor(() => done >= orderCount, pipeline, 'every order to be scored');
      scoredAt = performance.now();
      await pipeline.streams.close(); // the final commit makes the last outputs visible
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    ctx.progress(
      `${target.name} throughput: ${done} scored in ${((scoredAt - started) / 1000).toFixed(1)} s, committed at ${seconds.toFixed(1)} s`,
    );
    return [
      {
        case: `${caseName(target)} max throughput`,
        metric: 'events_per_sec',
        value: Math.round(orderCount / seconds),
        unit: 'events/s',
      },
      {
        // On a shared machine wall time includes waiting for a core; this is the rate per core-second.
        case: `${caseName(target)} max throughput`,
        metric: 'events_per_cpu_sec',
        value: Math.round(orderCount / cpuSeconds),
        unit: 'events/cpu-s',
      },
      {
        case: `${caseName(target)} max throughput`,
        metric: 'cpu_share',
        value: cpuSeconds / seconds,
        unit: 'cores',
      },
    ];
  } finally {
    await pipeline.close();
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** How a latency case warms up: at least `minSeconds`, then until the app has caught up, at most `maxSeconds`. */
interface Warmup {
  minSeconds: number;
  maxSeconds: number;
}

/** Caught up: every order appended this long ago has been decided (the start-up backlog is gone)… */
const CAUGHT_UP_LAG_MS = 250;
/** …at every tick for this long. */
const CAUGHT_UP_FOR_MS = 500;

async function latencyAtRate(
  ctx: BenchContext,
  target: Target,
  rate: number,
  seconds: number,
  warmup: Warmup,
  customers: number,
): Promise<BenchResult[]> {
  const maxWarm = Math.round(rate * warmup.maxSeconds);
  const total = Math.round(rate * seconds);
  // Profiles keep generated times (orders get their append time): start a week back so that none
  // is in the future (Kafka refuses timestamps over an hour ahead; 60k orders span over a day).
  const data = generate(maxWarm + total, Date.now() - 7 * 86_400_000, customers);
  const orders = new PendingOrders(data.orders);
  data.orders.length = 0;
  // Orders appended from this wall-clock time on are measured (event time = append time); the
  // warm-up's are not (JIT, table loading, the backlog that start-up leaves).
  let measureFrom = Number.POSITIVE_INFINITY;
  const decision = new Float64Array(total);
  let decided = 0;
  let decidedAll = 0;
  let lastDecisionAt = 0;
  let rejected = 0;
  const pipeline = await ScratchPipeline.open({
    rules: await rules(),
    log: target.log,
    maxPollRecords: target.maxPollRecords,
    commitIntervalMs: target.commitIntervalMs,
    stateBackend: target.stateBackend,
    parentDir: ctx.tmpDir,
    onScored: (s) => {
      decidedAll++;
      if (s.eventTime < measureFrom) return;
      if (decided < total) decision[decided++] = s.audit.decidedAt - s.eventTime;
      lastDecisionAt = performance.now();
    },
    onRejected: () => rejected++,
  });
  const committed = new Float64Array(total);
  let seen = 0;
  let seenAll = 0;
  let reading = true;
  try {
    await sendAll(
      pipeline,
      data.profiles.map((r) => toProducerRecord(pipeline, r)),
    );
    data.profiles.length = 0;
    collectGarbage();
    await pipeline.start();
    const reader = await pipeline.log.consumer({
      groupId: `${pipeline.applicationId}-bench-reader`,
      topics: [pipeline.topics.scored],
      isolation: 'read_committed',
      startFrom: 'latest',
    });
    const readLoop = (async () => {
      while (reading) {
        for (const r of await reader.poll(50)) {
          // a scored record carries its order's timestamp: the append time (no parse on the app's thread)
          seenAll++;
          if (seen < total && r.timestamp >= measureFrom) committed[seen++] = Date.now() - r.timestamp;
        }
      }
    })();
    const producer = await pipeline.log.producer();
    const started = performance.now();
    let firstAppend = started;
    let sent = 0;
    let warm = -1; // orders appended in the warm-up, once it is over
    /** [performance.now(), orders appended by then] per tick of the warm-up, oldest first */
    const ticks: Array<[number, number]> = [];
    let owed = 0; // orders appended CAUGHT_UP_LAG_MS ago or earlier
    let nextTick = 0;
    const caughtUp = (now: number): boolean => {
      for (; nextTick < ticks.length && ticks[nextTick][0] <= now - CAUGHT_UP_LAG_MS; nextTick++)
        owed = ticks[nextTick][1];
      return decidedAll + rejected >= owed;
    };
    let caughtUpSince = Number.POSITIVE_INFINITY;
    // Offered load: every 10 ms, append what is due; event time = append time.
    while (warm < 0 || sent < warm + total) {
      const now = performance.now();
      const elapsed = (now - started) / 1000;
      if (warm < 0) caughtUpSince = caughtUp(now) ? Math.min(caughtUpSince, now) : Number.POSITIVE_INFINITY;
      const settled = now - caughtUpSince >= CAUGHT_UP_FOR_MS;
      if (
        warm < 0 &&
        ((elapsed >= warmup.minSeconds && settled) || elapsed >= warmup.maxSeconds || sent >= maxWarm)
      ) {
        warm = sent;
        firstAppend = now;
        measureFrom = Date.now();
        ctx.progress(
          `latency @${rate}/s: warm-up over after ${elapsed.toFixed(1)} s (${settled ? 'caught up' : 'not caught up'})`,
        );
      }
      const limit = warm < 0 ? maxWarm : warm + total;
      const due = Math.min(limit, Math.floor(((now - started) / 1000) * rate));
      if (due > sent) {
        const stampAt = Math.max(Date.now(), warm < 0 ? 0 : measureFrom);
        const batch: ProducerRecord[] = [];
        for (; sent < due; sent++) batch.push(orders.take(sent, pipeline.topics.orders, stampAt));
        // a late tick can owe thousands of records: keep each request under the broker's 1 MB limit
        for (let i = 0; i < batch.length; i += 500) await producer.send(batch.slice(i, i + 500));
      }
      if (warm < 0) ticks.push([performance.now(), sent]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const warmSeconds = (firstAppend - started) / 1000;
    const sendSeconds = (performance.now() - firstAppend) / 1000;
    await producer.close();
    ctx.progress(
      `latency @${rate}/s: ${warm} warm-up + ${total} measured orders appended (${sendSeconds.toFixed(1)} s measured); draining`,
    );
    await waitFor(() => seenAll + rejected >= warm + total, pipeline, 'every decision to be committed');
    reading = false;
    await readLoop;
    await reader.close();
    const d = decision.slice(0, decided).sort();
    const c = committed.slice(0, seen).sort();
    const name = `${caseName(target)} latency at ${rate} events/s`;
    return [
      {
        case: name,
        metric: 'offered_events_per_sec',
        value: Math.round(total / sendSeconds),
        unit: 'events/s',
      },
      {
        case: name,
        metric: 'events_per_sec',
        value: Math.round(decided / ((lastDecisionAt - firstAppend) / 1000)),
        unit: 'events/s',
      },
      { case: name, metric: 'warmup_s', value: Math.round(warmSeconds * 10) / 10, unit: 's' },
      { case: name, metric: 'p50_ms', value: percentile(d, 50), unit: 'ms' },
      { case: name, metric: 'p99_ms', value: percentile(d, 99), unit: 'ms' },
      { case: name, metric: 'p99_committed_ms', value: percentile(c, 99), unit: 'ms' },
    ];
  } finally {
    reading = false;
    await pipeline.close();
  }
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const orders = Number(arg(ctx.args, '--orders') ?? 20_000);
  const seconds = Number(arg(ctx.args, '--seconds') ?? 5);
  const warmup: Warmup = {
    minSeconds: Number(arg(ctx.args, '--warmup') ?? 1),
    maxSeconds: Number(arg(ctx.args, '--max-warmup') ?? 10),
  };
  const rates = (arg(ctx.args, '--rates') ?? '10000,1000').split(',').map(Number);
  const only = arg(ctx.args, '--only');
  const customersFlag = arg(ctx.args, '--customers');
  /** --customers N sets the population of both cases; each has its own default otherwise */
  const customers = (fallback: number) => (customersFlag === undefined ? fallback : Number(customersFlag));
  const commitFlag = arg(ctx.args, '--commit-interval');
  // Default: what `fraudstream start` uses (config engine.commitIntervalMs, its default when unset).
  const commitIntervalMs = Number(commitFlag ?? loadConfig({ env: {} }).engine.commitIntervalMs);
  const names = (arg(ctx.args, '--targets') ?? 'embedded,kafka').split(',');
  const maxPollFlag = arg(ctx.args, '--max-poll');
  const maxPollRecords = Number(maxPollFlag ?? loadConfig({ env: {} }).engine.maxPollRecords);
  const stateBackend = arg(ctx.args, '--state') ?? 'memory';
  if (stateBackend !== 'memory' && stateBackend !== 'lmdb')
    throw new Error(`--state: expected memory or lmdb, got "${stateBackend}"`);
  const targets: Target[] = names.includes('embedded')
    ? [{ name: 'embedded', commitIntervalMs, maxPollRecords, stateBackend }]
    : [];
  const kafka = names.includes('kafka') ? await connectKafka(ctx, arg(ctx.args, '--kafka')) : undefined;
  if (kafka) targets.push({ name: 'kafka', log: kafka, commitIntervalMs, maxPollRecords, stateBackend });
  const results: BenchResult[] = [];
  try {
    for (const target of targets) {
      if (!only || only === 'throughput')
        results.push(
          ...(await maxThroughput(
            ctx,
            target,
            orders,
            customers(CUSTOMERS),
            target === targets[0] ? arg(ctx.args, '--cpu-prof') : undefined,
          )),
        );
      if (!only || only === 'latency')
        for (const rate of rates)
          results.push(
            ...(await latencyAtRate(ctx, target, rate, seconds, warmup, customers(LATENCY_CUSTOMERS))),
          );
    }
  } finally {
    await kafka?.close();
  }
  return results;
}

/** The local broker (`bash scripts/kafka.sh start`), or none: then the kafka cases are skipped. */
async function connectKafka(ctx: BenchContext, flag: string | undefined): Promise<Log | undefined> {
  if (flag === 'off') return undefined;
  const brokers = (flag ?? process.env.FRAUDSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  try {
    // KafkaLog sends a commit's records to a partition as one batch, which the broker refuses over
    // 1 MB (MESSAGE_TOO_LARGE): ~1000 audit records of ~2 KB. lz4 keeps the JSON well under it.
    return await KafkaLog.connect({ brokers, connectTimeoutMs: 5000, compression: 'lz4' });
  } catch (err) {
    ctx.progress(`no Kafka broker at ${brokers.join(',')} (${(err as Error).message}): kafka cases skipped`);
    return undefined;
  }
}
