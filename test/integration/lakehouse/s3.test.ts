import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { isFraudstreamError } from '../../../src/errors.ts';
import { DeltaLog, DeltaTable, LAST_CHECKPOINT } from '../../../src/lakehouse/delta/index.ts';
import { S3ObjectStore } from '../../../src/lakehouse/storage/index.ts';
import { scratchDir, transactionRows, transactionSchema } from '../../lakehouse/fixtures.ts';
import { mavenArtifact } from './maven.ts';

// S3Proxy 3.1.0 (Maven Central) answers `If-None-Match: *` with 412 when the key exists; 2.7.0
// ignored the header. It (like Adobe S3Mock 4.8.0) checks and writes non-atomically, so two
// *simultaneous* conditional PUTs can both succeed: this suite therefore checks the conditional
// semantics sequentially, and the concurrent-writer protocol test runs on the local store. See
// docs/lakehouse.md "S3".
const S3PROXY = 'org.gaul:s3proxy:3.1.0:jar:jar-with-dependencies';

let server: ChildProcess | null = null;
let client: S3Client | null = null;
let skipReason: string | null = null;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

before(async () => {
  const jar = await mavenArtifact('s3proxy', S3PROXY);
  if (!jar.file) {
    if (process.env.CI) throw new Error(`S3Proxy could not be fetched from Maven Central: ${jar.reason}`);
    skipReason = `Maven Central unreachable, S3Proxy not fetched: ${jar.reason}`;
    return;
  }
  const port = await freePort();
  const dir = scratchDir('s3proxy');
  const conf = path.join(dir, 's3proxy.conf');
  writeFileSync(
    conf,
    [
      `s3proxy.endpoint=http://127.0.0.1:${port}`,
      's3proxy.authorization=none',
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${path.join(dir, 'data')}`,
      'jclouds.identity=local',
      'jclouds.credential=local',
    ].join('\n'),
  );
  server = spawn('java', ['-jar', jar.file, '--properties', conf], { stdio: 'ignore' });
  client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (let i = 0; ; i++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'lake' }));
      break;
    } catch (err) {
      if (i > 120) throw err;
      await sleep(500);
    }
  }
});

after(() => {
  client?.destroy();
  server?.kill('SIGTERM');
});

test('S3 store: conditional put-if-absent, get, list, stat, delete against S3Proxy', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const store = new S3ObjectStore({ bucket: 'lake', prefix: 'store-test', client: client! });
  assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', 'first'), true);
  assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', 'second'), false);
  assert.equal((await store.get('_delta_log/00000000000000000000.json')).toString(), 'first');
  await store.put('b.parquet', Buffer.from('bb'));
  assert.deepEqual(
    (await store.list('')).map((o) => [o.key, o.size]),
    [
      ['_delta_log/00000000000000000000.json', 5],
      ['b.parquet', 2],
    ],
  );
  assert.equal((await store.stat('b.parquet'))?.size, 2);
  await store.delete('b.parquet');
  assert.equal(await store.stat('b.parquet'), null);
  await assert.rejects(store.get('b.parquet'), (err) => isFraudstreamError(err, 'FS_NOT_FOUND'));
});

test('a Delta table on S3: appends, checkpoint, txn idempotence, reopen from the log', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const store = new S3ObjectStore({ bucket: 'lake', prefix: 'bronze/transactions', client: client! });
  const table = await DeltaTable.create(store, { schema: transactionSchema });
  for (let i = 0; i < 11; i++)
    await table.append(transactionRows(i * 4, 4), { txn: { appId: 's3-task-0', version: i } });
  assert.equal(
    (await table.append(transactionRows(0, 4), { txn: { appId: 's3-task-0', version: 3 } })).skipped,
    true,
  );
  assert.equal(JSON.parse((await store.get(LAST_CHECKPOINT)).toString()).version, 10);
  // a second handle (a stale writer) loses the race for version 12 on the conditional PUT and retries
  const stale = await DeltaTable.open(store);
  await table.append(transactionRows(100, 4));
  const late = await stale.append(transactionRows(200, 4));
  assert.equal(late.version, 13);
  assert.equal(late.retries, 1);
  const reopened = (await new DeltaLog(store).snapshot())!;
  assert.equal(reopened.version, 13);
  assert.equal(reopened.numRecords(), 11 * 4 + 8);
  assert.equal(reopened.txnVersion('s3-task-0'), 10);
  for (const file of reopened.files.keys()) assert.ok(await store.stat(file), `${file} uploaded`);
  assert.throws(
    () => table.localFiles(),
    (err) => isFraudstreamError(err, 'FS_USAGE'),
  );
});
