import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import YAML from 'yaml';
import {
  compileRulePack,
  type ReloadEvent,
  RulesEngine,
  type RulesLogger,
  rulesApi,
  SEED_RULE_PACK_FILES,
} from '../../../../src/apps/fraud/rules/index.ts';
import { isFraudstreamError } from '../../../../src/errors.ts';

const quietLogger = (): RulesLogger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: (_o, m) => lines.push(`info ${m}`), warn: (_o, m) => lines.push(`warn ${m}`) };
};

const smallPack = (threshold: number, version = '1.0.0') => ({
  pack: 'small',
  version,
  levels: [
    { name: 'HIGH', min: 10, severity: 'high' },
    { name: 'OK', severity: 'none' },
  ],
  rules: [
    { id: 'big', reason: 'BIG_AMOUNT', when: { field: 'amount', op: 'gt', value: threshold }, points: 10 },
  ],
});

function nextReload(engine: RulesEngine): Promise<ReloadEvent> {
  return new Promise((resolve) => {
    const off = engine.onReload((e) => {
      off();
      resolve(e);
    });
  });
}

describe('rule-pack validation', () => {
  const expectInvalid = (doc: unknown, ...fragments: string[]) => {
    assert.throws(
      () => compileRulePack(doc, 'rules/x.yaml'),
      (err: unknown) => {
        assert.ok(isFraudstreamError(err, 'FS_RULES_INVALID'), String(err));
        for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention ${f}`);
        return true;
      },
    );
  };

  test('names the file, the rule id and the key', () => {
    const doc = smallPack(5);
    (doc.rules[0].when as Record<string, unknown>).op = 'greater';
    expectInvalid(doc, 'rules/x.yaml', 'rule "big"', 'when.op', '"greater"');
  });

  test('rejects unknown keys, missing contributions, duplicate ids, bad levels, unknown functions', () => {
    expectInvalid({ ...smallPack(5), extra: 1 }, 'key "extra"');
    expectInvalid(
      { ...smallPack(5), rules: [{ id: 'a', reason: 'A', when: { field: 'x', op: 'eq', value: 1 } }] },
      'rule "a"',
      'points',
    );
    const dup = smallPack(5);
    dup.rules.push({ ...dup.rules[0] });
    expectInvalid(dup, 'rule "big"', 'duplicate');
    expectInvalid(
      {
        ...smallPack(5),
        levels: [
          { name: 'LOW', min: 1, severity: 'low' },
          { name: 'HIGH', min: 5, severity: 'high' },
          { name: 'OK', severity: 'none' },
        ],
      },
      'level "HIGH"',
      'highest first',
    );
    expectInvalid(
      { ...smallPack(5), levels: [{ name: 'X', severity: 'severe' }] },
      'level "X"',
      'severity',
      '"severe"',
    );
    expectInvalid(
      { ...smallPack(5), derived: { h: { fn: 'eval', args: ['x'] } } },
      'derived "h"',
      '"fn"',
      '"eval"',
    );
    expectInvalid({ ...smallPack(5), version: 3 }, 'version', '3');
    expectInvalid(
      {
        ...smallPack(5),
        rules: [{ id: 'r', reason: 'R', when: { field: 'amount', op: 'in', value: [] }, points: 1 }],
      },
      'rule "r"',
      'when.value',
    );
  });

  test('a pack-level `when` scopes the pack: other records get its catch-all level and no hits', () => {
    const levels = [
      { name: 'HIGH', min: 10, severity: 'high' },
      { name: 'LOW', min: 0, severity: 'low' },
      { name: 'OK', severity: 'none' },
    ];
    const pack = compileRulePack({
      ...smallPack(5),
      levels,
      when: { field: 'event_kind', op: 'eq', value: 'card_transaction' },
    });
    const card = pack.evaluate({ amount: 9, event_kind: 'card_transaction' });
    assert.equal(card.level, 'HIGH');
    assert.deepEqual(
      card.hits.map((h) => h.reason),
      ['BIG_AMOUNT'],
    );
    const order = pack.evaluate({ amount: 9, event_kind: 'order' });
    // the catch-all, not the level a score of 0 would fall in (LOW here)
    assert.equal(order.level, 'OK');
    assert.equal(order.severity, 'none');
    assert.equal(order.score, 0);
    assert.deepEqual(order.hits, []);
    assert.equal(pack.evaluate({ amount: 9 }).level, 'OK', 'an absent kind is not a card transaction');
    expectInvalid(
      { ...smallPack(5), when: { field: 'event_kind', op: 'equals', value: 'x' } },
      'rules/x.yaml',
      'key "when.op"',
    );
  });

  test('the version hash changes with the content and not with key order', () => {
    const a = compileRulePack(smallPack(5));
    const b = compileRulePack(smallPack(6));
    const reordered = compileRulePack({
      rules: smallPack(5).rules,
      levels: smallPack(5).levels,
      version: '1.0.0',
      pack: 'small',
    });
    assert.notEqual(a.id.hash, b.id.hash);
    assert.equal(a.id.hash, reordered.id.hash);
  });
});

describe('RulesEngine', () => {
  let dir = '';
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('loads the three seed packs and evaluates them in order', async () => {
    const engine = await RulesEngine.fromFiles([...SEED_RULE_PACK_FILES], { logger: quietLogger() });
    assert.deepEqual(
      engine.versions().map((v) => v.pack),
      ['seed001-points', 'seed000-risk-dimensions', 'seed004-payments'],
    );
    const results = engine.evaluate({ amount: 6000, payment_method: 'crypto', hour: 12, count_30m: 0 });
    assert.equal(results[0].level, 'HIGH');
    assert.ok(results.every((r) => /^[0-9a-f]{16}$/.test(r.hash)));
  });

  test('replace() via the API returns the new version and is used at once; a bad doc keeps the old', () => {
    const engine = new RulesEngine([compileRulePack(smallPack(100))], { logger: quietLogger() });
    assert.equal(engine.evaluate({ amount: 50 })[0].level, 'OK');
    const v2 = engine.replace(smallPack(10, '2.0.0'));
    assert.equal(v2.version, '2.0.0');
    assert.equal(v2.source, '<api>');
    assert.equal(engine.evaluate({ amount: 50 })[0].level, 'HIGH');
    assert.throws(() => engine.replace({ ...smallPack(1, '3.0.0'), levels: [] }), {
      code: 'FS_RULES_INVALID',
    });
    assert.equal(engine.versions()[0].version, '2.0.0');
  });

  test('replaceDocument installs a bundle atomically; rulesApi serves the server GET/PUT contract', async () => {
    const engine = new RulesEngine([compileRulePack(smallPack(100))], { logger: quietLogger() });
    const api = rulesApi(engine);
    const before = api.get();
    assert.match(before.version, /^small@1\.0\.0\+[0-9a-f]{16}$/);
    const other = { ...smallPack(5), pack: 'other' };
    assert.throws(() => engine.replaceDocument({ packs: [smallPack(1, '2.0.0'), { ...other, rules: [] }] }), {
      code: 'FS_RULES_INVALID',
    });
    assert.equal(api.get().version, before.version, 'nothing of an invalid bundle is installed');
    const after = await api.put({ packs: [smallPack(1, '2.0.0'), other] });
    assert.match(after.version, /^small@2\.0\.0\+[0-9a-f]{16},other@1\.0\.0\+[0-9a-f]{16}$/);
    assert.deepEqual((after.document as { packs: unknown[] }).packs[1], other);
    await assert.rejects(api.put({ pack: 'bad' }), { code: 'FS_RULES_INVALID' });
    assert.equal(engine.evaluate({ amount: 2 })[0].level, 'HIGH');
  });

  test('reloads a watched file when it changes; a bad new file is rejected and the old kept', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fs-rules-'));
    const file = path.join(dir, 'small.yaml');
    await writeFile(file, YAML.stringify(smallPack(100)));
    const logger = quietLogger();
    const engine = await RulesEngine.fromFiles([file], { watch: true, debounceMs: 20, logger });
    try {
      assert.equal(engine.evaluate({ amount: 50 })[0].level, 'OK');

      // Editors often write a temp file and rename it over the original: that must be seen too.
      let reloaded = nextReload(engine);
      await writeFile(`${file}.tmp`, YAML.stringify(smallPack(10, '2.0.0')));
      await rename(`${file}.tmp`, file);
      let event = await reloaded;
      assert.ok(event.ok);
      assert.equal(event.version.version, '2.0.0');
      assert.equal(event.previous?.version, '1.0.0');
      assert.equal(engine.evaluate({ amount: 50 })[0].level, 'HIGH');

      reloaded = nextReload(engine);
      await writeFile(file, 'pack: small\nversion: 3.0.0\nlevels: []\nrules: []\n');
      event = await reloaded;
      assert.ok(!event.ok);
      assert.equal(event.error.code, 'FS_RULES_INVALID');
      assert.ok(event.error.message.includes(file));
      assert.equal(event.kept?.version, '2.0.0');
      assert.equal(engine.evaluate({ amount: 50 })[0].level, 'HIGH');
      assert.ok(logger.lines.some((l) => l.startsWith('warn rule pack rejected')));

      reloaded = nextReload(engine);
      await writeFile(file, 'pack: [unclosed');
      event = await reloaded;
      assert.ok(!event.ok);
      assert.match(event.error.message, /not valid YAML/);

      reloaded = nextReload(engine);
      await writeFile(file, YAML.stringify(smallPack(60, '4.0.0')));
      event = await reloaded;
      assert.ok(event.ok && event.version.version === '4.0.0');
      assert.equal(engine.evaluate({ amount: 50 })[0].level, 'OK');
      assert.equal(engine.evaluate({ amount: 61 })[0].level, 'HIGH');
    } finally {
      engine.close();
    }
  });

  test('a bundle file { packs: [...] } loads several packs; reloading it reports only the changed pack', async () => {
    const bundleDir = await mkdtemp(path.join(tmpdir(), 'fs-rules-bundle-'));
    try {
      const file = path.join(bundleDir, 'bundle.yaml');
      const other = { ...smallPack(100), pack: 'other' };
      await writeFile(file, YAML.stringify({ packs: [smallPack(100), other] }));
      const engine = await RulesEngine.fromFiles([file], { logger: quietLogger() });
      assert.deepEqual(
        engine.versions().map((v) => [v.pack, v.source]),
        [
          ['small', `${file}#packs[0]`],
          ['other', `${file}#packs[1]`],
        ],
      );
      await writeFile(file, YAML.stringify({ packs: [smallPack(10, '2.0.0'), other] }));
      const events = await engine.reloadFile(file);
      assert.equal(events.length, 1);
      assert.ok(events[0].ok && events[0].version.pack === 'small' && events[0].version.version === '2.0.0');
      await writeFile(file, YAML.stringify({ packs: [smallPack(10, '3.0.0'), { ...other, levels: 'x' }] }));
      const rejected = await engine.reloadFile(file);
      assert.ok(!rejected[0].ok);
      assert.match(rejected[0].error.message, /#packs\[1\]: levels/);
      assert.equal(engine.pack('small')?.id.version, '2.0.0', 'nothing of a bad bundle is installed');
      await writeFile(file, YAML.stringify({ packs: [smallPack(1), smallPack(2)] }));
      const [duplicate] = await engine.reloadFile(file);
      assert.ok(!duplicate.ok);
      assert.match(duplicate.error.message, /pack "small" appears twice/);
    } finally {
      await rm(bundleDir, { recursive: true, force: true });
    }
  });

  test('fromFiles fails on an unreadable or invalid file naming it', async () => {
    await assert.rejects(RulesEngine.fromFiles(['/nonexistent/rules.yaml']), (err: unknown) => {
      assert.ok(isFraudstreamError(err, 'FS_RULES_INVALID'));
      assert.match(err.message, /\/nonexistent\/rules\.yaml/);
      return true;
    });
  });

  test('the shipped files parse as the documents they claim (version and pack id)', async () => {
    for (const f of SEED_RULE_PACK_FILES) {
      const doc = YAML.parse(await readFile(f, 'utf8'));
      assert.equal(path.basename(f), `${doc.pack}.yaml`);
      assert.equal(doc.version, '1.0.0');
    }
  });
});
