/**
 * The medallion on Kafka, SIGKILLed once (issue 7 acceptance, "once on Kafka"): a child process runs
 * the medallion on KafkaLog against the local broker and is killed mid-work; a second child finishes.
 * Bronze must hold each (topic, partition, offset) exactly once, silver each valid id once, and gold
 * equal a recomputation from silver (minus what gold reported late). Skips without a broker (see
 * test/log/kafka/broker.ts; CI fails instead).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MEDALLION_TOPICS, type MedallionTopics } from '../../../src/apps/lake/tables.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';
import type { Consumer } from '../../../src/log/types.ts';
import { type InputRecord, medallionInput, T0 } from '../../apps/lake/fixtures.ts';
import { readLakeTable, waitFor } from '../../apps/lake/lake-tables.ts';
import { kafkaAvailable, uniqueName } from '../../log/kafka/broker.ts';
import { goldCells, recomputeGold, sorted } from './gold-check.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'medallion-kafka-child.ts');
const kafka = await kafkaAvailable();

function spawnChild(config: unknown) {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('started') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before starting: ${stderr}`)));
  });
  started.catch(() => {});
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, started, exited, stderr: () => stderr };
}

test('medallion on Kafka SIGKILLed once: bronze positions once, gold equals a recomputation from silver', {
  skip: kafka.ok ? false : kafka.reason,
  timeout: 240_000,
}, async () => {
  if (!kafka.ok) return;
  const prefix = uniqueName('medallion');
  const topics = Object.fromEntries(
    Object.entries(MEDALLION_TOPICS).map(([k, v]) => [k, `${prefix}.${v}`]),
  ) as MedallionTopics;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-medallion-kafka-'));
  const config = {
    brokers: kafka.brokers,
    applicationId: prefix,
    topics,
    lakeDir: path.join(dir, 'lake'),
    stateDir: path.join(dir, 'state'),
  };
  const log = await KafkaLog.connect({ brokers: kafka.brokers, clientId: `${prefix}-test` });
  let lateReader: Consumer | undefined;
  const children: Array<ReturnType<typeof spawnChild>> = [];
  try {
    const { records, closers } = medallionInput(400, 23);
    const cdc: InputRecord[] = Array.from({ length: 40 }, (_, i) => ({
      topic: topics.cdcTransactions,
      key: JSON.stringify({ id: i }),
      value: { before: null, after: { id: i }, source: { lsn: `0/${i}` }, op: 'c', ts_ms: T0 + i },
      timestamp: T0 + i,
    }));
    const input = [...records.map((r) => ({ ...r, topic: topics.orders })), ...cdc];
    const finalInput = closers.map((r) => ({ ...r, topic: topics.orders }));
    for (const name of [topics.orders, topics.transactions, topics.cdcTransactions, topics.scored])
      await log.admin().createTopic({ name, partitions: 3 });
    const producer = await log.producer();
    const send = (rs: InputRecord[]) =>
      producer.send(
        rs.map((r) => ({
          topic: r.topic,
          key: Buffer.from(r.key),
          value: Buffer.from(JSON.stringify(r.value)),
          timestamp: r.timestamp,
        })),
      );
    await send(input);

    const first = spawnChild(config);
    children.push(first);
    await first.started;
    await waitFor(
      async () => (await readLakeTable(config.lakeDir, 'bronze')).rows.length > 0,
      60_000,
      'a first bronze commit',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await send(finalInput);
    await producer.close();

    const second = spawnChild(config);
    children.push(second);
    await second.started;
    const late = new Set<string>();
    lateReader = await log.consumer({
      groupId: `${prefix}-late-check`,
      topics: [topics.goldLate],
      startFrom: 'earliest',
      isolation: 'read_committed',
    });
    const sent = input.length + finalInput.length;
    const converged = async () => {
      for (const r of await (lateReader as Consumer).poll(50))
        late.add(JSON.parse(String(r.value)).transaction_id);
      const bronze = (await readLakeTable(config.lakeDir, 'bronze')).rows.length;
      const silver = (await readLakeTable(config.lakeDir, 'silver')).rows;
      if (bronze < sent || silver.length < 440) return false;
      const gold = (await readLakeTable(config.lakeDir, 'gold')).rows;
      const expected = recomputeGold(silver, late, closers[0].timestamp - (closers[0].timestamp % 600_000));
      return gold.length > 0 && JSON.stringify(sorted(goldCells(gold))) === JSON.stringify(sorted(expected));
    };
    await waitFor(converged, 150_000, 'the tables to converge');
    second.child.kill('SIGTERM');
    assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderr());

    const bronze = (await readLakeTable(config.lakeDir, 'bronze')).rows;
    assert.equal(bronze.length, sent, 'bronze row count');
    assert.equal(
      new Set(bronze.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).size,
      sent,
      'no position twice',
    );
    const silver = (await readLakeTable(config.lakeDir, 'silver')).rows;
    assert.equal(new Set(silver.map((r) => r.transaction_id)).size, silver.length, 'no id twice in silver');
    assert.equal(silver.length, 440);
    const gold = (await readLakeTable(config.lakeDir, 'gold')).rows;
    assert.deepEqual(
      sorted(goldCells(gold)),
      sorted(recomputeGold(silver, late, closers[0].timestamp - (closers[0].timestamp % 600_000))),
    );
  } finally {
    for (const c of children)
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await lateReader?.close().catch(() => {});
    // our topics and the medallion's internal ones (repartition, changelog) all start with the prefix
    const mine = (
      await log
        .admin()
        .listTopics()
        .catch(() => [] as string[])
    ).filter((t) => t.startsWith(prefix));
    for (const name of mine)
      await log
        .admin()
        .deleteTopic(name)
        .catch(() => {});
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
