/**
 * Child process for static-membership.test.ts: joins `group` as static member `instance`,
 * prints its assignment as one JSON line once it holds `expect` partitions, then keeps polling
 * until it is SIGKILLed.
 */
import { KafkaLog } from '../../../src/log/kafka/index.ts';

const [brokers, topic, group, instance, expect] = process.argv.slice(2);
const log = await KafkaLog.connect({ brokers: brokers.split(','), sessionTimeoutMs: 60_000 });
const consumer = await log.consumer({
  groupId: group,
  topics: [topic],
  groupInstanceId: instance,
  startFrom: 'earliest',
});
let reported = false;
for (;;) {
  await consumer.poll(200);
  if (!reported && consumer.assignment().length === Number(expect)) {
    reported = true;
    process.stdout.write(
      `${JSON.stringify(
        consumer
          .assignment()
          .map((tp) => tp.partition)
          .sort(),
      )}\n`,
    );
  }
}
