/**
 * Kafka throughput through the local broker (`bash scripts/kafka.sh start`): our KafkaLog vs
 * kcat (librdkafka, C) as the client ceiling, 300-byte records.
 *
 *   npm run bench -- kafka [--records=N] [--partitions=P] [--only=substring]
 *
 * Cases are a list of named runs; the engine-on-Kafka cases (`engine 1 worker`, `engine 2
 * workers`) are meant to be appended to `cases` by their owner.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { KafkaLog } from '../src/log/kafka/index.ts';
import type { ProducerRecord } from '../src/log/types.ts';
import {
  OutputReader,
  startWorker,
  stopWorker,
  type Worker,
} from '../test/integration/engine-kafka/fixtures/harness.ts';
import { payments } from '../test/integration/engine-kafka/fixtures/topology.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const RECORD_BYTES = 300;
const BATCH = 1000;

interface KafkaBenchSetup {
  brokers: string[];
  records: number;
  partitions: number;
  tmpDir: string;
  progress(message: string): void;
  /** A fresh topic with `partitions` partitions. */
  topic(prefix: string): Promise<string>;
  /** A topic already holding `records` committed records (created once, shared by consume cases). */
  filledTopic(): Promise<string>;
}

interface BenchCase {
  name: string;
  run(setup: KafkaBenchSetup): Promise<BenchResult>;
}

function perSecond(name: string, records: number, ms: number): BenchResult {
  return {
    case: name,
    metric: 'records_per_sec',
    value: Math.round((records / ms) * 1000),
    unit: 'records/s',
  };
}

function payload(i: number): Buffer {
  const head = `${i}:`;
  return Buffer.from(head + 'x'.repeat(RECORD_BYTES - head.length));
}

async function produceWithKafkaLog(
  setup: KafkaBenchSetup,
  topic: string,
  compression: 'none' | 'lz4' | 'zstd',
  transactional = false,
): Promise<number> {
  const log = await KafkaLog.connect({ brokers: setup.brokers, compression });
  try {
    const producer = await log.producer(transactional ? { transactionalId: `bench-${topic}` } : {});
    // Records are built before the clock starts, as kcat reads a prepared file.
    const batches: ProducerRecord[][] = [];
    for (let sent = 0; sent < setup.records; sent += BATCH) {
      const batch: ProducerRecord[] = [];
      for (let i = sent; i < Math.min(sent + BATCH, setup.records); i++)
        batch.push({ topic, key: Buffer.from(`card-${i % 5000}`), value: payload(i) });
      batches.push(batch);
    }
    const started = performance.now();
    // Two batches in flight: the client pipelines requests on one connection. A transactional
    // producer has one open transaction at a time: one batch per transaction, in sequence.
    const inFlight: Promise<unknown>[] = [];
    for (const batch of batches) {
      if (transactional) {
        const txn = await producer.beginTransaction();
        await txn.send(batch);
        await txn.commit();
        continue;
      }
      inFlight.push(producer.send(batch));
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const ms = performance.now() - started;
    await producer.close();
    return ms;
  } finally {
    await log.close();
  }
}

function run(command: string, args: string[], stdoutFile?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdoutFile ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    if (stdoutFile && child.stdout) child.stdout.pipe(createWriteStream(stdoutFile));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

async function writeKcatInput(setup: KafkaBenchSetup): Promise<string> {
  const file = path.join(setup.tmpDir, 'kcat-input.txt');
  const out = createWriteStream(file);
  for (let i = 0; i < setup.records; i++) {
    // kcat splits on newlines: 299 bytes + '\n' per record, key via -K
    if (
      !out.write(
        `card-${i % 5000}\t${payload(i)
          .subarray(0, RECORD_BYTES - 1)
          .toString()}\n`,
      )
    )
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

export const cases: BenchCase[] = [
  {
    name: 'produce KafkaLog idempotent (batches of 1000)',
    run: async (s) =>
      perSecond(
        'produce KafkaLog idempotent (batches of 1000)',
        s.records,
        await produceWithKafkaLog(s, await s.topic('bench-produce'), 'none'),
      ),
  },
  {
    name: 'produce KafkaLog idempotent lz4 (batches of 1000)',
    run: async (s) =>
      perSecond(
        'produce KafkaLog idempotent lz4 (batches of 1000)',
        s.records,
        await produceWithKafkaLog(s, await s.topic('bench-produce-lz4'), 'lz4'),
      ),
  },
  {
    name: 'produce KafkaLog transactional (1000 per transaction)',
    run: async (s) =>
      perSecond(
        'produce KafkaLog transactional (1000 per transaction)',
        s.records,
        await produceWithKafkaLog(s, await s.topic('bench-produce-txn'), 'none', true),
      ),
  },
  {
    name: 'consume KafkaLog read_committed (poll 1000)',
    run: async (s) => {
      const topic = await s.filledTopic();
      const log = await KafkaLog.connect({ brokers: s.brokers });
      try {
        const started = performance.now();
        const consumer = await log.consumer({
          groupId: `bench-${Date.now()}`,
          topics: [topic],
          startFrom: 'earliest',
          maxPollRecords: 1000,
        });
        let seen = 0;
        while (seen < s.records) seen += (await consumer.poll(1000)).length;
        const ms = performance.now() - started;
        await consumer.close();
        return perSecond('consume KafkaLog read_committed (poll 1000)', s.records, ms);
      } finally {
        await log.close();
      }
    },
  },
  {
    name: 'kcat produce',
    run: async (s) => {
      const input = await writeKcatInput(s);
      const topic = await s.topic('bench-kcat-produce');
      const started = performance.now();
      await run('kcat', [
        '-P',
        '-b',
        s.brokers.join(','),
        '-t',
        topic,
        '-K',
        '\t',
        '-X',
        'enable.idempotence=true',
        '-X',
        'linger.ms=5',
        '-l',
        input,
      ]);
      return perSecond('kcat produce', s.records, performance.now() - started);
    },
  },
  {
    name: 'kcat consume',
    run: async (s) => {
      const topic = await s.filledTopic();
      const started = performance.now();
      await run(
        'kcat',
        [
          '-C',
          '-b',
          s.brokers.join(','),
          '-t',
          topic,
          '-o',
          'beginning',
          '-e',
          '-q',
          '-c',
          String(s.records),
          '-X',
          'isolation.level=read_committed',
        ],
        path.join(s.tmpDir, 'kcat-out.txt'),
      );
      return perSecond('kcat consume', s.records, performance.now() - started);
    },
  },
];

/**
 * The engine end to end on Kafka: `workers` StreamsApp processes (one consumer group, exactly-once)
 * run the re-key + 10 s windowed count per card over a pre-filled 6-partition input; every input
 * yields one committed windowed-count update. Timed from the first committed output to the last, so
 * process start and the group join are not counted.
 */
async function engineOnKafka(setup: KafkaBenchSetup, workers: number): Promise<BenchResult> {
  const name = `engine ${workers} worker${workers === 1 ? '' : 's'}`;
  const events = setup.records;
  const appId = `bench-engine-${workers}w-${Date.now().toString(36)}`;
  const input = `${appId}-payments`;
  const output = `${appId}-card-window-counts`;
  const log = await KafkaLog.connect({ brokers: setup.brokers });
  const running: Worker[] = [];
  const reader = new OutputReader();
  try {
    await log.admin().createTopic({ name: input, partitions: 6 });
    await log.admin().createTopic({ name: output, partitions: 6 });
    const producer = await log.producer();
    for (let i = 0; i < events; i += BATCH)
      await producer.send(payments(input, i, Math.min(BATCH, events - i), 5000));
    await producer.close();
    setup.progress(`${name}: ${events} payments in ${input}, starting ${workers} worker(s)`);
    await reader.start(log, output, `${appId}-reader`);
    for (let w = 0; w < workers; w++) {
      running.push(
        startWorker({
          brokers: setup.brokers,
          applicationId: appId,
          instanceId: `w${w}`,
          stateDir: path.join(setup.tmpDir, appId, `w${w}`),
          input,
          output,
          topology: 'windowed',
          sessionTimeoutMs: 10_000,
        }),
      );
    }
    await Promise.all(running.map((w) => w.started));
    await reader.waitFor(events, 600_000, () => running.map((w) => w.stderr().slice(-500)).join(' | '));
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const r of reader.records) {
      first = Math.min(first, r.arrivedAt);
      last = Math.max(last, r.arrivedAt);
    }
    return {
      case: name,
      metric: 'events_per_sec',
      value: Math.round((events / (last - first)) * 1000),
      unit: 'events/s',
    };
  } finally {
    await Promise.all(running.map((w) => stopWorker(w)));
    await reader.close().catch(() => {});
    for (const topic of (await log.admin().listTopics()).filter((t) => t.startsWith(appId)))
      await log
        .admin()
        .deleteTopic(topic)
        .catch(() => {});
    await log.close();
  }
}

cases.push(
  { name: 'engine 1 worker', run: (s) => engineOnKafka(s, 1) },
  { name: 'engine 2 workers', run: (s) => engineOnKafka(s, 2) },
);

function arg(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

export default async function kafkaBench(ctx: BenchContext): Promise<BenchResult[]> {
  const brokers = (process.env.FRAUDSTREAM_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const records = Number(arg(ctx.args, 'records') ?? 200_000);
  const partitions = Number(arg(ctx.args, 'partitions') ?? 3);
  const only = arg(ctx.args, 'only');
  const admin = await KafkaLog.connect({ brokers, connectTimeoutMs: 5000 });
  const created: string[] = [];
  let filled: Promise<string> | undefined;
  const setup: KafkaBenchSetup = {
    brokers,
    records,
    partitions,
    tmpDir: ctx.tmpDir,
    progress: ctx.progress,
    topic: async (prefix) => {
      const name = `${prefix}-${Date.now().toString(36)}`;
      await admin.admin().createTopic({ name, partitions });
      created.push(name);
      return name;
    },
    filledTopic: () => {
      filled ??= (async () => {
        const topic = await setup.topic('bench-consume');
        ctx.progress(`filling ${topic} with ${records} records`);
        await produceWithKafkaLog(setup, topic, 'none');
        return topic;
      })();
      return filled;
    },
  };
  const results: BenchResult[] = [];
  try {
    for (const c of cases) {
      if (only && !c.name.includes(only)) continue;
      ctx.progress(`${c.name}: ${records} records of ${RECORD_BYTES} B, ${partitions} partitions`);
      const result = await c.run(setup);
      ctx.progress(`${c.name}: ${result.value} ${result.unit}`);
      results.push(result);
    }
  } finally {
    for (const topic of created)
      await admin
        .admin()
        .deleteTopic(topic)
        .catch(() => {});
    await admin.close();
  }
  return results;
}
