/**
 * Binary serde of the customer store (and its changelog, an internal topic): the feature state is
 * written at every commit for each customer seen since the last one, so it should be cheap —
 * numbers as 8-byte doubles, no JSON text. Values written by earlier versions (JSON) are read.
 *
 *   byte 0    format 0xE3
 *   f64 ×2    fraudScore, scoredAt
 *   byte      entity state version (3)
 *   varuint n recent events, then n × (f64 time, f64 amount, u32 merchant key, u32 device key, u8 night)
 *   f64 ×3    count, mean, m2
 *   byte      presence bits of lastTime, lastLat, lastLon (bit set: an f64 follows, in that order)
 *   varuint n categories, n × (string, f64 count, f64 amount sum)
 *   varuint n merchants seen, n × (u32 merchant key, f64 last time)
 *
 * Earlier formats are read too, their names hashed as read: 0xE2 (entity state version 2), the
 * same but history entries with names (f64 time, f64 amount, string merchant, string device — ''
 * for none —, u8 night); 0xE1 (version 1), names in the history and merchants seen by name,
 * n × (string, f64 last time), then a varuint count of them.
 */
import { BinaryReader, BinaryWriter, type Serde } from '../../../engine/index.ts';
import { FraudstreamError } from '../../../errors.ts';
import {
  deviceKey,
  ENTITY_STATE_VERSION,
  type EntityState,
  entityStateFrom,
  merchantKey,
} from '../features/index.ts';
import { historyBytes } from './history-bytes.ts';

/** What the customer store holds: the feature state and the customer fraud score. */
export interface CustomerState {
  entity: EntityState;
  fraudScore: number;
  scoredAt: number;
}

const FORMAT = 0xe3;
/** history entries with names (entity state version 2) */
const FORMAT_NAMED_HISTORY = 0xe2;
/** history entries and merchants seen with names (entity state version 1) */
const FORMAT_BY_NAME = 0xe1;
/** entity state version of each format */
const VERSION_OF: Record<number, number> = {
  [FORMAT]: ENTITY_STATE_VERSION,
  [FORMAT_NAMED_HISTORY]: 2,
  [FORMAT_BY_NAME]: 1,
};

function encode(s: CustomerState): Buffer {
  const w = BinaryWriter.shared().reset();
  const e = s.entity;
  w.u8(FORMAT);
  w.f64(s.fraudScore);
  w.f64(s.scoredAt);
  w.u8(e.v);
  w.varuint(e.times.length);
  // the entries as they were encoded before plus the new ones (history-bytes.ts), not all re-encoded
  w.rest(historyBytes(e));
  w.f64(e.count);
  w.f64(e.mean);
  w.f64(e.m2);
  w.u8((e.lastTime === null ? 0 : 1) | (e.lastLat === null ? 0 : 2) | (e.lastLon === null ? 0 : 4));
  if (e.lastTime !== null) w.f64(e.lastTime);
  if (e.lastLat !== null) w.f64(e.lastLat);
  if (e.lastLon !== null) w.f64(e.lastLon);
  const cats = Object.keys(e.categories);
  w.varuint(cats.length);
  for (const c of cats) {
    const [count, sum] = e.categories[c];
    w.string(c);
    w.f64(count);
    w.f64(sum);
  }
  w.varuint(e.merchantsSeen.size);
  for (const [key, time] of e.merchantsSeen) {
    w.u32(key);
    w.f64(time);
  }
  return w.finish();
}

function decode(b: Buffer): CustomerState {
  if (b[0] === 0x7b) return fromJson(b);
  const r = new BinaryReader(b);
  const format = r.u8();
  const expected = VERSION_OF[format];
  if (expected === undefined) throw new FraudstreamError('FS_SERDE', `unknown customer state format ${b[0]}`);
  const fraudScore = r.f64();
  const scoredAt = r.f64();
  const v = r.u8();
  if (v !== expected)
    throw new FraudstreamError('FS_SERDE', `customer state version ${v} is not ${expected}`);
  const n = r.varuint();
  const times = new Array<number>(n);
  const amounts = new Array<number>(n);
  const merchants = new Array<number>(n);
  const devices = new Array<number>(n);
  const nights = new Array<number>(n);
  const named = format !== FORMAT;
  for (let i = 0; i < n; i++) {
    times[i] = r.f64();
    amounts[i] = r.f64();
    merchants[i] = named ? merchantKey(r.string()) : r.u32();
    devices[i] = named ? deviceKey(r.string()) : r.u32();
    nights[i] = r.u8();
  }
  const count = r.f64();
  const mean = r.f64();
  const m2 = r.f64();
  const present = r.u8();
  const lastTime = present & 1 ? r.f64() : null;
  const lastLat = present & 2 ? r.f64() : null;
  const lastLon = present & 4 ? r.f64() : null;
  const categories = Object.create(null) as EntityState['categories'];
  for (let i = r.varuint(); i > 0; i--) {
    const c = r.string();
    categories[c] = [r.f64(), r.f64()];
  }
  const merchantsSeen: EntityState['merchantsSeen'] = new Map();
  if (format !== FORMAT_BY_NAME) {
    for (let i = r.varuint(); i > 0; i--) merchantsSeen.set(r.u32(), r.f64());
  } else {
    for (let i = r.varuint(); i > 0; i--) merchantsSeen.set(merchantKey(r.string()), r.f64());
    r.varuint(); // their count, written apart in that format
  }
  const entity: EntityState = {
    v: ENTITY_STATE_VERSION,
    times,
    amounts,
    merchants,
    devices,
    nights,
    count,
    mean,
    m2,
    lastTime,
    lastLat,
    lastLon,
    categories,
    merchantsSeen,
  };
  return { entity, fraudScore, scoredAt };
}

/** A value of the earlier JSON format (entity state version 1: names in the history and merchants seen). */
function fromJson(b: Buffer): CustomerState {
  const s = JSON.parse(b.toString('utf8')) as Omit<CustomerState, 'entity'> & { entity: unknown };
  return { ...s, entity: entityStateFrom(s.entity) };
}

export const customerStateSerde: Serde<CustomerState> = {
  serialize: (v) => (v === null || v === undefined ? null : encode(v)),
  deserialize: (b) => (b === null ? (null as unknown as CustomerState) : decode(b)),
};
