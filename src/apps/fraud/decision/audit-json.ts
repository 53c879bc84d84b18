/**
 * The audit record's JSON (every order yields one, ~1.9 KB): the fields JSON.stringify would write,
 * in the same order, but `inputs` is spliced in as the JSON bytes the event came as (INPUTS_JSON)
 * when the caller has them, instead of stringifying the parsed order again. Readers parse it as
 * plain JSON (`auditJsonSerde().deserialize` is JSON.parse).
 *
 * @example
 *   scored.mapValues((s) => s.audit).to(topics.audit, { key: Serdes.string(), value: auditJsonSerde() });
 */
import type { ByteArena, Serde } from '../../../engine/index.ts';
import { FraudstreamError } from '../../../errors.ts';
import { type AuditRecord, INPUTS_JSON } from './engine.ts';

const scratch = Buffer.allocUnsafe(64 * 1024);
const INPUTS_KEY = ',"inputs":';

/**
 * The audit record as JSON bytes: JSON.stringify of the fields before `inputs` and of those after
 * it (V8's fast path for plain objects and number arrays), with the inputs' bytes between them.
 */
export function auditJson(a: AuditRecord): Buffer {
  const { head, tail } = parts(a);
  const inputs = a[INPUTS_JSON] ?? Buffer.from(JSON.stringify(a.inputs), 'utf8');
  // UTF-8 takes at most 3 bytes per UTF-16 unit: if it surely fits, write in place and copy once.
  if ((head.length + tail.length + INPUTS_KEY.length) * 3 + inputs.length > scratch.length) {
    return Buffer.concat([
      Buffer.from(`${head.slice(0, -1)}${INPUTS_KEY}`, 'utf8'),
      inputs,
      Buffer.from(`,${tail.slice(1)}`, 'utf8'),
    ]);
  }
  // head's closing brace becomes `,"inputs":`; tail's opening brace becomes a comma
  let n = scratch.write(head, 0, 'utf8') - 1;
  n += scratch.write(INPUTS_KEY, n, 'latin1');
  n += inputs.copy(scratch, n);
  const comma = n;
  n += scratch.write(tail, n, 'utf8');
  scratch[comma] = 0x2c;
  const out = Buffer.allocUnsafe(n);
  scratch.copy(out, 0, 0, n);
  return out;
}

/** JSON.stringify of the fields before `inputs` and of those after it. */
function parts(a: AuditRecord): { head: string; tail: string } {
  const head = JSON.stringify({
    auditId: a.auditId,
    eventId: a.eventId,
    customerId: a.customerId,
    eventTime: a.eventTime,
    decidedAt: a.decidedAt,
    decision: a.decision,
    matchedClause: a.matchedClause,
    policyVersion: a.policyVersion,
  });
  const tail = JSON.stringify({
    featureSet: a.featureSet,
    features: a.features,
    sanitized: a.sanitized,
    rulePacks: a.rulePacks,
    model: a.model,
    latencyMs: a.latencyMs,
    analystOutcome: a.analystOutcome,
    analyst: a.analyst,
  });
  return { head, tail };
}

/** The audit record's JSON (the bytes `auditJson` returns) written at `arena.reserve(length)`. */
export function auditJsonInto(a: AuditRecord, arena: ByteArena): number {
  const { head, tail } = parts(a);
  const inputs = a[INPUTS_JSON] ?? Buffer.from(JSON.stringify(a.inputs), 'utf8');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const tailBytes = Buffer.byteLength(tail, 'utf8');
  // head's closing brace becomes `,"inputs":`; tail's opening brace becomes a comma
  const n = headBytes - 1 + INPUTS_KEY.length + inputs.length + tailBytes;
  const at = arena.reserve(n); // before reading `bytes`: reserving may replace it
  const bytes = arena.bytes;
  let p = at + bytes.write(head, at, headBytes, 'utf8') - 1;
  p += bytes.write(INPUTS_KEY, p, INPUTS_KEY.length, 'latin1');
  p += inputs.copy(bytes, p);
  bytes.write(tail, p, tailBytes, 'utf8');
  bytes[p] = 0x2c;
  return n;
}

/** Value serde of the audit topic. */
export function auditJsonSerde(): Serde<AuditRecord> {
  return {
    serialize: (a) => (a === null || a === undefined ? null : auditJson(a)),
    serializeInto: (a, arena) => (a === null || a === undefined ? -1 : auditJsonInto(a, arena)),
    deserialize(b) {
      if (b === null) return null as unknown as AuditRecord;
      try {
        return JSON.parse(b.toString('utf8')) as AuditRecord;
      } catch (cause) {
        throw new FraudstreamError('FS_SERDE', 'invalid audit record JSON', { cause });
      }
    },
  };
}
