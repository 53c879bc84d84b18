/**
 * Corrects the Kafka client's 64-bit varint writers. @platformatic/dynamic-buffer 0.3.1 (the buffer
 * under @platformatic/kafka 2.12) has two faults there:
 *   - zigzag with `(v << 1n) ^ (v >> 31n)`: the sign mask needs `v >> 63n`;
 *   - the unsigned writer stops when bits 7–31 of what is left are zero (its "more bytes" mask is
 *     32 bits wide), dropping the higher bits: 2^32 is written as 0.
 * Record timestamps are written as such varints, deltas from the first record of their batch, so a
 * record more than 2^31 ms (24.8 days) away from the first of its batch got another timestamp: a
 * few ms off, or its sign flipped (a fresh record behind a 2020 one came back dated 2014), or
 * truncated. The readers decode right. Loaded with the producer (producer.ts);
 * `test/log/kafka/varint64.test.ts` fails without it. Drop it once the library writes right.
 */
import { Writer } from '@platformatic/kafka';

interface VarInt64Buffer {
  append(buffer: Buffer): unknown;
  prepend(buffer: Buffer): unknown;
  writeUnsignedVarInt64(value: bigint, append?: boolean): void;
  writeVarInt64(value: bigint, append?: boolean): void;
}

// The buffer class is not exported by the client; every Writer holds one.
const proto = Object.getPrototypeOf(Writer.create().dynamicBuffer) as VarInt64Buffer;

proto.writeUnsignedVarInt64 = function writeUnsignedVarInt64(this: VarInt64Buffer, value, append = true) {
  let v = BigInt.asUintN(64, value);
  let size = 1;
  for (let rest = v >> 7n; rest > 0n; rest >>= 7n) size++;
  const buffer = Buffer.allocUnsafe(size);
  for (let i = 0; i < size - 1; i++) {
    buffer[i] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buffer[size - 1] = Number(v);
  if (append) this.append(buffer);
  else this.prepend(buffer);
};

proto.writeVarInt64 = function writeVarInt64(this: VarInt64Buffer, value, append = true) {
  this.writeUnsignedVarInt64((value << 1n) ^ (value >> 63n), append);
};
