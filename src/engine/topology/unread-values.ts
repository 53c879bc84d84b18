/**
 * A build-time optimisation: a source whose every child provably ignores record values (a `count()`
 * reads only whether a value is null) does not decode them. Its values are checked instead
 * (`Serde.checkNull`: the deserialization-error policy still applies to a value the serde would
 * reject, and a null value stays null), and the record carries `UNREAD_VALUE`. A source keeps
 * decoding as soon as any other node reads its values, when it has a timestamp extractor (which is
 * given the value), or when its serde cannot check without decoding (schema-validated JSON).
 */
import type { SourceNode, TopologyNode } from './topology.ts';

/** The value of a record from a source whose values nobody reads (see `SourceNode.valueUnread`). */
export const UNREAD_VALUE: object = Object.freeze({ unreadValue: true });

/** `nodes` with every source's `valueUnread` decided. */
export function markUnreadValues(nodes: readonly TopologyNode[]): TopologyNode[] {
  const children = new Map<string, TopologyNode[]>();
  for (const n of nodes) {
    if (n.kind === 'source') continue;
    for (const p of n.parents) {
      const list = children.get(p);
      if (list === undefined) children.set(p, [n]);
      else list.push(n);
    }
  }
  return nodes.map((n) => (n.kind === 'source' ? { ...n, valueUnread: unread(n, children.get(n.name)) } : n));
}

function unread(source: SourceNode, children: TopologyNode[] | undefined): boolean {
  if (source.timestampExtractor !== undefined || source.valueSerde.checkNull === undefined) return false;
  if (children === undefined || children.length === 0) return false;
  return children.every((c) => c.kind === 'processor' && c.ignoresValue);
}
