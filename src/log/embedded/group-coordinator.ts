/**
 * Consumer-group membership inside one process. Members of a group split the partitions of the
 * topics they subscribe to with Kafka's range assignment (per topic, members sorted by id).
 * Moving a partition is two-phase: its current owner revokes it in its own poll (awaiting
 * `onRevoked`, where it commits) and releases it; only then can the new owner claim it. A member
 * that has not polled within its session timeout is evicted so it cannot block the group.
 */
import type { TopicPartition } from '../types.ts';
import { tpKey } from './coordinator-journal.ts';

export interface GroupMember {
  readonly memberId: string;
  readonly topics: string[];
  readonly sessionTimeoutMs: number;
  lastSeen: number;
  evicted: boolean;
}

export class GroupCoordinator {
  readonly groupId: string;
  readonly members = new Map<string, GroupMember>();
  /** tpKey -> memberId currently holding the partition. */
  readonly owners = new Map<string, string>();
  generation = 0;
  #seq = 0;
  readonly #onChange: () => void;

  constructor(groupId: string, onChange: () => void) {
    this.groupId = groupId;
    this.#onChange = onChange;
  }

  join(topics: string[], sessionTimeoutMs: number, instanceId?: string): GroupMember {
    const memberId = instanceId ?? `${this.groupId}-member-${String(++this.#seq).padStart(6, '0')}`;
    const member: GroupMember = {
      memberId,
      topics: [...topics],
      sessionTimeoutMs,
      lastSeen: Date.now(),
      evicted: false,
    };
    const previous = this.members.get(memberId);
    if (previous && instanceId !== undefined && sameTopics(previous.topics, topics)) {
      // Static membership: the new instance inherits the old one's partitions, no rebalance.
      previous.evicted = true;
      this.members.set(memberId, member);
      this.#onChange();
      return member;
    }
    if (previous) this.evict(previous);
    this.members.set(memberId, member);
    this.#changed();
    return member;
  }

  leave(member: GroupMember): void {
    if (this.members.get(member.memberId) !== member) return;
    this.members.delete(member.memberId);
    this.#releaseAll(member.memberId);
    this.#changed();
  }

  evict(member: GroupMember): void {
    member.evicted = true;
    this.leave(member);
  }

  /** Range assignment of `partitionCounts` (topic -> partition count) over the members. */
  target(member: GroupMember, partitionCounts: Map<string, number>): TopicPartition[] {
    const result: TopicPartition[] = [];
    for (const topic of member.topics) {
      const count = partitionCounts.get(topic) ?? 0;
      const subscribers = [...this.members.values()]
        .filter((m) => m.topics.includes(topic))
        .map((m) => m.memberId)
        .sort();
      const idx = subscribers.indexOf(member.memberId);
      if (idx < 0 || count === 0) continue;
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      const start = idx * per + Math.min(idx, extra);
      const len = per + (idx < extra ? 1 : 0);
      for (let p = start; p < start + len; p++) result.push({ topic, partition: p });
    }
    return result;
  }

  /** Takes a free partition (or one held by a member past its session timeout). */
  claim(member: GroupMember, tp: TopicPartition, now: number): boolean {
    const key = tpKey(tp.topic, tp.partition);
    const ownerId = this.owners.get(key);
    if (ownerId !== undefined && ownerId !== member.memberId) {
      const owner = this.members.get(ownerId);
      if (owner && now - owner.lastSeen <= owner.sessionTimeoutMs) return false;
      if (owner) this.evict(owner);
    }
    this.owners.set(key, member.memberId);
    return true;
  }

  release(member: GroupMember, tps: TopicPartition[]): void {
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition);
      if (this.owners.get(key) === member.memberId) this.owners.delete(key);
    }
    this.#onChange();
  }

  #releaseAll(memberId: string): void {
    for (const [key, owner] of [...this.owners]) if (owner === memberId) this.owners.delete(key);
  }

  #changed(): void {
    this.generation++;
    this.#onChange();
  }
}

function sameTopics(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}
