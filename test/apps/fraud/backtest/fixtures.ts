/** A crafted, hand-checkable labelled history and rule pack for backtest tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export const SPARKOV_HEADER =
  ',trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud';

/** One Sparkov row; everything but time, card, amount, id and label is a fixed real-looking value. */
export function sparkovRow(i: number, time: string, card: string, amount: number, isFraud: 0 | 1): string {
  const unix = Math.floor(Date.parse(`${time.replace(' ', 'T')}Z`) / 1000);
  return `${i},${time},${card},fraud_Kirlin and Sons,personal_care,${amount},Jeff,Elliott,M,351 Darlene Green,Columbia,SC,29209,33.9659,-80.9355,333497,Mechanical engineer,1968-03-19,t${i},${unix},33.986391,-81.200714,${isFraud}`;
}

/**
 * Six transactions, three frauds. With PACK below (big: amount > 1000 → 10; night: hour ≥ 22 → 5;
 * CRITICAL ≥ 15, HIGH ≥ 10, LOW ≥ 5) and the default decision policy (critical → block, high → review):
 *   t0 1500 14:00 fraud → big        10 HIGH     review
 *   t1 2000 23:00 fraud → big+night  15 CRITICAL block
 *   t2   50 23:30 legit → night       5 LOW      allow
 *   t3 1200 10:00 legit → big        10 HIGH     review
 *   t4   30 12:00 fraud → -           0 NONE     allow
 *   t5   20 13:00 legit → -           0 NONE     allow
 */
export const CRAFTED_ROWS = [
  sparkovRow(0, '2020-07-01 14:00:00', '4000000000000001', 1500, 1),
  sparkovRow(1, '2020-07-01 23:00:00', '4000000000000002', 2000, 1),
  sparkovRow(2, '2020-07-01 23:30:00', '4000000000000003', 50, 0),
  sparkovRow(3, '2020-07-02 10:00:00', '4000000000000001', 1200, 0),
  sparkovRow(4, '2020-07-02 12:00:00', '4000000000000002', 30, 1),
  sparkovRow(5, '2020-07-02 13:00:00', '4000000000000003', 20, 0),
];

export const PACK = `
pack: test-amount-night
version: 0.1.0
levels:
  - { name: CRITICAL, min: 15, severity: critical }
  - { name: HIGH, min: 10, severity: high }
  - { name: LOW, min: 5, severity: low }
  - { name: NONE, severity: none }
rules:
  - { id: big, reason: BIG_AMOUNT, when: { field: amount, op: gt, value: 1000 }, points: 10 }
  - { id: night, reason: NIGHT, when: { field: hour, op: gte, value: 22 }, points: 5 }
`;

/** A second pack for --pack selection: flags every transaction. */
export const EVERYTHING_PACK = `
pack: test-everything
version: 0.1.0
levels:
  - { name: ALL, min: 1, severity: low }
  - { name: NONE, severity: none }
rules:
  - { id: any, reason: ANY, when: { field: amount, op: gt, value: 0 }, points: 1 }
`;

/** Flags a transaction of a card seen before (needs history: the warm-up provides it). */
export const REPEAT_PACK = `
pack: test-repeat
version: 0.1.0
levels:
  - { name: SEEN, min: 1, severity: low }
  - { name: NEW, severity: none }
rules:
  - { id: seen_before, reason: SEEN_BEFORE, when: { field: history_count, op: gte, value: 1 }, points: 1 }
`;

export function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'fs-backtest-test-'));
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function craftedHistory(dir: string): { csv: string; rules: string; bundle: string } {
  return {
    csv: writeFile(dir, 'history.csv', `${[SPARKOV_HEADER, ...CRAFTED_ROWS].join('\n')}\n`),
    rules: writeFile(dir, 'pack.yaml', PACK),
    bundle: writeFile(
      dir,
      'bundle.json',
      JSON.stringify({
        packs: [parseYaml(PACK), parseYaml(EVERYTHING_PACK)],
      }),
    ),
  };
}

function parseYaml(text: string): Record<string, unknown> {
  return YAML.parse(text) as Record<string, unknown>;
}
