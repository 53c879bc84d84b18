/**
 * Child process of the medallion crash test: runs the medallion on the embedded log.
 *   node medallion-child.ts <logDir> <stateDir> <lakeDir> run                → runs until killed
 *   node medallion-child.ts <logDir> <stateDir> <lakeDir> finish <closers>  → catches up, appends the
 *     closer records (JSON file), catches up again, stops cleanly, exits 0
 */
import fs from 'node:fs';
import { Medallion } from '../../../src/apps/lake/medallion.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';
import type { InputRecord } from '../../apps/lake/fixtures.ts';

const [logDir, stateDir, lakeDir, mode, closersFile] = process.argv.slice(2);
const log = await EmbeddedLog.open({ dir: logDir });
const medallion = new Medallion({
  log,
  basePath: lakeDir,
  stateDir,
  commitIntervalMs: 20,
  maxPollRecords: 100,
  maxBatchRows: 150,
  maxBatchDelayMs: 30,
  onError: (err) => {
    process.stderr.write(`medallion failed: ${(err as Error).stack}\n`);
    process.exit(3);
  },
});
await medallion.start();
process.stdout.write('started\n');

const GROUPS: Record<string, string[]> = {
  'fraudstream-lake': [
    'orders',
    'transactions',
    'lake.silver.transactions',
    'fraudstream-lake-lake-gold-by-merchant-repartition',
  ],
  'fraudstream-lake-lake-bronze': ['orders', 'transactions', 'postgres.public.transactions'],
  'fraudstream-lake-lake-silver': ['lake.silver.transactions'],
  'fraudstream-lake-lake-gold': ['lake.gold.transactions'],
  'fraudstream-lake-lake-fraud_detection': ['fraud.scored'],
};

/** Every group of the medallion has committed every record of every topic it reads. */
async function caughtUp(): Promise<boolean> {
  const admin = log.admin();
  for (const [group, topics] of Object.entries(GROUPS)) {
    const committed = new Map(
      (await admin.committedOffsets(group, topics)).map((o) => [`${o.topic}/${o.partition}`, o.offset]),
    );
    for (const topic of topics) {
      for (const p of await admin.listOffsets(topic)) {
        if ((committed.get(`${topic}/${p.partition}`) ?? 0) < p.latest) return false;
      }
    }
  }
  return true;
}

async function settle(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let stable = 0; stable < 3; ) {
    if (Date.now() > deadline) throw new Error('the medallion did not catch up within 60 s');
    await new Promise((r) => setTimeout(r, 200));
    stable = (await caughtUp()) ? stable + 1 : 0;
  }
}

if (mode === 'finish') {
  await settle();
  const closers = JSON.parse(fs.readFileSync(closersFile, 'utf8')) as InputRecord[];
  const producer = await log.producer();
  await producer.send(
    closers.map((r) => ({
      topic: r.topic,
      key: Buffer.from(r.key),
      value: Buffer.from(JSON.stringify(r.value)),
      timestamp: r.timestamp,
    })),
  );
  await producer.close();
  await settle();
  await medallion.stop();
  await log.close();
  process.stdout.write(`finished ${JSON.stringify(medallion.stats())}\n`);
  process.exit(0);
}
