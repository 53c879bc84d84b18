/**
 * The processor topology: sources, processors and sinks connected by parent edges, plus the stores
 * they use. `build()` splits it into sub-topologies (connected components; an internal repartition
 * topic is a sink in one and a source in another) — one task per (sub-topology, partition) at runtime.
 *
 * Internal topic and store names are relative; at runtime internal topics become
 * `<applicationId>-<name>` and changelogs `<applicationId>-<store>-changelog`.
 */
import { FraudstreamError } from '../../errors.ts';
import type { ProcessorSupplier } from '../processor/types.ts';
import type { Serde } from '../serde/index.ts';
import type { StoreSpec } from '../state/types.ts';
import type { TimestampExtractor } from '../time/timestamps.ts';
import { markUnreadValues } from './unread-values.ts';

// biome-ignore lint/suspicious/noExplicitAny: nodes are heterogeneous; the DSL keeps them typed
type AnySupplier = ProcessorSupplier<any, any, any, any>;

export interface SourceNode {
  kind: 'source';
  name: string;
  topics: string[];
  keySerde: Serde<unknown>;
  valueSerde: Serde<unknown>;
  timestampExtractor: TimestampExtractor<unknown, unknown> | undefined;
  /** Set by `build()`: no node reads this source's values, so it checks them instead of decoding
   * them and passes `UNREAD_VALUE` on (see unread-values.ts). */
  valueUnread?: boolean;
}

export interface ProcessorNode {
  kind: 'processor';
  name: string;
  parents: string[];
  supplier: AnySupplier;
  stores: string[];
  /** The processor reads only whether a record's value is null, never the value itself (count). */
  ignoresValue: boolean;
}

export interface SinkNode {
  kind: 'sink';
  name: string;
  parents: string[];
  topic: string;
  keySerde: Serde<unknown>;
  valueSerde: Serde<unknown>;
  partitioner: ((key: unknown, value: unknown, partitions: number) => number) | undefined;
}

export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

export interface Subtopology {
  id: number;
  /** In topological order (a node after its parents). */
  nodes: TopologyNode[];
  sourceTopics: string[];
  stores: StoreSpec[];
}

export interface InternalTopic {
  name: string;
  partitions: number | undefined;
}

function invalid(message: string): FraudstreamError {
  return new FraudstreamError('FS_TOPOLOGY_INVALID', message);
}

export class TopologyBuilder {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly stores = new Map<string, StoreSpec>();
  private readonly storeUsers = new Map<string, string[]>();
  private readonly internalTopics = new Map<string, InternalTopic>();
  private readonly copartitionGroups: string[][] = [];
  private readonly sideOutputTopics = new Set<string>();
  private readonly topicOwners = new Map<string, string>();
  private counter = 0;

  /** A unique node name such as `KSTREAM-FILTER-0000000003` unless the user named it. */
  newName(prefix: string, userName?: string): string {
    const name = userName ?? `${prefix}-${String(this.counter++).padStart(10, '0')}`;
    if (this.nodes.has(name)) throw invalid(`node name "${name}" is used twice`);
    return name;
  }

  addSource(node: Omit<SourceNode, 'kind'>): void {
    for (const t of node.topics) {
      const owner = this.topicOwners.get(t);
      if (owner)
        throw invalid(
          `topic "${t}" is read by both "${owner}" and "${node.name}"; read it once and reuse the stream`,
        );
      this.topicOwners.set(t, node.name);
    }
    this.put({ kind: 'source', ...node });
  }

  addProcessor(
    name: string,
    supplier: AnySupplier,
    parents: string[],
    stores: string[] = [],
    ignoresValue = false,
  ): void {
    this.checkParents(name, parents);
    this.put({ kind: 'processor', name, supplier, parents, stores: [], ignoresValue });
    for (const s of stores) this.connectStore(s, name);
  }

  addSink(node: Omit<SinkNode, 'kind'>): void {
    this.checkParents(node.name, node.parents);
    this.put({ kind: 'sink', ...node });
  }

  addStore(spec: StoreSpec, ...processors: string[]): void {
    if (this.stores.has(spec.name)) throw invalid(`store "${spec.name}" is declared twice`);
    this.stores.set(spec.name, spec);
    this.storeUsers.set(spec.name, []);
    for (const p of processors) this.connectStore(spec.name, p);
  }

  connectStore(storeName: string, processorName: string): void {
    const node = this.nodes.get(processorName);
    if (!this.stores.has(storeName))
      throw invalid(`processor "${processorName}" uses unknown store "${storeName}"`);
    if (node?.kind !== 'processor')
      throw invalid(`store "${storeName}" connected to unknown processor "${processorName}"`);
    if (!node.stores.includes(storeName)) node.stores.push(storeName);
    this.storeUsers.get(storeName)!.push(processorName);
  }

  hasStore(name: string): boolean {
    return this.stores.has(name);
  }

  addInternalTopic(name: string, partitions?: number): void {
    if (this.internalTopics.has(name)) throw invalid(`internal topic "${name}" is declared twice`);
    this.internalTopics.set(name, { name, partitions });
  }

  /** Declares topics whose partitions must match one for one (join inputs). */
  copartition(topics: string[]): void {
    this.copartitionGroups.push([...new Set(topics)]);
  }

  /** Declares a side-output topic (late records) the runtime must create. */
  addSideOutputTopic(name: string): void {
    this.sideOutputTopics.add(name);
  }

  /** Source topics reachable upstream of `nodeName` within its sub-topology. */
  sourceTopicsOf(nodeName: string): string[] {
    const out = new Set<string>();
    const seen = new Set<string>();
    const walk = (n: string) => {
      if (seen.has(n)) return;
      seen.add(n);
      const node = this.nodes.get(n)!;
      if (node.kind === 'source') for (const t of node.topics) out.add(t);
      else for (const p of node.parents) walk(p);
    };
    walk(nodeName);
    return [...out];
  }

  build(): Topology {
    if (this.nodes.size === 0) throw invalid('the topology has no nodes; add a stream or table');
    const names = [...this.nodes.keys()];
    const parent = new Map<string, string>(names.map((n) => [n, n]));
    const find = (n: string): string => {
      let r = n;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(n, r);
      return r;
    };
    const union = (a: string, b: string) => parent.set(find(a), find(b));
    for (const node of this.nodes.values())
      if (node.kind !== 'source') for (const p of node.parents) union(node.name, p);
    for (const users of this.storeUsers.values())
      for (let i = 1; i < users.length; i++) union(users[0], users[i]);
    const groups = new Map<string, TopologyNode[]>();
    for (const node of markUnreadValues([...this.nodes.values()])) {
      const root = find(node.name);
      if (!groups.has(root)) groups.set(root, []);
      groups.get(root)!.push(node);
    }
    const subtopologies: Subtopology[] = [];
    for (const nodes of groups.values()) {
      const sourceTopics = nodes.flatMap((n) => (n.kind === 'source' ? n.topics : []));
      if (sourceTopics.length === 0)
        throw invalid(`nodes ${nodes.map((n) => n.name).join(', ')} are not connected to any source`);
      const storeNames = new Set(nodes.flatMap((n) => (n.kind === 'processor' ? n.stores : [])));
      subtopologies.push({
        id: subtopologies.length,
        nodes,
        sourceTopics,
        stores: [...storeNames].map((s) => this.stores.get(s)!),
      });
    }
    return new Topology(subtopologies, [...this.internalTopics.values()], this.copartitionGroups, [
      ...this.sideOutputTopics,
    ]);
  }

  private put(node: TopologyNode): void {
    if (this.nodes.has(node.name)) throw invalid(`node name "${node.name}" is used twice`);
    this.nodes.set(node.name, node);
  }

  private checkParents(name: string, parents: string[]): void {
    if (parents.length === 0) throw invalid(`node "${name}" has no parent`);
    for (const p of parents) {
      const node = this.nodes.get(p);
      if (!node) throw invalid(`node "${name}" has unknown parent "${p}"`);
      if (node.kind === 'sink') throw invalid(`node "${name}" cannot read from sink "${p}"`);
    }
  }
}

export class Topology {
  readonly subtopologies: readonly Subtopology[];
  readonly internalTopics: readonly InternalTopic[];
  readonly copartitionGroups: readonly string[][];
  readonly sideOutputTopics: readonly string[];
  private readonly internalNames: Set<string>;

  constructor(
    subtopologies: Subtopology[],
    internalTopics: InternalTopic[],
    copartitionGroups: string[][],
    sideOutputTopics: string[],
  ) {
    this.subtopologies = subtopologies;
    this.internalTopics = internalTopics;
    this.copartitionGroups = copartitionGroups;
    this.sideOutputTopics = sideOutputTopics;
    this.internalNames = new Set(internalTopics.map((t) => t.name));
  }

  isInternal(topic: string): boolean {
    return this.internalNames.has(topic);
  }

  /** Real name of a topic of this topology for one application. */
  topicName(applicationId: string, topic: string): string {
    return this.internalNames.has(topic) ? `${applicationId}-${topic}` : topic;
  }

  /** External topics read by the topology (they must exist before the app starts). */
  externalSourceTopics(): string[] {
    return this.subtopologies.flatMap((s) => s.sourceTopics).filter((t) => !this.internalNames.has(t));
  }

  externalSinkTopics(): string[] {
    const out = new Set<string>();
    for (const s of this.subtopologies)
      for (const n of s.nodes) if (n.kind === 'sink' && !this.internalNames.has(n.topic)) out.add(n.topic);
    return [...out];
  }

  stores(): StoreSpec[] {
    return this.subtopologies.flatMap((s) => s.stores);
  }

  /**
   * Partition counts of every topic (external from `external`, internal derived), checking that each
   * co-partition group agrees. Throws FS_COPARTITION naming the topics and their counts.
   */
  resolvePartitions(external: (topic: string) => number | undefined): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.externalSourceTopics()) {
      const n = external(t);
      if (n === undefined)
        throw new FraudstreamError('FS_UNKNOWN_TOPIC', `source topic "${t}" does not exist`);
      counts.set(t, n);
    }
    for (const t of this.internalTopics) if (t.partitions !== undefined) counts.set(t.name, t.partitions);
    for (let changed = true; changed; ) {
      changed = false;
      for (const group of this.copartitionGroups) {
        const known = group.filter((t) => counts.has(t)).map((t) => counts.get(t)!);
        if (known.length === 0) continue;
        for (const t of group) {
          if (!counts.has(t)) {
            counts.set(t, Math.max(...known));
            changed = true;
          }
        }
      }
      for (const t of this.internalTopics) {
        if (counts.has(t.name)) continue;
        const writer = this.subtopologies.find((s) =>
          s.nodes.some((n) => n.kind === 'sink' && n.topic === t.name),
        );
        const upstream = writer?.sourceTopics.map((x) => counts.get(x)) ?? [];
        if (upstream.length > 0 && upstream.every((x) => x !== undefined)) {
          counts.set(t.name, Math.max(...(upstream as number[])));
          changed = true;
        }
      }
    }
    for (const t of this.internalTopics) if (!counts.has(t.name)) counts.set(t.name, 1);
    for (const group of this.copartitionGroups) {
      const distinct = new Set(group.map((t) => counts.get(t)));
      if (distinct.size > 1) {
        const list = group.map((t) => `"${t}" (${counts.get(t)} partitions)`).join(' and ');
        throw new FraudstreamError(
          'FS_COPARTITION',
          `joined topics must have the same number of partitions: ${list}`,
          {
            details: Object.fromEntries(group.map((t) => [t, counts.get(t)])),
          },
        );
      }
    }
    return counts;
  }

  /** Human-readable description (as Kafka Streams' `TopologyDescription`). */
  describe(): string {
    const lines: string[] = [];
    for (const s of this.subtopologies) {
      lines.push(`Sub-topology ${s.id} (sources: ${s.sourceTopics.join(', ')})`);
      for (const n of s.nodes) {
        if (n.kind === 'source')
          lines.push(
            `  source ${n.name} <- ${n.topics.join(', ')}${n.valueUnread ? ' (values unread)' : ''}`,
          );
        else if (n.kind === 'sink')
          lines.push(`  sink ${n.name} -> ${n.topic} (from ${n.parents.join(', ')})`);
        else
          lines.push(
            `  processor ${n.name} (from ${n.parents.join(', ')})${n.stores.length ? ` stores: ${n.stores.join(', ')}` : ''}`,
          );
      }
    }
    return lines.join('\n');
  }
}
