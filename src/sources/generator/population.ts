/**
 * The simulated world: customers with homes, tiers, habits, devices and cards; merchants with a
 * category, a location, a menu and a reputation (a few of them colluding with fraud rings).
 */
import type { CustomerTier, PaymentMethod } from '../../events/index.ts';
import {
  CATEGORIES,
  EVERYDAY_PAYMENT_WEIGHTS,
  EVERYDAY_PAYMENTS,
  FIRST_F,
  FIRST_M,
  JOBS,
  LAST,
  NAME_NOUNS,
  NAME_WORDS,
  STREETS,
  TIER_SPEND,
  TIER_WEIGHTS,
  TIERS,
} from './catalog.ts';
import { CITIES, type City } from './geography.ts';
import type { Prng } from './prng.ts';

export interface SimMerchant {
  id: string;
  name: string;
  category: string;
  /** Sparkov category this merchant's card transactions are filed under */
  cardCategory: string;
  city: City;
  lat: number;
  lon: number;
  reputation: number;
  onboardedAt: number;
  /** typical basket value in USD-like units */
  basket: number;
  menu: readonly string[];
  colluding: boolean;
}

export interface SimCustomer {
  id: string;
  first: string;
  last: string;
  gender: 'F' | 'M';
  dob: string;
  job: string;
  street: string;
  email: string;
  tier: CustomerTier;
  accountCreatedAt: number;
  city: City;
  lat: number;
  lon: number;
  preferredPayment: PaymentMethod;
  devices: string[];
  ip: string;
  /** spend multiplier relative to the merchant's basket */
  spend: number;
  /** relative order frequency */
  activity: number;
  ccNum: string;
  favorites: SimMerchant[];
}

export interface Population {
  customers: SimCustomer[];
  /** cumulative activity weights, for O(log n) weighted customer picks */
  customerActivityCdf: number[];
  merchants: SimMerchant[];
  merchantsByCity: Map<string, SimMerchant[]>;
  colluders: SimMerchant[];
}

const DAY_MS = 86_400_000;

export interface PopulationOptions {
  customers: number;
  merchants: number;
  /** the simulation's start: accounts and merchants exist before it */
  startTime: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function titleCase(words: string): string {
  return words
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

export function jitterAround(rng: Prng, lat: number, lon: number, km: number): { lat: number; lon: number } {
  const dLat = (rng.between(-1, 1) * km) / 111;
  const dLon = (rng.between(-1, 1) * km) / (111 * Math.max(0.2, Math.cos((lat * Math.PI) / 180)));
  return { lat: round(lat + dLat, 6), lon: round(lon + dLon, 6) };
}

export function newDeviceId(rng: Prng): string {
  return `dev_${rng.hex(10)}`;
}

export function newIp(
  rng: Prng,
  firstOctets: readonly number[] = [24, 67, 73, 98, 142, 172, 188, 201],
): string {
  return `${rng.pick(firstOctets)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function createMerchant(rng: Prng, index: number, startTime: number): SimMerchant {
  const category = rng.weighted(
    CATEGORIES,
    CATEGORIES.map((c) => c.weight),
  );
  const city = rng.weighted(
    CITIES,
    CITIES.map((c) => c.weight),
  );
  const where = jitterAround(rng, city.lat, city.lon, 12);
  return {
    id: `mer_${String(index + 1).padStart(5, '0')}`,
    name: `${rng.pick(NAME_WORDS)} ${rng.pick(NAME_NOUNS)} ${titleCase(category.name)}`,
    category: category.name,
    cardCategory: category.card,
    city,
    ...where,
    reputation: round(Math.min(1, 0.55 + 0.45 * Math.sqrt(rng.next())), 3),
    onboardedAt: startTime - Math.floor(rng.between(60, 1500) * DAY_MS),
    basket: category.basket,
    menu: category.menu,
    colluding: false,
  };
}

function createCustomer(
  rng: Prng,
  index: number,
  startTime: number,
  merchantsByCity: Map<string, SimMerchant[]>,
  merchants: SimMerchant[],
): SimCustomer {
  const gender = rng.chance(0.5) ? 'F' : 'M';
  const first = rng.pick(gender === 'F' ? FIRST_F : FIRST_M);
  const last = rng.pick(LAST);
  const city = rng.weighted(
    CITIES,
    CITIES.map((c) => c.weight),
  );
  const home = jitterAround(rng, city.lat, city.lon, 15);
  const tier = rng.weighted(TIERS, TIER_WEIGHTS);
  const local = merchantsByCity.get(city.name) ?? merchants;
  const favorites = Array.from({ length: rng.int(2, 5) }, () => rng.pick(local));
  const birthYear = rng.int(1950, 2004);
  const id = `cus_${String(index + 1).padStart(6, '0')}`;
  return {
    id,
    first,
    last,
    gender,
    dob: `${birthYear}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    job: rng.pick(JOBS),
    street: `${rng.int(1, 9999)} ${rng.pick(STREETS)}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${index + 1}@example.com`,
    tier,
    // Account ages from 30 days to ~6 years; new-account fraud creates younger ones on the fly.
    accountCreatedAt: startTime - Math.floor(rng.between(30, 2200) * DAY_MS),
    city,
    ...home,
    preferredPayment: rng.weighted(EVERYDAY_PAYMENTS, EVERYDAY_PAYMENT_WEIGHTS),
    devices: Array.from({ length: rng.int(1, 2) }, () => newDeviceId(rng)),
    ip: newIp(rng),
    spend: round(TIER_SPEND[tier] * Math.exp(rng.normal() * 0.25), 3),
    // Heavy-tailed order frequency: a few customers order a lot.
    activity: round(1 / Math.max(0.05, rng.next()) ** 0.7, 3),
    ccNum: rng.digits(16),
    favorites,
  };
}

export function buildPopulation(rng: Prng, options: PopulationOptions): Population {
  const merchants = Array.from({ length: options.merchants }, (_, i) =>
    createMerchant(rng, i, options.startTime),
  );
  // About 3% of merchants (at least one) collude with fraud rings; their reputation shows it.
  const colluders: SimMerchant[] = [];
  const colluderCount = Math.max(1, Math.round(options.merchants * 0.03));
  for (let i = 0; i < colluderCount; i++) {
    const m = merchants[(i * 7919 + rng.int(0, merchants.length - 1)) % merchants.length];
    if (m.colluding) continue;
    m.colluding = true;
    m.reputation = round(rng.between(0.1, 0.35), 3);
    m.onboardedAt = options.startTime - Math.floor(rng.between(5, 60) * DAY_MS);
    colluders.push(m);
  }
  const merchantsByCity = new Map<string, SimMerchant[]>();
  for (const m of merchants) {
    const list = merchantsByCity.get(m.city.name) ?? [];
    list.push(m);
    merchantsByCity.set(m.city.name, list);
  }
  const customers = Array.from({ length: options.customers }, (_, i) =>
    createCustomer(rng, i, options.startTime, merchantsByCity, merchants),
  );
  let total = 0;
  const customerActivityCdf = customers.map((c) => (total += c.activity));
  return { customers, customerActivityCdf, merchants, merchantsByCity, colluders };
}

/** A freshly registered customer (new-account fraud), not part of the regular population. */
export function createNewAccount(
  rng: Prng,
  population: Population,
  index: number,
  createdAt: number,
): SimCustomer {
  const customer = createCustomer(rng, index, createdAt, population.merchantsByCity, population.merchants);
  customer.accountCreatedAt = createdAt;
  customer.tier = 'bronze';
  customer.id = `cus_new_${String(index + 1).padStart(6, '0')}`;
  return customer;
}

export function pickActiveCustomer(rng: Prng, population: Population): SimCustomer {
  const cdf = population.customerActivityCdf;
  const target = rng.next() * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return population.customers[lo];
}
