/**
 * Fraud scenarios: each plans an episode (one or more labelled purchases spread over simulated time,
 * starting at `start`). Their signatures are what the detection rules look for, and the generator
 * tests assert them:
 * - card_testing: 5–12 purchases of 0.50–1.99 on one card at one merchant from one new device, ≤ 40 s apart;
 * - account_takeover: an account older than 180 days, a new device and IP, > 2000 km from home, ≥ 300 and ≥ 6× usual;
 * - velocity_burst: 11–18 normal-sized purchases by one customer, 5–25 s apart (> 10 in 5 minutes);
 * - high_amount_crypto: 1–2 purchases of 5,000–15,000 paid with crypto;
 * - new_account_high_spend: an account created 1–20 h earlier spends 1,000–3,000 per order, 1–3 orders;
 * - merchant_collusion: 3–5 customers sharing one device place round-amount orders (multiples of 50,
 *   200–800) at one low-reputation colluding merchant within an hour.
 */
import type { FraudScenario, PaymentMethod } from '../../events/index.ts';
import { CITIES, distanceKm } from './geography.ts';
import {
  createNewAccount,
  jitterAround,
  newDeviceId,
  newIp,
  type Population,
  pickActiveCustomer,
  type SimCustomer,
  type SimMerchant,
} from './population.ts';
import type { Prng } from './prng.ts';
import { type Purchase, roundCents } from './purchase.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** IP ranges the fraudsters come from (never used by the legitimate population). */
const FRAUD_IP_OCTETS = [5, 31, 45, 91, 185, 193];

export interface Episode {
  purchases: Purchase[];
  /** accounts opened for the episode (emitted as Customer records before the purchases) */
  newAccounts: SimCustomer[];
}

export interface ScenarioContext {
  rng: Prng;
  population: Population;
  /** next index for new-account ids */
  nextNewAccountIndex(): number;
}

/** Mean episode size per scenario, for pacing the fraud rate. */
export const MEAN_EPISODE_SIZE: Record<FraudScenario, number> = {
  card_testing: 8.5,
  account_takeover: 2,
  velocity_burst: 14.5,
  high_amount_crypto: 1.5,
  new_account_high_spend: 2,
  merchant_collusion: 6,
};

type Draft = Omit<Purchase, 'scenario' | 'detailSeed'>;

function homePurchase(
  rng: Prng,
  customer: SimCustomer,
  merchant: SimMerchant,
  time: number,
  amount: number,
): Draft {
  const where = jitterAround(rng, customer.lat, customer.lon, 3);
  return {
    time,
    customer,
    merchant,
    amount: roundCents(amount),
    paymentMethod: customer.preferredPayment,
    deviceId: customer.devices[0],
    ip: customer.ip,
    city: customer.city,
    ...where,
    approved: true,
  };
}

function localMerchants(ctx: ScenarioContext, customer: SimCustomer): SimMerchant[] {
  return ctx.population.merchantsByCity.get(customer.city.name) ?? ctx.population.merchants;
}

/** What the customer usually spends per order (their favourites weigh 70%, as in legitimate picks). */
function typicalSpend(ctx: ScenarioContext, customer: SimCustomer): number {
  const mean = (list: readonly SimMerchant[]) => list.reduce((sum, m) => sum + m.basket, 0) / list.length;
  return customer.spend * (0.7 * mean(customer.favorites) + 0.3 * mean(localMerchants(ctx, customer)));
}

function cardPayment(method: PaymentMethod): PaymentMethod {
  return method === 'cash' || method === 'crypto' || method === 'bank_transfer' ? 'credit_card' : method;
}

function cardTesting(ctx: ScenarioContext, start: number): Draft[] {
  const { rng } = ctx;
  const victim = pickActiveCustomer(rng, ctx.population);
  const merchant = rng.pick(localMerchants(ctx, victim));
  const device = newDeviceId(rng);
  const ip = newIp(rng, FRAUD_IP_OCTETS);
  const n = rng.int(5, 12);
  const drafts: Draft[] = [];
  let time = start;
  for (let i = 0; i < n; i++) {
    const draft = homePurchase(rng, victim, merchant, time, rng.between(0.5, 1.99));
    drafts.push({ ...draft, deviceId: device, ip, paymentMethod: 'credit_card', approved: rng.chance(0.4) });
    time += Math.floor(rng.between(5, 40) * SECOND);
  }
  return drafts;
}

function accountTakeover(ctx: ScenarioContext, start: number): Draft[] {
  const { rng, population } = ctx;
  let victim = pickActiveCustomer(rng, population);
  for (let tries = 0; tries < 20 && victim.accountCreatedAt > start - 180 * DAY; tries++) {
    victim = pickActiveCustomer(rng, population);
  }
  const farCities = CITIES.filter((c) => distanceKm(c.lat, c.lon, victim.lat, victim.lon) > 2000);
  const city = rng.pick(farCities);
  const merchants = population.merchantsByCity.get(city.name) ?? population.merchants;
  const device = newDeviceId(rng);
  const ip = newIp(rng, FRAUD_IP_OCTETS);
  const n = rng.int(1, 3);
  const drafts: Draft[] = [];
  let time = start;
  for (let i = 0; i < n; i++) {
    const merchant = rng.pick(merchants);
    const usual = typicalSpend(ctx, victim);
    const where = jitterAround(rng, city.lat, city.lon, 8);
    drafts.push({
      time,
      customer: victim,
      merchant,
      amount: roundCents(Math.max(300 + rng.between(0, 200), usual * rng.between(6, 12))),
      paymentMethod: cardPayment(victim.preferredPayment),
      deviceId: device,
      ip,
      city,
      ...where,
      approved: true,
    });
    time += Math.floor(rng.between(2, 10) * MINUTE);
  }
  return drafts;
}

function velocityBurst(ctx: ScenarioContext, start: number): Draft[] {
  const { rng } = ctx;
  const customer = pickActiveCustomer(rng, ctx.population);
  const merchants = localMerchants(ctx, customer);
  const n = rng.int(11, 18);
  const drafts: Draft[] = [];
  let time = start;
  for (let i = 0; i < n; i++) {
    const merchant = rng.pick(merchants);
    drafts.push(
      homePurchase(
        rng,
        customer,
        merchant,
        time,
        Math.max(3, merchant.basket * customer.spend * Math.exp(rng.normal() * 0.3)),
      ),
    );
    time += Math.floor(rng.between(5, 25) * SECOND);
  }
  return drafts;
}

function highAmountCrypto(ctx: ScenarioContext, start: number): Draft[] {
  const { rng } = ctx;
  const customer = pickActiveCustomer(rng, ctx.population);
  const merchants = localMerchants(ctx, customer);
  const device = rng.chance(0.5) ? newDeviceId(rng) : customer.devices[0];
  const n = rng.int(1, 2);
  const drafts: Draft[] = [];
  let time = start;
  for (let i = 0; i < n; i++) {
    const draft = homePurchase(rng, customer, rng.pick(merchants), time, rng.between(5000, 15000));
    drafts.push({ ...draft, paymentMethod: 'crypto', deviceId: device });
    time += Math.floor(rng.between(1, 20) * MINUTE);
  }
  return drafts;
}

function newAccountHighSpend(ctx: ScenarioContext, start: number, newAccounts: SimCustomer[]): Draft[] {
  const { rng } = ctx;
  const account = createNewAccount(
    rng,
    ctx.population,
    ctx.nextNewAccountIndex(),
    start - Math.floor(rng.between(1, 20) * HOUR),
  );
  newAccounts.push(account);
  const merchants = localMerchants(ctx, account);
  const n = rng.int(1, 3);
  const drafts: Draft[] = [];
  let time = start;
  for (let i = 0; i < n; i++) {
    const draft = homePurchase(rng, account, rng.pick(merchants), time, rng.between(1000, 3000));
    drafts.push({ ...draft, paymentMethod: cardPayment(account.preferredPayment) });
    time += Math.floor(rng.between(5, 30) * MINUTE);
  }
  return drafts;
}

function merchantCollusion(ctx: ScenarioContext, start: number): Draft[] {
  const { rng, population } = ctx;
  const merchant = rng.pick(population.colluders);
  const locals = population.customers.filter((c) => c.city === merchant.city);
  const pool = locals.length >= 5 ? locals : population.customers;
  const ringSize = rng.int(3, 5);
  const ring = new Set<SimCustomer>();
  while (ring.size < Math.min(ringSize, pool.length)) ring.add(rng.pick(pool));
  const sharedDevice = newDeviceId(rng);
  const drafts: Draft[] = [];
  // Spread the ring's orders over at most an hour.
  const orders = [...ring].flatMap((member) => (rng.chance(0.5) ? [member, member] : [member]));
  const step = Math.floor(HOUR / (orders.length + 1));
  let time = start;
  for (const member of orders) {
    const where = jitterAround(rng, merchant.lat, merchant.lon, 3);
    drafts.push({
      time,
      customer: member,
      merchant,
      amount: 50 * rng.int(4, 16),
      paymentMethod: cardPayment(member.preferredPayment),
      deviceId: sharedDevice,
      ip: member.ip,
      city: merchant.city,
      ...where,
      approved: true,
    });
    time += Math.floor(rng.between(0.3, 1) * step);
  }
  return drafts;
}

/** Plan one episode of `scenario` starting at `start` (every purchase at or after `start`). */
export function planEpisode(ctx: ScenarioContext, scenario: FraudScenario, start: number): Episode {
  const newAccounts: SimCustomer[] = [];
  let drafts: Draft[];
  switch (scenario) {
    case 'card_testing':
      drafts = cardTesting(ctx, start);
      break;
    case 'account_takeover':
      drafts = accountTakeover(ctx, start);
      break;
    case 'velocity_burst':
      drafts = velocityBurst(ctx, start);
      break;
    case 'high_amount_crypto':
      drafts = highAmountCrypto(ctx, start);
      break;
    case 'new_account_high_spend':
      drafts = newAccountHighSpend(ctx, start, newAccounts);
      break;
    case 'merchant_collusion':
      drafts = merchantCollusion(ctx, start);
      break;
  }
  const purchases = drafts.map((d) => ({ ...d, scenario, detailSeed: ctx.rng.uint32() }));
  return { purchases, newAccounts };
}
