/**
 * A static member's fencing, seen where the client library hides it. When another process takes a
 * consumer's groupInstanceId, the coordinator answers the old member's next group request with
 * FENCED_INSTANCE_ID: its heartbeat, or a JoinGroup it had sent before (a rebalance was under way
 * when the replacement joined). The library then rejoins under the same id, which fences the
 * replacement, whose own rejoin fences this one again, until one of them runs out of retries.
 *
 * Every response error of a client's connections is published on the library's `connections:api`
 * diagnostics channel, before the library acts on it, with the connection's owner (the client's
 * instanceId). This file subscribes once per process and tells the consumer whose connection it
 * was (KafkaConsumer.fencedInstanceId), in time for it to refuse the rejoin.
 *
 * @example
 *   if (options.groupInstanceId) unwatch = watchFencedInstance(client, consumer);
 */
import { type Consumer as ClientConsumer, connectionsApiChannel } from '@platformatic/kafka';
import { FraudstreamError } from '../../errors.ts';
import { hasApiId } from './errors.ts';

export interface FencedListener {
  fencedInstanceId(error: unknown): void;
}

/** Listeners by their client's instanceId (the owner id of every connection it opens). */
const fencedWatch = new Map<number, FencedListener>();
let fencedWatchSubscribed = false;

/** Watches `client`'s responses for FENCED_INSTANCE_ID; returns the function that stops it. */
export function watchFencedInstance(client: ClientConsumer, consumer: FencedListener): () => void {
  const owner = client.instanceId;
  fencedWatch.set(owner, consumer);
  if (!fencedWatchSubscribed) {
    fencedWatchSubscribed = true;
    connectionsApiChannel.subscribe({
      start() {},
      end() {},
      asyncStart() {},
      asyncEnd() {},
      error(context: unknown) {
        const { connection, error } = context as { connection?: { ownerId?: number }; error?: unknown };
        const listener = connection?.ownerId === undefined ? undefined : fencedWatch.get(connection.ownerId);
        if (listener && hasApiId(error, 'FENCED_INSTANCE_ID')) listener.fencedInstanceId(error);
      },
    });
  }
  return () => {
    if (fencedWatch.get(owner) === consumer) fencedWatch.delete(owner);
  };
}

/** The error a fenced static member fails with (fatal: it must not rejoin). */
export function memberFenced(
  groupId: string,
  instanceId: string | undefined,
  cause: unknown,
): FraudstreamError {
  return new FraudstreamError(
    'FS_MEMBER_FENCED',
    `consumer of group "${groupId}": another consumer took its groupInstanceId "${instanceId}"`,
    { cause },
  );
}
