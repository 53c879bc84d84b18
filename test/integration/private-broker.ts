/**
 * A PRIVATE Kafka broker for tests that restart it (scripts/kafka.sh on spare ports with its own
 * data dir, so the shared broker and other tests are untouched). Tests using one take a
 * machine-wide lock first, so two never run at once: three JVMs plus workers on a 2-core CI
 * machine starve each other's transaction coordinators and turn a 20 s test into a time-out.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isFraudstreamError } from '../../src/errors.ts';
import type { Producer, ProducerRecord } from '../../src/log/types.ts';

const run = promisify(execFile);
const script = path.resolve(import.meta.dirname, '../../scripts/kafka.sh');
const version = process.env.FRAUDSTREAM_KAFKA_VERSION ?? '4.4.0';
const cache =
  process.env.FRAUDSTREAM_KAFKA_CACHE ?? path.join(os.homedir(), '.cache', 'fraudstream', `kafka-${version}`);
const cached = fs.existsSync(path.join(cache, '.complete'));
if (!cached && process.env.CI)
  throw new Error(`CI must run the broker restart tests, but no broker jars are cached in ${cache}`);

/** `false`, or why the private-broker tests are skipped here (never under CI). */
export const privateBrokerSkip: false | string = cached
  ? false
  : `no Kafka jars cached in ${cache} (run: bash scripts/kafka.sh start)`;

export interface PrivateBroker {
  brokers: string[];
  /** its data directory (removed by `cleanup`) */
  dataDir: string;
  cleanup(): void;
  /** scripts/kafka.sh start | stop | status for this broker */
  run(command: 'start' | 'stop' | 'status'): Promise<unknown>;
}

/** A broker on `port`..`port + 3`, started on demand; takes the lock (released at process exit). */
export async function privateBroker(
  port: number,
  extraEnv: Record<string, string> = {},
): Promise<PrivateBroker> {
  const release = await acquireLock();
  // Released when this test file's process exits, whatever the outcome.
  process.once('exit', release);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `fs-kafka-${port}-`));
  const env = {
    ...process.env,
    FRAUDSTREAM_KAFKA_DATA: dataDir,
    FRAUDSTREAM_KAFKA_PORT: String(port),
    FRAUDSTREAM_KAFKA_SASL_PORT: String(port + 1),
    FRAUDSTREAM_KAFKA_CONTROLLER_PORT: String(port + 2),
    FRAUDSTREAM_KAFKA_SSL_PORT: String(port + 3),
    FRAUDSTREAM_KAFKA_START_TIMEOUT: '240',
    ...extraEnv,
  };
  return {
    brokers: [`127.0.0.1:${port}`],
    dataDir,
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
    run: (command) => run('bash', [script, command], { env, timeout: 300_000 }),
  };
}

/** Sends, retrying retriable failures (the broker is down for a while) until `timeoutMs`. */
export async function sendRetrying(
  producer: Producer,
  records: ProducerRecord[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await producer.send(records);
      return;
    } catch (error) {
      if (!isFraudstreamError(error) || !error.retriable || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

const LOCK = path.join(os.tmpdir(), 'fraudstream-private-broker.lock');

function ownerAlive(): boolean {
  try {
    process.kill(Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

async function acquireLock(maxWaitMs = 20 * 60_000): Promise<() => void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return () => fs.rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await sleep(500);
      // A lock left by a killed test process is taken over.
      if (!ownerAlive()) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited ${maxWaitMs} ms for ${LOCK}`);
    }
  }
}
