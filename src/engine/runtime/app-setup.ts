/**
 * What a StreamsApp derives from its configuration before it joins the group: the real names of its
 * topics, the environment its tasks share, and its producer (transactional under exactly-once).
 *
 * @example
 *   const topics = appTopics(topology, config);
 *   const env = taskEnv(topology, config, topics, metrics, (t) => partitions.get(t) ?? 1);
 *   const producer = await openAppProducer(config);
 */
import type { Producer } from '../../log/types.ts';
import { memoryBackend } from '../state/stores.ts';
import type { Topology } from '../topology/topology.ts';
import type { EngineMetrics } from './metrics.ts';
import type { StreamsConfig } from './streams-config.ts';
import type { TaskEnv } from './task.ts';

export interface AppTopics {
  /** Every source topic of the topology (real names): what the app's consumer subscribes to. */
  inputs: string[];
  /** The internal (repartition) topics among them, purged below their committed offsets. */
  repartition: string[];
  deadLetter: string;
  lateRecords: string;
}

export function appTopics(topology: Topology, config: Readonly<StreamsConfig>): AppTopics {
  const appId = config.applicationId;
  const sources = topology.subtopologies.flatMap((s) => s.sourceTopics);
  return {
    inputs: sources.map((t) => topology.topicName(appId, t)),
    repartition: sources.filter((t) => topology.isInternal(t)).map((t) => topology.topicName(appId, t)),
    deadLetter: config.deadLetterTopic ?? `${appId}-dlq`,
    lateRecords: config.lateRecordsTopic ?? `${appId}-late-records`,
  };
}

export function taskEnv(
  topology: Topology,
  config: Readonly<StreamsConfig>,
  topics: AppTopics,
  metrics: EngineMetrics,
  partitionsOf: (topic: string) => number,
): TaskEnv {
  return {
    applicationId: config.applicationId,
    topology,
    stateDir: config.stateDir ?? './data/state',
    defaultBackend: config.stateBackend ?? memoryBackend(),
    clock: Date.now,
    allowedLatenessMs: config.allowedLatenessMs ?? 0,
    deserializationErrorHandler: config.deserializationErrorHandler,
    processingErrorHandler: config.processingErrorHandler,
    productionErrorHandler: config.productionErrorHandler,
    deadLetterTopic: topics.deadLetter,
    lateRecordsTopic: topics.lateRecords,
    metrics,
    partitionsOf,
    storeCommitIntervalMs: config.storeCommitIntervalMs ?? 300,
  };
}

/** Transactional (id `<applicationId>-<instanceId>`) under exactly-once, else idempotent. */
export function openAppProducer(config: Readonly<StreamsConfig>): Promise<Producer> {
  const exactlyOnce = (config.processingGuarantee ?? 'exactly_once') === 'exactly_once';
  return config.log.producer(
    exactlyOnce
      ? { transactionalId: `${config.applicationId}-${config.instanceId ?? '0'}` }
      : { idempotent: true },
  );
}
