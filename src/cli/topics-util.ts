/** Topic helpers shared by commands. */
import { FraudstreamError } from '../errors.ts';
import type { Log } from '../log/index.ts';
import type { Output } from './command.ts';

/** Create `topic` if it does not exist yet (like Kafka's auto-create), saying so on stderr. */
export async function ensureTopic(
  log: Log,
  topic: string,
  partitions: number,
  stderr: Output,
): Promise<void> {
  const admin = log.admin();
  if ((await admin.listTopics()).includes(topic)) return;
  await admin.createTopic({ name: topic, partitions }, { ifNotExists: true });
  stderr.write(`created topic ${topic} (${partitions} partition${partitions === 1 ? '' : 's'})\n`);
}

/** Throw FS_UNKNOWN_TOPIC with the existing topics listed, for user-facing commands. */
export async function requireTopic(log: Log, topic: string): Promise<void> {
  const topics = await log.admin().listTopics();
  if (!topics.includes(topic)) {
    throw new FraudstreamError(
      'FS_UNKNOWN_TOPIC',
      `topic '${topic}' does not exist${topics.length > 0 ? ` (topics: ${topics.sort().join(', ')})` : ' (no topics yet)'}`,
    );
  }
}
