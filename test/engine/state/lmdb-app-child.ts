/**
 * Child process of lmdb-app-crash.test.ts: a StreamsApp counting payments per card in an LMDB store.
 *   node lmdb-app-child.ts <logDir> <stateDir> run           → runs until killed
 *   node lmdb-app-child.ts <logDir> <stateDir> finish <dump> → runs until every input record is
 *                                                             committed, dumps the store, exits 0
 */
import fs from 'node:fs';
import {
  lmdbBackend,
  type ReadOnlyKeyValueStore,
  Serdes,
  StreamBuilder,
  StreamsApp,
} from '../../../src/engine/index.ts';
import { EmbeddedLog } from '../../../src/log/index.ts';

// Same names as in lmdb-app-crash.test.ts.
const APP_ID = 'lmdb-crash-app';
const INPUT = 'lmdb-crash-payments';
const OUTPUT = 'lmdb-crash-counts';

const [logDir, stateDir, mode, dumpFile] = process.argv.slice(2);
{
  const builder = new StreamBuilder();
  builder
    .stream(INPUT, { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .count({ as: 'card-count' })
    .toStream()
    .to(OUTPUT, { key: Serdes.string(), value: Serdes.number() });
  const log = await EmbeddedLog.open({ dir: logDir });
  const app = new StreamsApp(builder.build(), {
    applicationId: APP_ID,
    log,
    stateDir,
    stateBackend: lmdbBackend(),
    commitIntervalMs: 20,
    maxPollRecords: 25,
  });
  await app.start();
  process.stdout.write('started\n');
  if (mode === 'finish') {
    const [{ latest }] = await log.admin().listOffsets(INPUT);
    const view = app.store<ReadOnlyKeyValueStore<string, number>>('card-count');
    while (true) {
      const [committed] = await log.admin().committedOffsets(APP_ID, [INPUT]);
      // start() returns before the first poll assigns (and restores) the task: when an earlier run
      // already committed every input record, wait for the task's store, or the dump would be empty.
      if ((committed?.offset ?? 0) >= latest && view.approximateNumEntries() > 0) break;
      if (app.state === 'failed') await app.done();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    fs.writeFileSync(dumpFile, JSON.stringify([...view.all()].map((e) => [e.key, e.value])));
    await app.close();
    await log.close();
    process.exit(0);
  }
}
