import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Serdes } from '../../../src/engine/index.ts';
import { JSON_INVALID, JSON_NULL, JSON_VALID, jsonCheck } from '../../../src/engine/serde/json-check.ts';

/** What jsonCheck must agree with: JSON.parse of the bytes decoded as UTF-8. */
function parses(b: Buffer): { ok: boolean; isNull: boolean } {
  try {
    return { ok: true, isNull: JSON.parse(b.toString('utf8')) === null };
  } catch {
    return { ok: false, isNull: false };
  }
}

function assertSound(b: Buffer): void {
  const r = jsonCheck(b);
  const p = parses(b);
  const shown = JSON.stringify(b.toString('latin1'));
  if (r === JSON_VALID) assert.ok(p.ok && !p.isNull, `accepted ${shown}, JSON.parse: ${JSON.stringify(p)}`);
  if (r === JSON_NULL) assert.ok(p.ok && p.isNull, `null for ${shown}, JSON.parse: ${JSON.stringify(p)}`);
}

test('jsonCheck accepts what JSON.parse accepts and tells a top-level null', () => {
  const valid = [
    '{"card":"card-000001","amount":12.5,"merchant":"m-1","country":"US"}',
    ' [1, -0, 0.5, 1e3, 1E-3, -2.5e+10, true, false, null, "a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9", {}, []] ',
    '{"a":{"b":[{"c":[[]]}]},"":""}',
    '"héllo ☃ 😀"',
    '0',
    '-12',
    '"\\ud800"',
    `${'['.repeat(1000)}${']'.repeat(1000)}`,
  ];
  for (const s of valid) {
    assert.equal(jsonCheck(Buffer.from(s)), JSON_VALID, s);
    assert.ok(parses(Buffer.from(s)).ok);
  }
  for (const s of ['null', ' null\n', '\tnull ']) assert.equal(jsonCheck(Buffer.from(s)), JSON_NULL);
  // Deeper than the checker's stack: left to the parse.
  assert.equal(jsonCheck(Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`)), JSON_INVALID);
});

test('jsonCheck rejects what JSON.parse rejects', () => {
  const invalid = [
    '',
    ' ',
    '{oops',
    '{"a":1,}',
    '[1,]',
    '[1 2]',
    '{"a" 1}',
    '{"a":}',
    '{a:1}',
    "{'a':1}",
    '01',
    '-',
    '1.',
    '.5',
    '1e',
    '+1',
    'NaN',
    'Infinity',
    'tru',
    'nul',
    'nullx',
    'null null',
    '"unterminated',
    '"bad \\x escape"',
    '"\\u12"',
    '"tab\there"',
    '"unit\u001fseparator"',
    '[1]]',
    '{"a":1}}',
    '[}',
    '{]',
    '\ufeff{}',
    '{} x',
  ];
  for (const s of invalid) {
    assert.equal(jsonCheck(Buffer.from(s)), JSON_INVALID, JSON.stringify(s));
    assert.equal(parses(Buffer.from(s)).ok, false, JSON.stringify(s));
  }
  // Invalid UTF-8 outside strings; inside strings it decodes to U+FFFD and parses.
  assert.equal(jsonCheck(Buffer.from([0x7b, 0xff, 0x7d])), JSON_INVALID);
  assertSound(Buffer.from([0x22, 0xff, 0xe0, 0x22]));
  assertSound(Buffer.from([0x22, 0xf0, 0x90, 0x80, 0x22]));
});

test('jsonCheck never accepts what JSON.parse rejects (random mutations of valid documents)', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const alphabet = Buffer.from('{}[]":,.-+eE0123456789 \t\n\\/ubfnrtaxlsNULL\u0000');
  const docs = [
    '{"card":"card-000001","amount":12.5,"merchant":"m-1","country":"US"}',
    '[1,-0.5e-3,true,false,null,"x\\u00e9\\n",{"a":[]}]',
    'null',
  ].map((s) => Buffer.from(s));
  for (let i = 0; i < 30_000; i++) {
    const b = Buffer.from(docs[rand(docs.length)]);
    const edits = 1 + rand(3);
    let m = b;
    for (let e = 0; e < edits; e++) {
      const at = rand(m.length + 1);
      const op = rand(3);
      const c = rand(5) === 0 ? rand(256) : alphabet[rand(alphabet.length)];
      if (op === 0 && m.length > 0) m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1)]);
      else if (op === 1) m = Buffer.concat([m.subarray(0, at), Buffer.from([c]), m.subarray(at)]);
      else if (m.length > 0) {
        m = Buffer.from(m);
        m[Math.min(at, m.length - 1)] = c;
      }
    }
    assertSound(m);
  }
});

test('the json serde checks without parsing: null for null, throws its usual FS_SERDE error otherwise', () => {
  const serde = Serdes.json();
  assert.ok(serde.checkNull);
  assert.equal(serde.checkNull(null), true);
  assert.equal(serde.checkNull(Buffer.from('null')), true);
  assert.equal(serde.checkNull(Buffer.from('{"a":1}')), false);
  assert.throws(
    () => serde.checkNull?.(Buffer.from('{oops')),
    (e: Error & { code?: string }) => e.code === 'FS_SERDE' && e.message.includes('{oops'),
  );
  // Schema-validated JSON must be decoded to be checked: no shortcut.
  assert.equal(Serdes.schemaJson(Type.Object({})).checkNull, undefined);
});
