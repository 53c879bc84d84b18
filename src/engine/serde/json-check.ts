/**
 * Checks UTF-8 bytes against the JSON grammar (RFC 8259, what `JSON.parse` accepts) without building
 * the value: for a source whose values nobody reads (a `count()`, see docs/topology.md), which must
 * still reject what `deserialize` rejects. One pass over the bytes with an explicit stack, so no
 * object, string or number is made and no nesting depth overflows the call stack.
 *
 * Sound for acceptance only: `jsonCheck` returns VALID/NULL only for input `JSON.parse` accepts
 * (`NULL`: the top-level value is `null`); anything it is unsure of is INVALID, and the caller then
 * runs the real `deserialize`, which throws its usual error (or parses what this rejected).
 *
 * Bytes >= 0x80 are accepted inside strings only: decoding turns any of them, valid or not, into
 * characters >= U+0080 (U+FFFD for invalid sequences) and never swallows an ASCII byte, so they
 * cannot end a string or form an escape; outside strings JSON allows only ASCII.
 */
export const JSON_VALID = 0;
export const JSON_NULL = 1;
export const JSON_INVALID = 2;

// Stack entries: what the innermost open container is.
const IN_ARRAY = 1;
const IN_OBJECT = 2;

const stack = new Uint8Array(1024);

/** JSON_VALID, JSON_NULL (valid, and the value is `null`) or JSON_INVALID (not sure: parse it). */
export function jsonCheck(b: Uint8Array): number {
  const n = b.length;
  let depth = 0;
  let i = skipWs(b, 0);
  // A top-level `null` (possibly surrounded by whitespace).
  if (
    i + 4 <= n &&
    b[i] === 0x6e &&
    b[i + 1] === 0x75 &&
    b[i + 2] === 0x6c &&
    b[i + 3] === 0x6c &&
    skipWs(b, i + 4) === n
  )
    return JSON_NULL;
  // Expecting a value at i.
  for (;;) {
    if (i >= n) return JSON_INVALID;
    const c = b[i];
    if (c === 0x7b /* { */) {
      i = skipWs(b, i + 1);
      if (b[i] === 0x7d /* } */) i++;
      else {
        if (depth === stack.length) return JSON_INVALID;
        stack[depth++] = IN_OBJECT;
        i = member(b, i);
        if (i < 0) return JSON_INVALID;
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipWs(b, i + 1);
      if (b[i] === 0x5d /* ] */) i++;
      else {
        if (depth === stack.length) return JSON_INVALID;
        stack[depth++] = IN_ARRAY;
        continue;
      }
    } else if (c === 0x22 /* " */) {
      i = string(b, i);
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      i = number(b, i);
    } else if (c === 0x74 /* t */) {
      i = b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
    } else if (c === 0x66 /* f */) {
      i = b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
    } else if (c === 0x6e /* n */) {
      i = b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
    } else return JSON_INVALID;
    if (i < 0) return JSON_INVALID;
    // After a value: close containers, or go on to the next element / member.
    for (;;) {
      i = skipWs(b, i);
      if (depth === 0) return i === n ? JSON_VALID : JSON_INVALID;
      const d = b[i];
      const top = stack[depth - 1];
      if (d === 0x2c /* , */) {
        i = skipWs(b, i + 1);
        if (top === IN_OBJECT) {
          i = member(b, i);
          if (i < 0) return JSON_INVALID;
        }
        break;
      }
      if ((top === IN_ARRAY && d === 0x5d) || (top === IN_OBJECT && d === 0x7d)) {
        depth--;
        i++;
        continue;
      }
      return JSON_INVALID;
    }
  }
}

function skipWs(b: Uint8Array, i: number): number {
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `"name" :` then whitespace: the position of the member's value, or -1. */
function member(b: Uint8Array, i: number): number {
  if (b[i] !== 0x22) return -1;
  i = string(b, i);
  if (i < 0) return -1;
  i = skipWs(b, i);
  if (b[i] !== 0x3a /* : */) return -1;
  return skipWs(b, i + 1);
}

/** The position after the string starting (with its quote) at i, or -1. */
function string(b: Uint8Array, i: number): number {
  const n = b.length;
  i++;
  while (i < n) {
    const c = b[i];
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c /* \ */) {
      const e = b[i + 1];
      if (e === 0x75 /* u */) {
        if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) return -1;
        i += 6;
        continue;
      }
      if (
        e !== 0x22 &&
        e !== 0x5c &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The position after the number starting at i, or -1: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function number(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (isDigit(b[i])) i++;
  else return -1;
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}
