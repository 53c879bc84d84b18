/**
 * What crosses the topology's two repartition topics (internal topics of the application, so the
 * format is ours): a small binary header with what the merchant stage needs (kind, event time,
 * label, entry time, sanitisation flags, then the merchant stage's facts) followed by the validated
 * source record as JSON text: the bytes it came in with when validation changed nothing (no
 * sanitisation), else made once in the validation stage. The merchant stage never parses the
 * source; the customer stage parses it once.
 *
 *   byte 0      format 0xF1
 *   byte 1      flags: bit 0 card transaction, bits 1-2 label (0 none, 1 legitimate, 2 fraud),
 *               bit 3 merchant facts follow, bit 4 merchant profile follows, bit 5 it has a name
 *   f64 ×2      event time, receivedAt
 *   string      entity id (customer or card: the customer stage's key)
 *   varuint n   sanitisation flags, n strings
 *   [facts]     f64 merchantLabelled, f64 merchantFrauds, [profile: name?, f64 lat, f64 lon]
 *   rest        the source record, JSON (UTF-8): the input bytes or JSON.stringify of the sanitised record
 *
 * Records written by earlier versions (plain JSON objects) are still read.
 */
import { BinaryReader, BinaryWriter, type Serde, Serdes } from '../../../engine/index.ts';
import { FraudstreamError } from '../../../errors.ts';
import type { CardTransaction, Merchant, Order } from '../../../events/index.ts';
import { cardTransactionEvent, orderEvent } from './events.ts';
import type { MerchantRef, TxnEvent, ValidOrder } from './types.ts';

/** A validated event on a repartition topic: the source stays JSON bytes until the customer stage. */
export interface WireOrder {
  kind: TxnEvent['kind'];
  /** whose history the features describe (the customer stage's key) */
  entityId: string;
  /** event time, ms */
  time: number;
  /** the source's label, if it carries one (the merchant fraud rate learns from it) */
  isFraud: boolean | null;
  sanitized: string[];
  receivedAt: number;
  /** JSON.stringify of the validated source record, UTF-8 */
  source: Buffer;
}

/** What the merchant stage adds. */
export interface MerchantFacts {
  merchant: MerchantRef | null;
  /** labels known at the order's event time (label delay applied) */
  merchantLabelled: number;
  merchantFrauds: number;
}

export type WireWithFacts = WireOrder & Partial<MerchantFacts>;

const FORMAT = 0xf1;
const CARD = 1;
const FACTS = 8;
const PROFILE = 16;
const NAMED = 32;

/**
 * Where a parsed input record keeps the bytes it was parsed from: a non-enumerable property (not
 * copied by a spread, not written by JSON.stringify). A WeakMap entry per record made every garbage
 * collection process one ephemeron per record in flight.
 */
const INPUT_BYTES = Symbol('fraudstream.inputBytes');

/**
 * Value serde of the input topics: JSON, remembering each parsed record's bytes so that a record
 * validation leaves unchanged crosses the repartitions as the bytes it came in (no re-stringify).
 */
export function inputJsonSerde(): Serde<unknown> {
  const json = Serdes.json<unknown>();
  return {
    serialize: json.serialize,
    deserialize(b, topic) {
      const v = json.deserialize(b, topic);
      if (b !== null && typeof v === 'object' && v !== null)
        Object.defineProperty(v, INPUT_BYTES, { value: b });
      return v;
    },
  };
}

/** The JSON bytes `value` was parsed from by `inputJsonSerde`, if it was. */
export function inputBytesOf(value: unknown): Buffer | undefined {
  return typeof value === 'object' && value !== null
    ? (value as { [INPUT_BYTES]?: Buffer })[INPUT_BYTES]
    : undefined;
}

/**
 * The wire form of a validated event. The source goes as the input's own bytes when validation
 * changed nothing (`sourceJson`), else as JSON.stringify of the validated record.
 */
export function toWire(v: ValidOrder): WireOrder {
  const { event } = v;
  return {
    kind: event.kind,
    entityId: event.entityId,
    time: event.time,
    isFraud: event.label === null ? null : event.label.isFraud,
    sanitized: v.sanitized,
    receivedAt: v.receivedAt,
    source: v.sourceJson ?? Buffer.from(JSON.stringify(event.source), 'utf8'),
  };
}

/** Back to a validated event: parses the source (once in the pipeline). */
export function fromWire(w: WireOrder): ValidOrder {
  const source = JSON.parse(w.source.toString('utf8')) as Order | CardTransaction;
  const event =
    w.kind === 'card_transaction'
      ? cardTransactionEvent(source as CardTransaction)
      : orderEvent(source as Order);
  return { event, sanitized: w.sanitized, receivedAt: w.receivedAt, sourceJson: w.source };
}

/** Only what the scorer reads of a merchant profile. */
export function merchantRef(m: Merchant | null): MerchantRef | null {
  return m === null ? null : { name: m.name, lat: m.lat, lon: m.lon };
}

function encode(w: WireWithFacts): Buffer {
  return write(w).finish();
}

function write(w: WireWithFacts): BinaryWriter {
  const out = BinaryWriter.shared().reset();
  const facts = w.merchantLabelled !== undefined;
  const m = facts ? (w.merchant ?? null) : null;
  const named = m !== null && typeof m.name === 'string';
  out.u8(FORMAT);
  out.u8(
    (w.kind === 'card_transaction' ? CARD : 0) |
      ((w.isFraud === null ? 0 : w.isFraud ? 2 : 1) << 1) |
      (facts ? FACTS : 0) |
      (m !== null ? PROFILE : 0) |
      (named ? NAMED : 0),
  );
  out.f64(w.time);
  out.f64(w.receivedAt);
  out.string(w.entityId);
  out.varuint(w.sanitized.length);
  for (const s of w.sanitized) out.string(s);
  if (facts) {
    out.f64(w.merchantLabelled as number);
    out.f64(w.merchantFrauds ?? 0);
    if (m !== null) {
      if (named) out.string(m.name);
      out.f64(typeof m.lat === 'number' ? m.lat : Number.NaN);
      out.f64(typeof m.lon === 'number' ? m.lon : Number.NaN);
    }
  }
  out.rest(w.source);
  return out;
}

function decode(b: Buffer): WireWithFacts {
  if (b[0] === 0x7b) return fromLegacyJson(b);
  const r = new BinaryReader(b);
  if (r.u8() !== FORMAT) throw new FraudstreamError('FS_SERDE', `unknown repartition record format ${b[0]}`);
  const flags = r.u8();
  const label = (flags >> 1) & 3;
  const time = r.f64();
  const receivedAt = r.f64();
  const entityId = r.string();
  const n = r.varuint();
  const sanitized: string[] = [];
  for (let i = 0; i < n; i++) sanitized.push(r.string());
  let facts: MerchantFacts | undefined;
  if (flags & FACTS) {
    const merchantLabelled = r.f64();
    const merchantFrauds = r.f64();
    let merchant: MerchantRef | null = null;
    if (flags & PROFILE) {
      const name = flags & NAMED ? r.string() : (undefined as unknown as string);
      merchant = { name, lat: r.f64(), lon: r.f64() };
    }
    facts = { merchant, merchantLabelled, merchantFrauds };
  }
  const w: WireWithFacts = {
    kind: flags & CARD ? 'card_transaction' : 'order',
    entityId,
    time,
    isFraud: label === 0 ? null : label === 2,
    sanitized,
    receivedAt,
    source: r.rest(),
  };
  return facts ? Object.assign(w, facts) : w;
}

/** A record of the earlier JSON format: { kind, source, sanitized, receivedAt, merchant?, … }. */
function fromLegacyJson(b: Buffer): WireWithFacts {
  const o = JSON.parse(b.toString('utf8')) as {
    kind: TxnEvent['kind'];
    source: Order | CardTransaction;
    sanitized: string[];
    receivedAt: number;
    merchant?: Merchant | null;
    merchantLabelled?: number;
    merchantFrauds?: number;
  };
  const event =
    o.kind === 'card_transaction'
      ? cardTransactionEvent(o.source as CardTransaction)
      : orderEvent(o.source as Order);
  const w = toWire({ event, sanitized: o.sanitized, receivedAt: o.receivedAt });
  if (o.merchantLabelled === undefined) return w;
  return Object.assign(w, {
    merchant: merchantRef(o.merchant ?? null),
    merchantLabelled: o.merchantLabelled,
    merchantFrauds: o.merchantFrauds ?? 0,
  });
}

/** Serde of both repartition topics (with or without the merchant stage's facts). */
export function wireSerde<T extends WireWithFacts>(): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : encode(v)),
    // the repartition sink writes the record straight into the task's output arena
    serializeInto: (v, arena) => (v === null || v === undefined ? -1 : write(v).finishInto(arena)),
    deserialize: (b) => (b === null ? (null as unknown as T) : (decode(b) as T)),
  };
}
