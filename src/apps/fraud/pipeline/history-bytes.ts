/**
 * The encoded recent history of a customer's feature state, kept between encodes so that the
 * changelog value (customer-state-serde.ts) costs the events added since the last encode, not the
 * whole 7-day history (up to DEFAULT_LIMITS.capacity = 256 events) at every commit.
 *
 * The history only changes by `updateEntityState`: one event appended per `count` increment, the
 * oldest dropped from the front (capacity, 7 days). So since the last encode `count - encodedCount`
 * events were appended and the rest of the difference in length was dropped from the front; the
 * entries kept are byte for byte what a full encode writes (each entry is encoded on its own:
 * f64 time, f64 amount, u32 merchant key, u32 device key, u8 night). Anything else — a state never
 * encoded, decoded anew, or whose kept entries' times do not match — is encoded in full.
 */
import { BinaryWriter } from '../../../engine/index.ts';
import type { EntityState } from '../features/index.ts';

interface EncodedHistory {
  /** entries back to back; the live ones start at offsets[0] */
  bytes: BinaryWriter;
  /** start of each live entry in `bytes`, oldest first (as the state's arrays) */
  offsets: number[];
  /** time of each live entry (checked against the state before bytes are reused) */
  times: number[];
  /** the state's lifetime event count when last encoded */
  count: number;
}

const encoded = new WeakMap<EntityState, EncodedHistory>();

/** Below this many dead bytes in front of the live entries, they are not worth a compaction. */
const COMPACT_AFTER_BYTES = 4096;

function writeEntry(w: BinaryWriter, e: EntityState, i: number): void {
  w.f64(e.times[i]);
  w.f64(e.amounts[i]);
  w.u32(e.merchants[i]);
  w.u32(e.devices[i]);
  w.u8(e.nights[i]);
}

function encodeAll(e: EntityState): EncodedHistory {
  const n = e.times.length;
  // room for twenty more entries (25 bytes each) before the first growth (a new unpooled buffer)
  const bytes = new BinaryWriter(512 + n * 32);
  const offsets = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    offsets[i] = bytes.length;
    writeEntry(bytes, e, i);
  }
  return { bytes, offsets, times: e.times.slice(), count: e.count };
}

/** Brings `h` up to date with `e` by dropping and appending entries; false if that cannot be exact. */
function update(h: EncodedHistory, e: EntityState): boolean {
  const n = e.times.length;
  const appended = e.count - h.count;
  const dropped = h.offsets.length + appended - n;
  if (!(appended >= 0 && dropped >= 0 && dropped < h.offsets.length)) return false;
  const kept = h.offsets.length - dropped;
  if (e.times[0] !== h.times[dropped] || e.times[kept - 1] !== h.times[h.times.length - 1]) return false;
  if (dropped > 0) {
    h.offsets.splice(0, dropped);
    h.times.splice(0, dropped);
  }
  if (h.offsets[0] >= COMPACT_AFTER_BYTES && h.offsets[0] * 2 >= h.bytes.length) {
    const live = h.bytes.view(h.offsets[0]);
    const shift = h.offsets[0];
    const bytes = new BinaryWriter(512 + live.length * 2);
    bytes.rest(live);
    for (let i = 0; i < h.offsets.length; i++) h.offsets[i] -= shift;
    h.bytes = bytes;
  }
  for (let i = n - appended; i < n; i++) {
    h.offsets.push(h.bytes.length);
    h.times.push(e.times[i]);
    writeEntry(h.bytes, e, i);
  }
  h.count = e.count;
  return true;
}

/**
 * The history entries of `e` as a full encode writes them (the bytes after the entry count), a view
 * valid until the next call for the same state.
 */
export function historyBytes(e: EntityState): Buffer {
  let h = encoded.get(e);
  if (h === undefined || !update(h, e)) {
    h = encodeAll(e);
    encoded.set(e, h);
  }
  return h.offsets.length === 0 ? h.bytes.view(h.bytes.length) : h.bytes.view(h.offsets[0]);
}
