/**
 * The audit record's JSON, what `JSON.stringify(audit)` gives, made faster:
 *  - `inputs`, the validated source record, is usually the very object the pipeline parsed from a
 *    JSON text (pipeline/wire.ts: the input's own bytes, or JSON.stringify of the sanitised
 *    record); that text is remembered (`rememberJsonText`) and copied in instead of stringifying
 *    the record again. It is the same JSON value; its bytes are the input's (spacing, number
 *    spelling) when the producer did not write JSON.stringify's canonical form;
 *  - `features`, a record of numbers built key by key (a slow "dictionary" object for
 *    JSON.stringify), is written number by number.
 * Everything else goes through JSON.stringify. A remembered text is only correct while its object
 * is not changed: the pipeline never changes a parsed source record.
 *
 * @example
 *   rememberJsonText(order, text);            // order = JSON.parse(text)
 *   const bytes = auditSerde.serialize(audit); // same bytes as JSON, without re-stringifying order
 */
import type { Serde } from '../../../engine/index.ts';
import type { AuditRecord } from './engine.ts';

const texts = new WeakMap<object, string>();

/** Remembers that `value` is `JSON.parse(text)` (the caller must not change `value` after). */
export function rememberJsonText(value: object, text: string): void {
  texts.set(value, text);
}

/** JSON text of a value: the remembered text if there is one. */
export function jsonTextOf(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const known = texts.get(value);
    if (known !== undefined) return known;
  }
  return JSON.stringify(value);
}

const keyTexts = new Map<string, string>();

function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = `${JSON.stringify(k)}:`;
    if (keyTexts.size < 10_000) keyTexts.set(k, t);
  }
  return t;
}

/** JSON of a plain object whose values are mostly numbers (String(n) is JSON's number text). */
function numbersJson(record: object): string | undefined {
  if (Array.isArray(record) || (record as { toJSON?: unknown }).toJSON !== undefined)
    return JSON.stringify(record);
  const r = record as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(r)) {
    const v = r[k];
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v);
    if (s === undefined) continue;
    out += first ? keyText(k) + s : `,${keyText(k)}${s}`;
    first = false;
  }
  return `${out}}`;
}

/** `JSON.stringify(audit)`, faster; `inputs` as its remembered text (see the file comment). */
export function auditJson(audit: AuditRecord): string {
  const a = audit as unknown as Record<string, unknown>;
  if (typeof a.toJSON === 'function') return JSON.stringify(audit);
  let out = '{';
  let first = true;
  for (const k of Object.keys(a)) {
    const v = a[k];
    const s =
      k === 'inputs'
        ? jsonTextOf(v)
        : k === 'features' && typeof v === 'object' && v !== null
          ? numbersJson(v)
          : JSON.stringify(v);
    if (s === undefined) continue;
    out += first ? keyText(k) + s : `,${keyText(k)}${s}`;
    first = false;
  }
  return `${out}}`;
}

/** Value serde of the audit topic (JSON, as every external output topic). */
export const auditSerde: Serde<AuditRecord> = {
  serialize: (v) => (v === null || v === undefined ? null : Buffer.from(auditJson(v), 'utf8')),
  deserialize: (b) =>
    b === null ? (null as unknown as AuditRecord) : (JSON.parse(b.toString('utf8')) as AuditRecord),
};
