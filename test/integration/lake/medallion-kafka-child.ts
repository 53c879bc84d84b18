/**
 * Child process of the medallion-on-Kafka crash test: `node medallion-kafka-child.ts '<json config>'`
 * runs the medallion on KafkaLog until SIGKILLed, or until SIGTERM (then it stops cleanly, exit 0).
 */
import { Medallion } from '../../../src/apps/lake/medallion.ts';
import type { MedallionTopics } from '../../../src/apps/lake/tables.ts';
import { KafkaLog } from '../../../src/log/kafka/index.ts';

const config = JSON.parse(process.argv[2]) as {
  brokers: string[];
  applicationId: string;
  topics: MedallionTopics;
  lakeDir: string;
  stateDir: string;
};
const log = await KafkaLog.connect({
  brokers: config.brokers,
  clientId: `${config.applicationId}-child`,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  // a killed child's open transaction blocks read_committed readers this long (see
  // test/integration/engine-kafka/fixtures/worker.ts: the client uses requestTimeoutMs for it)
  transactionTimeoutMs: 8000,
  requestTimeoutMs: 8000,
  connectTimeoutMs: 30_000,
});
const medallion = new Medallion({
  log,
  basePath: config.lakeDir,
  stateDir: config.stateDir,
  applicationId: config.applicationId,
  topics: config.topics,
  commitIntervalMs: 50,
  maxPollRecords: 100,
  maxBatchRows: 150,
  maxBatchDelayMs: 50,
  onError: (err) => {
    process.stderr.write(`medallion failed: ${(err as Error).stack}\n`);
    process.exit(3);
  },
});
await medallion.start();
process.stdout.write('started\n');
process.once('SIGTERM', () => {
  void (async () => {
    await medallion.stop();
    await log.close();
    process.stdout.write(`stopped ${JSON.stringify(medallion.stats())}\n`);
    process.exit(0);
  })();
});
