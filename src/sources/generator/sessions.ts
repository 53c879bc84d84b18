/**
 * Browsing sessions around purchases (seed 004: customer activity, 30-minute sessions, product views for
 * trending products and recommendations). Each purchase comes with the session that led to it (login,
 * search, product views, add to cart, checkout at the purchase time), and about every other purchase with a
 * second, non-converting session of another customer. Sessions draw from their own PRNG (seeded per
 * purchase), so asking for them never changes the purchases.
 *
 * A session's events precede its purchase by up to ~4 minutes, so activity and view streams are out of
 * order by up to that much, as real clickstreams are; event-time processing with a grace period absorbs it.
 */
import type { CustomerActivity, ProductView } from '../../events/index.ts';
import { type Population, pickActiveCustomer, type SimCustomer, type SimMerchant } from './population.ts';
import { Prng } from './prng.ts';
import { type Purchase, roundCents } from './purchase.ts';

export type SessionEvent =
  | { kind: 'customer_activity'; value: CustomerActivity }
  | { kind: 'product_view'; value: ProductView };

const SESSION_SALT = 0x5e55_10;

function productOf(merchant: SimMerchant, dish: number): { id: string; name: string; price: number } {
  const index = dish % merchant.menu.length;
  return {
    id: `prd_${merchant.id}_${index}`,
    name: merchant.menu[index],
    price: roundCents(merchant.basket * (0.35 + 0.15 * index)),
  };
}

function session(
  rng: Prng,
  customer: SimCustomer,
  merchant: SimMerchant,
  end: number,
  device: string,
  ip: string,
  converts: boolean,
): SessionEvent[] {
  const sessionId = `ses_${rng.hex(16)}`;
  const steps: Array<{ type: CustomerActivity['activity_type']; product?: ReturnType<typeof productOf> }> = [
    { type: 'login' },
    { type: 'search' },
  ];
  const views = rng.int(1, 4);
  const firstDish = rng.int(0, merchant.menu.length - 1);
  for (let i = 0; i < views; i++)
    steps.push({ type: 'view_product', product: productOf(merchant, firstDish + i) });
  if (converts || rng.chance(0.3))
    steps.push({ type: 'add_to_cart', product: productOf(merchant, firstDish) });
  if (converts) steps.push({ type: 'checkout' });
  else steps.push({ type: 'logout' });
  // Walk backwards from the end so the checkout lands exactly on the purchase time.
  const times: number[] = [];
  let t = end;
  for (let i = steps.length - 1; i >= 0; i--) {
    times[i] = t;
    t -= Math.floor(rng.between(5, 45) * 1000);
  }
  const events: SessionEvent[] = [];
  steps.forEach((step, i) => {
    const activity: CustomerActivity = {
      activity_id: `act_${rng.hex(16)}`,
      customer_id: customer.id,
      activity_type: step.type,
      session_id: sessionId,
      device_id: device,
      ip_address: ip,
      timestamp: times[i],
    };
    if (step.product) {
      activity.product_id = step.product.id;
      activity.category = merchant.category;
    }
    events.push({ kind: 'customer_activity', value: activity });
    if (step.type === 'view_product' && step.product) {
      events.push({
        kind: 'product_view',
        value: {
          view_id: `view_${rng.hex(16)}`,
          customer_id: customer.id,
          product_id: step.product.id,
          category: merchant.category,
          price: step.product.price,
          session_id: sessionId,
          timestamp: times[i],
        },
      });
    }
  });
  return events;
}

/** The session behind `purchase`, plus (about every other time) an unrelated browse-only session. */
export function sessionsFor(purchase: Purchase, population: Population): SessionEvent[] {
  const rng = new Prng((purchase.detailSeed ^ SESSION_SALT) >>> 0);
  const events = session(
    rng,
    purchase.customer,
    purchase.merchant,
    purchase.time,
    purchase.deviceId,
    purchase.ip,
    true,
  );
  if (rng.chance(0.5)) {
    const browser = pickActiveCustomer(rng, population);
    const local = population.merchantsByCity.get(browser.city.name) ?? population.merchants;
    events.push(
      ...session(rng, browser, rng.pick(local), purchase.time, rng.pick(browser.devices), browser.ip, false),
    );
  }
  return events.sort((a, b) => a.value.timestamp - b.value.timestamp);
}
