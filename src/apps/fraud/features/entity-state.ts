/**
 * Per-entity (card or customer) feature state: a plain JSON-serialisable object so the engine can
 * keep it in a key-value store and changelog it.
 *
 * Bounded size, and what that costs in exactness: the recent history is a buffer of at most
 * `capacity` events no older than 7 days (the longest window). Window counts and sums are exact
 * while an entity has at most `capacity` events in 7 days; beyond that the oldest events drop out
 * first, so the 7 d (then 24 h…) figures undercount. Lifetime figures (running mean/variance of
 * amount, per-category counts) are exact Welford/ counters. Merchant novelty remembers at most
 * `maxMerchants` merchants (least recently seen forgotten first), categories at most
 * `maxCategories`.
 *
 * Merchants and devices are kept by a 32-bit hash of their name (merchantKey, deviceKey), not by
 * name — in the merchants seen and in the recent history: a card's state is written to its
 * changelog at every commit it took part in, and after months a card has been at hundreds of
 * merchants (Sparkov: ~360 after seven months, 90 % of a 13 KB value by name; 12 bytes each by
 * hash); a history entry is 25 bytes instead of ~60–90, and holds no strings for the GC to keep.
 * The cost is a false "seen before" when a new merchant's hash equals one of the ≤ maxMerchants
 * kept (about 1 in 4 million at 1024 kept), and a distinct count one short when two of the
 * ≤ capacity names in its window share a hash (about 1 in 130,000 at 256 names).
 */
import { FraudstreamError } from '../../../errors.ts';
import { isNight } from './calendar.ts';
import { fnv1a } from './codes.ts';
import { placeOf, type TransactionView } from './view.ts';

/**
 * 3: merchants and devices of the recent history by key (2: by name; 1: merchants seen by name too).
 * Earlier versions are still read: their names are hashed (entityStateFrom, customer-state-serde.ts).
 */
export const ENTITY_STATE_VERSION = 3;
export const SEVEN_DAYS_MS = 7 * 24 * 3_600_000;

export interface EntityState {
  v: typeof ENTITY_STATE_VERSION;
  /** Recent events, oldest first, in arrival order (parallel arrays). */
  times: number[];
  amounts: number[];
  /** merchantKey of each event's merchant */
  merchants: number[];
  /** deviceKey of each event's device (NO_DEVICE when it had none) */
  devices: number[];
  nights: number[];
  /** Lifetime count, mean and sum of squared deviations of amount (Welford). */
  count: number;
  mean: number;
  m2: number;
  /** Previous event (arrival order): time and the place it happened (see placeOf). */
  lastTime: number | null;
  lastLat: number | null;
  lastLon: number | null;
  /** category → [count, amount sum] over the entity's life. */
  categories: Record<string, [number, number]>;
  /** merchantKey(merchant) → last time seen, in the order first seen. */
  merchantsSeen: Map<number, number>;
}

export interface EntityStateLimits {
  /** Max recent events kept (within 7 days). */
  capacity: number;
  maxMerchants: number;
  maxCategories: number;
  utcOffsetMinutes: number;
}

export const DEFAULT_LIMITS: EntityStateLimits = {
  capacity: 256,
  maxMerchants: 1024,
  maxCategories: 64,
  utcOffsetMinutes: 0,
};

/** @example const state = createEntityState(); */
export function createEntityState(): EntityState {
  return {
    v: ENTITY_STATE_VERSION,
    times: [],
    amounts: [],
    merchants: [],
    devices: [],
    nights: [],
    count: 0,
    mean: 0,
    m2: 0,
    lastTime: null,
    lastLat: null,
    lastLon: null,
    categories: Object.create(null),
    merchantsSeen: new Map(),
  };
}

/** The key merchant novelty and the history keep a merchant under (FNV-1a 32-bit of the name). */
export function merchantKey(merchant: string): number {
  return fnv1a(merchant);
}

/** The history's key of an event without a device (distinct-device counts skip it). */
export const NO_DEVICE = 0;

/** The key the history keeps a device under: FNV-1a 32-bit of its id, NO_DEVICE for none or ''. */
export function deviceKey(device: string | undefined): number {
  if (device === undefined || device === '') return NO_DEVICE;
  return fnv1a(device) || 1;
}

/** History merchants or devices of a version 1 or 2 state (names) as keys; keys are kept. */
function historyKeysFrom(values: ReadonlyArray<string | number>, key: (name: string) => number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : key(v);
  }
  return out;
}

/**
 * Fold one event into the state. Call it AFTER computing the event's features, so a feature never
 * sees its own event.
 *
 * @example
 *   const f = computeFeatures(state, view); updateEntityState(state, view);
 */
export function updateEntityState(
  state: EntityState,
  event: TransactionView,
  limits: EntityStateLimits = DEFAULT_LIMITS,
): void {
  const t = event.time;
  const key = merchantKey(event.merchant);
  state.times.push(t);
  state.amounts.push(event.amount);
  state.merchants.push(key);
  state.devices.push(deviceKey(event.device));
  state.nights.push(isNight(t, limits.utcOffsetMinutes) ? 1 : 0);
  const newest = state.lastTime === null ? t : Math.max(t, state.lastTime);
  while (
    state.times.length > limits.capacity ||
    (state.times.length > 0 && newest - state.times[0] >= SEVEN_DAYS_MS)
  ) {
    state.times.shift();
    state.amounts.shift();
    state.merchants.shift();
    state.devices.shift();
    state.nights.shift();
  }

  state.count++;
  const delta = event.amount - state.mean;
  state.mean += delta / state.count;
  state.m2 += delta * (event.amount - state.mean);

  state.lastTime = t;
  const place = placeOf(event);
  state.lastLat = place ? place[0] : null;
  state.lastLon = place ? place[1] : null;

  const cat = state.categories[event.category];
  if (cat) {
    cat[0]++;
    cat[1] += event.amount;
  } else if (Object.keys(state.categories).length < limits.maxCategories) {
    state.categories[event.category] = [1, event.amount];
  }

  const seen = state.merchantsSeen;
  if (!seen.has(key) && seen.size >= limits.maxMerchants) forgetOldestMerchant(seen);
  seen.set(key, t);
}

function forgetOldestMerchant(seen: Map<number, number>): void {
  let oldest: number | undefined;
  let oldestTime = Number.POSITIVE_INFINITY;
  for (const [key, time] of seen) {
    if (time < oldestTime) {
      oldestTime = time;
      oldest = key;
    }
  }
  if (oldest !== undefined) seen.delete(oldest);
}

/**
 * Merchants seen as a state of either version holds them: [key, time] pairs (version 2, in JSON)
 * or a name → time object (version 1), whose names are hashed in their order.
 */
function merchantsSeenFrom(value: unknown): Map<number, number> {
  if (Array.isArray(value)) return new Map(value as Array<[number, number]>);
  const seen = new Map<number, number>();
  for (const [name, time] of Object.entries((value ?? {}) as Record<string, number>)) {
    seen.set(merchantKey(name), time);
  }
  return seen;
}

/** JSON text of the state (merchants seen as [key, time] pairs). */
export function serializeEntityState(state: EntityState): string {
  return JSON.stringify({ ...state, merchantsSeen: [...state.merchantsSeen] });
}

/**
 * Inverse of serializeEntityState; reads version 1 and 2 text too (names hashed as read) and
 * refuses text of another state version.
 */
export function deserializeEntityState(text: string): EntityState {
  return entityStateFrom(JSON.parse(text));
}

/**
 * An entity state from its parsed JSON (serializeEntityState's, or the customer store's earlier JSON
 * values): versions 1 and 2 are brought to this one (names hashed), another version is refused.
 */
export function entityStateFrom(parsed: unknown): EntityState {
  const p = parsed as Omit<EntityState, 'v' | 'merchantsSeen'> & {
    v: number;
    merchantsSeen: unknown;
    merchantsSeenSize?: number;
  };
  if (![1, 2, ENTITY_STATE_VERSION].includes(p?.v) || !Array.isArray(p.times)) {
    throw new FraudstreamError(
      'FS_SERDE',
      `entity state version ${String(p?.v)} is not ${ENTITY_STATE_VERSION}`,
    );
  }
  const { merchantsSeenSize: _size, ...rest } = p;
  const categories = Object.create(null) as EntityState['categories'];
  Object.assign(categories, p.categories);
  return {
    ...rest,
    v: ENTITY_STATE_VERSION,
    merchants: historyKeysFrom(p.merchants, merchantKey),
    devices: historyKeysFrom(p.devices, deviceKey),
    categories,
    merchantsSeen: merchantsSeenFrom(p.merchantsSeen),
  };
}
