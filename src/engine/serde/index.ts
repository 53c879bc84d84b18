/**
 * Serdes turn typed keys and values into log bytes and back. A failing `deserialize` throws
 * FS_SERDE (or FS_SCHEMA_INVALID for schema JSON), which the task routes to the deserialization
 * error handler (fail, or continue via the dead-letter topic).
 *
 * @example
 *   const payments = builder.stream('payments', { key: Serdes.string(), value: Serdes.schemaJson(PaymentSchema) });
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FraudstreamError } from '../../errors.ts';
import type { StoreSerde, Windowed } from '../state/types.ts';
import { JSON_INVALID, JSON_NULL, jsonCheck } from './json-check.ts';

export type Serde<T> = StoreSerde<T>;

/** Key and value serdes of a stream. */
export interface KeyValueSerdes<K, V> {
  key?: Serde<K>;
  value?: Serde<V>;
}

// Serialized bytes are never mutated once made (stores, changelogs and the log only read them), so
// the serdes below reuse the bytes of the previous value when the same value comes again: a key is
// serialized for a store and again for each output of the same record (six hopping windows → six
// outputs with one key), and a count for the store and again for the output.
let lastString: string | undefined;
let lastStringBytes: Buffer | null = null;

const stringSerde: Serde<string> = {
  serialize(v) {
    if (v === null || v === undefined) return null;
    if (v === lastString) return lastStringBytes;
    lastStringBytes = Buffer.from(v, 'utf8');
    lastString = v;
    return lastStringBytes;
  },
  serializeInto(v, arena) {
    const b = stringSerde.serialize(v);
    if (b === null) return -1;
    const at = arena.reserve(b.length); // before reading `bytes`: reserving may replace it
    const bytes = arena.bytes;
    // keys are short: a loop beats the native copy's call overhead
    if (b.length <= 32) for (let i = 0; i < b.length; i++) bytes[at + i] = b[i];
    else bytes.set(b, at);
    return b.length;
  },
  // An ASCII string is its own UTF-8 bytes read as latin1 (one char per byte).
  latin1Of(v) {
    const n = v.length;
    for (let i = 0; i < n; i++) if (v.charCodeAt(i) >= 0x80) return undefined;
    return v;
  },
  deserialize: (b) => (b === null ? (null as unknown as string) : b.toString('utf8')),
};

const bytesSerde: Serde<Buffer> = {
  serialize: (v) => v,
  deserialize: (b) => b as Buffer,
};

let lastNumber: number | undefined;
let lastNumberBytes: Buffer | null = null;

const numberSerde: Serde<number> = {
  // An IEEE double in 8 bytes: every number (NaN, -0 included) comes back as it was.
  exactPrimitive: 'number',
  serialize(v) {
    if (v === null || v === undefined) return null;
    // Object.is: 0 and -0 have different bytes.
    if (Object.is(v, lastNumber)) return lastNumberBytes;
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(v, 0);
    lastNumber = v;
    lastNumberBytes = b;
    return b;
  },
  serializeInto(v, arena) {
    if (v === null || v === undefined) return -1;
    const at = arena.reserve(8); // before reading `bytes`: reserving may replace it
    writeDoubleBE(arena.bytes, at, v);
    return 8;
  },
  deserialize(b) {
    if (b === null) return null as unknown as number;
    if (b.length !== 8)
      throw new FraudstreamError('FS_SERDE', `number serde expects 8 bytes, got ${b.length}`);
    return b.readDoubleBE(0);
  },
};

function jsonSerde<T>(): Serde<T> {
  const serde: Serde<T> = {
    serialize: (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v), 'utf8')),
    deserialize(b) {
      if (b === null) return null as T;
      try {
        return JSON.parse(b.toString('utf8')) as T;
      } catch (cause) {
        throw new FraudstreamError('FS_SERDE', `invalid JSON: ${preview(b)}`, { cause });
      }
    },
    checkNull(b) {
      if (b === null) return true;
      const r = jsonCheck(b);
      // Not sure (invalid, or beyond the checker): the parse throws its usual error or decides.
      return r === JSON_INVALID ? serde.deserialize(b) === null : r === JSON_NULL;
    },
  };
  return serde;
}

function schemaJsonSerde<S extends TSchema>(schema: S): Serde<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  const json = jsonSerde<Static<S>>();
  return {
    serialize: json.serialize,
    deserialize(b, topic) {
      const value = json.deserialize(b, topic);
      if (value === null) return value;
      if (!check.Check(value)) {
        const first = check.Errors(value).First();
        const where = first ? `${first.path || '/'}: ${first.message}` : 'schema mismatch';
        throw new FraudstreamError(
          'FS_SCHEMA_INVALID',
          `record does not match schema (${where}): ${preview(b as Buffer)}`,
          {
            details: { path: first?.path, topic },
          },
        );
      }
      return value;
    },
  };
}

/** Windowed keys: inner key bytes, then window start and end as 8-byte big-endian doubles. */
function windowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(w) {
      const key = inner.serialize(w.key) ?? EMPTY;
      const n = key.length;
      const out = Buffer.allocUnsafe(n + 16);
      key.copy(out, 0);
      out.writeDoubleBE(w.window.start, n);
      out.writeDoubleBE(w.window.end, n + 8);
      return out;
    },
    serializeInto(w, arena) {
      const key = inner.serialize(w.key) ?? EMPTY;
      const at = arena.reserve(key.length + 16); // before reading `bytes`: reserving may replace it
      writeWindowed(arena.bytes, at, key, w.window.start, w.window.end);
      return key.length + 16;
    },
    deserialize(b) {
      if (b === null || b.length < 16)
        throw new FraudstreamError('FS_SERDE', 'windowed key shorter than 16 bytes');
      const n = b.length - 16;
      return {
        key: inner.deserialize(b.subarray(0, n)),
        window: { start: b.readDoubleBE(n), end: b.readDoubleBE(n + 8) },
      };
    },
  };
}

const EMPTY = Buffer.alloc(0);

function writeWindowed(out: Buffer, at: number, key: Buffer, start: number, end: number): void {
  const n = key.length;
  if (n <= 32) for (let i = 0; i < n; i++) out[at + i] = key[i];
  else key.copy(out, at);
  writeDoubleBE(out, at + n, start);
  writeDoubleBE(out, at + n + 8, end);
}

// Big-endian doubles through a DataView of the buffer written to: in optimized code one store (and
// a byte swap) where a shared Float64Array costs 8 byte reads and writes. The view is kept while the
// same buffer comes again: a sink writes into its task's output arena, replaced once per commit or
// growth. A fresh buffer per value (`serialize`) writes with Buffer's own `writeDoubleBE`.
let viewed: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(8));

/** `buf.writeDoubleBE(v, at)` (the caller checked that 8 bytes fit). */
function writeDoubleBE(buf: Uint8Array, at: number, v: number): void {
  if (buf !== viewed) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewed = buf;
  }
  view.setFloat64(at, v);
}

function preview(b: Buffer): string {
  const s = b.subarray(0, 80).toString('utf8');
  return JSON.stringify(b.length > 80 ? `${s}…` : s);
}

export const Serdes = {
  string: (): Serde<string> => stringSerde,
  bytes: (): Serde<Buffer> => bytesSerde,
  /** 8-byte big-endian IEEE double. */
  number: (): Serde<number> => numberSerde,
  json: <T = unknown>(): Serde<T> => jsonSerde<T>(),
  /** JSON validated against a TypeBox schema; invalid input throws FS_SCHEMA_INVALID. */
  schemaJson: <S extends TSchema>(schema: S): Serde<Static<S>> => schemaJsonSerde(schema),
  windowed: <K>(inner: Serde<K>): Serde<Windowed<K>> => windowedSerde(inner),
};

export { BinaryReader, BinaryWriter } from './binary.ts';
