import type { TransactionView } from '../../../../src/apps/fraud/features/index.ts';

export const T0 = Date.parse('2020-03-04T12:00:00Z'); // a Wednesday, noon UTC
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function tx(partial: Partial<TransactionView> = {}): TransactionView {
  return {
    entityId: 'card-1',
    time: T0,
    amount: 10,
    merchant: 'm-1',
    category: 'grocery_pos',
    lat: 40,
    lon: -74,
    merchantLat: 40.1,
    merchantLon: -74.1,
    ...partial,
  };
}
