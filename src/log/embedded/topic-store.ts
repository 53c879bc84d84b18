/**
 * Topic metadata and partitions on disk: `<dir>/topics/<topic>/topic.json` (written durably, so
 * it is either the old or the new version) and one directory per partition.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../errors.ts';
import { checkTopicSpec } from '../topic-spec.ts';
import type { TopicDescription, TopicSpec } from '../types.ts';
import { syncDir, writeFileDurably } from './durable-file.ts';
import { PartitionStore } from './partition-store.ts';
import type { RecoveryReport } from './segment.ts';

export const DEFAULT_SEGMENT_BYTES = 64 << 20;

export interface EmbeddedTopic {
  description: TopicDescription;
  dir: string;
  partitions: PartitionStore[];
}

export function validateTopicSpec(spec: TopicSpec): TopicDescription {
  checkTopicSpec(spec);
  const segmentBytes = spec.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > 2 ** 31) {
    throw new FraudstreamError(
      'FS_INVALID_ARGUMENT',
      `topic "${spec.name}": segmentBytes must be in 1..2^31, got ${segmentBytes}`,
    );
  }
  return {
    name: spec.name,
    partitions: spec.partitions,
    cleanupPolicy: spec.cleanupPolicy ?? 'delete',
    retentionMs: spec.retentionMs ?? -1,
    retentionBytes: spec.retentionBytes ?? -1,
    segmentBytes,
  };
}

export function createTopicOnDisk(topicsDir: string, description: TopicDescription): EmbeddedTopic {
  const dir = path.join(topicsDir, description.name);
  fs.mkdirSync(dir, { recursive: true });
  const partitions: PartitionStore[] = [];
  for (let p = 0; p < description.partitions; p++) {
    partitions.push(PartitionStore.open(description.name, p, path.join(dir, String(p))).store);
  }
  writeFileDurably(path.join(dir, 'topic.json'), `${JSON.stringify(description, null, 2)}\n`);
  syncDir(topicsDir);
  return { description, dir, partitions };
}

/** Loads every topic; a directory without topic.json is a half-created or half-deleted topic. */
export function loadTopics(
  topicsDir: string,
  cleanShutdown: boolean,
): {
  topics: Map<string, EmbeddedTopic>;
  reports: RecoveryReport[];
} {
  fs.mkdirSync(topicsDir, { recursive: true });
  const topics = new Map<string, EmbeddedTopic>();
  const reports: RecoveryReport[] = [];
  for (const name of fs.readdirSync(topicsDir)) {
    const dir = path.join(topicsDir, name);
    const meta = path.join(dir, 'topic.json');
    if (name.startsWith('.deleted-') || !fs.existsSync(meta)) {
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const description = JSON.parse(fs.readFileSync(meta, 'utf8')) as TopicDescription;
    const partitions: PartitionStore[] = [];
    for (let p = 0; p < description.partitions; p++) {
      const opened = PartitionStore.open(name, p, path.join(dir, String(p)), cleanShutdown);
      partitions.push(opened.store);
      reports.push(...opened.reports);
    }
    topics.set(name, { description, dir, partitions });
  }
  return { topics, reports };
}

export function deleteTopicOnDisk(topicsDir: string, topic: EmbeddedTopic): void {
  for (const p of topic.partitions) p.close();
  const grave = path.join(topicsDir, `.deleted-${topic.description.name}-${Date.now()}`);
  fs.renameSync(topic.dir, grave);
  syncDir(topicsDir);
  fs.rmSync(grave, { recursive: true, force: true });
}
