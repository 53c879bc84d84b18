import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Serdes } from '../../../src/engine/index.ts';
import { ChangeloggingBackend } from '../../../src/engine/state/internals/changelogging.ts';
import { MemoryBackend } from '../../../src/engine/state/internals/memory-backend.ts';
import { MeteredKeyValueStore } from '../../../src/engine/state/internals/typed-stores.ts';
import { type StoreHarness, storeScenarios } from '../fixtures/store-scenarios.ts';

const S = Serdes.string();
const N = Serdes.number();

test('key-value store: typed get/put/delete/range over bytes, every write changelogged', () => {
  const changelog = new ChangeloggingBackend(new MemoryBackend());
  const kv = new MeteredKeyValueStore('kv', changelog, S, N, false);
  kv.put('b', 2);
  kv.put('a', 1);
  kv.put('c', 3);
  assert.equal(kv.putIfAbsent('a', 9), 1);
  assert.equal(kv.delete('c'), 3);
  kv.put('b', null);
  assert.deepEqual([...kv.all()], [{ key: 'a', value: 1 }]);
  assert.deepEqual(
    changelog.drainChanges().map((c) => [c.key.toString(), c.value === null ? null : N.deserialize(c.value)]),
    [
      ['b', 2],
      ['a', 1],
      ['c', 3],
      ['c', null],
      ['b', null],
    ],
  );
  assert.deepEqual(kv.counters, { puts: 3, gets: 1, deletes: 2 });
});

/** In memory nothing is committed or reopened: the scenarios run on one backend throughout. */
const memory: StoreHarness<MemoryBackend> = {
  persistent: false,
  open: () => new MemoryBackend(),
  reopen: (b) => b,
  commit: () => {},
  close: () => {},
};

for (const [name, run] of storeScenarios) test(name, () => run(memory));
