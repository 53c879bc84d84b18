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
  const ensure = async (name: string, n: number, cleanupPolicy: 'delete' | 'compact') => {
    if (!existing.has(name)) {
      await admin.createTopic({ name, partitions: n, cleanupPolicy }, { ifNotExists: true });
      existing.add(name);
    }
    partitions.set(name, (await admin.describeTopic(name)).partitions);
  };
  for (const [t, n] of counts) {
    if (topology.isInternal(t)) await ensure(topology.topicName(appId, t), n, 'delete');
    else partitions.set(t, n);
  }
  for (const sub of topology.subtopologies) {
    const n = Math.max(...sub.sourceTopics.map((t) => counts.get(t) ?? 1));
    for (const s of sub.stores) if (s.changelog) await ensure(`${appId}-${s.name}-changelog`, n, 'compact');
  }
  const maxSource = Math.max(1, ...counts.values());
  for (const t of topology.externalSinkTopics()) await ensure(t, maxSource, 'delete');
  for (const t of [...sideTopics, ...topology.sideOutputTopics]) await ensure(t, 1, 'delete');
  return partitions;
}
