import type { FraudScenario, PaymentMethod } from '../../events/index.ts';
import type { City } from './geography.ts';
import type { SimCustomer, SimMerchant } from './population.ts';

/** One simulated purchase; the Order, Payment and CardTransaction records are views of it. */
export interface Purchase {
  /** event time, ms */
  time: number;
  customer: SimCustomer;
  merchant: SimMerchant;
  amount: number;
  paymentMethod: PaymentMethod;
  deviceId: string;
  ip: string;
  /** where the order is delivered / the purchase is made */
  city: City;
  lat: number;
  lon: number;
  approved: boolean;
  scenario: FraudScenario | null;
  /** seeds the record-level details (ids, items) so they never shift the main random stream */
  detailSeed: number;
}

export const roundCents = (value: number) => Math.round(value * 100) / 100;
