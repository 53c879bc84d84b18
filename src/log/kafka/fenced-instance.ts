/**
 * A static member's fencing, seen where the client library hides it. When another process takes a
 * consumer's groupInstanceId, the coordinator answers its heartbeat with FENCED_INSTANCE_ID; the
 * library then rejoins under the same id (taking the partitions back) instead of reporting it.
 * Heartbeat errors are visible only on the library's diagnostics channel: this file subscribes once
 * per process and tells the consumer whose client it was (KafkaConsumer.fencedByHeartbeat).
 *
 * @example
 *   if (options.groupInstanceId) watchFencedInstance(client, consumer);
 */
import { type Consumer as ClientConsumer, consumerHeartbeatChannel } from '@platformatic/kafka';
import { hasApiId } from './errors.ts';

export interface FencedListener {
  fencedByHeartbeat(error: unknown): void;
}

const fencedWatch = new WeakMap<object, FencedListener>();
let fencedWatchSubscribed = false;

export function watchFencedInstance(client: ClientConsumer, consumer: FencedListener): void {
  fencedWatch.set(client, consumer);
  if (fencedWatchSubscribed) return;
  fencedWatchSubscribed = true;
  consumerHeartbeatChannel.subscribe({
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error(context: unknown) {
      const { client, error } = context as { client?: object; error?: unknown };
      if (client && hasApiId(error, 'FENCED_INSTANCE_ID')) fencedWatch.get(client)?.fencedByHeartbeat(error);
    },
  });
}
