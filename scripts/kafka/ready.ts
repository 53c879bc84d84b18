/**
 * Exit 0 when the broker at argv[2] answers a metadata request, 1 otherwise.
 * Used by scripts/kafka.sh to wait until a started broker is usable.
 */
import { Admin } from '@platformatic/kafka';

const address = process.argv[2] ?? '127.0.0.1:9092';
const admin = new Admin({
  clientId: 'fraudstream-ready',
  bootstrapBrokers: [address],
  retries: 0,
  connectTimeout: 2000,
  timeout: 5000,
});
try {
  const metadata = await admin.metadata({ topics: [] });
  if (metadata.brokers.size === 0) throw new Error('no brokers in metadata');
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`not ready: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await admin.close().catch(() => {});
}
