/** docs/features.md publishes the order of the feature vector (audit records carry vectors): it must match. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FEATURE_NAMES, FEATURE_SET_VERSION } from '../../../../src/apps/fraud/features/index.ts';

test('docs/features.md lists FEATURE_NAMES in order under the current feature-set version', () => {
  const doc = readFileSync(new URL('../../../../docs/features.md', import.meta.url), 'utf8');
  const section = doc.split(`### Order of \`${FEATURE_SET_VERSION}\``)[1];
  assert.ok(section, `a section for ${FEATURE_SET_VERSION}`);
  const line = section.split('\n').find((l) => l.startsWith('`amount`'));
  assert.ok(line, 'the ordered list');
  assert.deepEqual(
    line.split(', ').map((n) => n.replace(/`/g, '')),
    [...FEATURE_NAMES],
  );
});
