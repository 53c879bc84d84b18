/** Gold recomputed from the silver table, and the gold table keyed the same way, for comparison. */
import { GOLD_WINDOW_MS, goldKey } from '../../../src/apps/lake/gold.ts';

export type GoldCell = { count: number; cents: number; fraud: number };

/** Silver rows (minus `late` ids and rows at or after `before`) aggregated per window and gold key. */
export function recomputeGold(
  silver: Record<string, unknown>[],
  late: ReadonlySet<string>,
  before = Number.POSITIVE_INFINITY,
): Map<string, GoldCell> {
  const expected = new Map<string, GoldCell>();
  for (const r of silver) {
    const t = (r.event_time as Date).getTime();
    if (late.has(r.transaction_id as string) || t >= before) continue;
    const k = `${t - (t % GOLD_WINDOW_MS)}|${goldKey(r as never)}`;
    const agg = expected.get(k) ?? { count: 0, cents: 0, fraud: 0 };
    agg.count++;
    agg.cents += Math.round((r.amount as number) * 100);
    agg.fraud += r.is_fraud === true ? 1 : 0;
    expected.set(k, agg);
  }
  return expected;
}

/** Gold rows per window and key; throws on a (window, key) present twice. */
export function goldCells(gold: Record<string, unknown>[]): Map<string, GoldCell> {
  const cells = new Map<string, GoldCell>();
  for (const g of gold) {
    const k = `${(g.window_start as Date).getTime()}|${goldKey(g as never)}`;
    if (cells.has(k)) throw new Error(`gold window ${k} twice`);
    cells.set(k, {
      count: g.tx_count as number,
      cents: Math.round((g.revenue as number) * 100),
      fraud: g.fraud_count as number,
    });
  }
  return cells;
}

export function sorted(m: Map<string, GoldCell>): Array<[string, GoldCell]> {
  return [...m].sort(([a], [b]) => a.localeCompare(b));
}
