/**
 * Topics an application needs before it starts: its external sources must exist (their partition
 * counts decide the tasks); repartition topics, compacted changelogs, sinks, the dead-letter and
 * late-records topics are created when missing. Returns the partition count of every topic.
 */
import { FraudstreamError } from '../../errors.ts';
import type { Log } from '../../log/types.ts';
import type { Topology } from '../topology/topology.ts';

export async function prepareTopics(
  log: Log,
  topology: Topology,
  appId: string,
  sideTopics: string[],
): Promise<Map<string, number>> {
  const admin = log.admin();
  const partitions = new Map<string, number>();
  const existing = new Set(await admin.listTopics());
  const external = new Map<string, number>();
  for (const t of topology.externalSourceTopics()) {
    if (!existing.has(t))
      throw new FraudstreamError(
        'FS_UNKNOWN_TOPIC',
        `source topic "${t}" does not exist; create it before starting "${appId}"`,
      );
    external.set(t, (await admin.describeTopic(t)).partitions);
  }
  const counts = topology.resolvePartitions((t) => external.get(t));
  // Every topic the app writes or reads internally, first mention wins (as created one by one).
  const wanted = new Map<string, { partitions: number; cleanupPolicy: 'delete' | 'compact' }>();
  const want = (name: string, partitions: number, cleanupPolicy: 'delete' | 'compact') => {
    if (!wanted.has(name)) wanted.set(name, { partitions, cleanupPolicy });
  };
  for (const [t, n] of counts) {
    if (topology.isInternal(t)) want(topology.topicName(appId, t), n, 'delete');
    else partitions.set(t, n);
  }
  for (const sub of topology.subtopologies) {
    const n = Math.max(...sub.sourceTopics.map((t) => counts.get(t) ?? 1));
    for (const s of sub.stores) if (s.changelog) want(`${appId}-${s.name}-changelog`, n, 'compact');
  }
  const maxSource = Math.max(1, ...counts.values());
  for (const t of topology.externalSinkTopics()) want(t, maxSource, 'delete');
  for (const t of [...sideTopics, ...topology.sideOutputTopics]) want(t, 1, 'delete');
  // Created concurrently: on Kafka each creation is a controller round trip (~30 ms here) plus a
  // wait for the partition leaders, and a first start creates a dozen topics.
  await Promise.all(
    [...wanted]
      .filter(([name]) => !existing.has(name))
      .map(([name, spec]) => admin.createTopic({ name, ...spec }, { ifNotExists: true })),
  );
  const described = await Promise.all([...wanted.keys()].map((name) => admin.describeTopic(name)));
  for (const d of described) partitions.set(d.name, d.partitions);
  return partitions;
}
