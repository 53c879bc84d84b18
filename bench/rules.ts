/**
 * Rules engine, validation and decision throughput on one core.
 *
 *   npm run bench -- rules
 *
 * Cases: each shipped rule pack alone and all three together (metric `rule_evals_per_sec` =
 * records × rules per second, and `records_per_sec`), validation of Sparkov-shaped card
 * transactions (`records_per_sec`), and decisions over the three packs (`decisions_per_sec`).
 * Records vary (amount, hour, counts) so branches are not all predicted the same way.
 */
import { DecisionEngine } from '../src/apps/fraud/decision/index.ts';
import { loadRulePackFile, SEED_RULE_PACK_FILES } from '../src/apps/fraud/rules/index.ts';
import { createValidators } from '../src/apps/fraud/validation/index.ts';
import type { BenchContext, BenchResult } from './harness.ts';

const N = 200_000;
const METHODS = ['credit_card', 'debit_card', 'crypto', 'paypal', 'cash'];
const COUNTRIES = ['US', 'DE', 'NG', 'FR', 'BR'];

function records(n: number): Array<Record<string, unknown>> {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  return Array.from({ length: n }, () => ({
    amount: Math.round(rnd() * 7000 * 100) / 100,
    payment_method: METHODS[Math.floor(rnd() * METHODS.length)],
    country: COUNTRIES[Math.floor(rnd() * COUNTRIES.length)],
    hour: Math.floor(rnd() * 24),
    is_weekend: rnd() < 0.28 ? 1 : 0,
    known_fraud: rnd() < 0.01,
    count_30m: Math.floor(rnd() * 8),
    count_5m: Math.floor(rnd() * 13),
    amount_mean: rnd() * 300,
    customer_fraud_score: rnd() * 100,
    account_age_days: rnd() * 400,
    customer_total_orders: Math.floor(rnd() * 50),
    customer_total_amount: rnd() * 5000,
  }));
}

function timed(fn: () => void): number {
  fn(); // warm-up: compile the closures' hot paths
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export default async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const recs = records(N);
  const packs = await Promise.all(SEED_RULE_PACK_FILES.map(loadRulePackFile));
  const results: BenchResult[] = [];
  let sink = 0;

  for (const pack of packs) {
    const rules = pack.doc.rules.length;
    const s = timed(() => {
      for (const r of recs) sink += pack.evaluate(r).score;
    });
    ctx.progress(`${pack.id.pack}: ${(N / s).toFixed(0)} records/s`);
    results.push({
      case: `pack ${pack.id.pack} (${rules} rules)`,
      metric: 'rule_evals_per_sec',
      value: Math.round((N * rules) / s),
      unit: 'evals/s',
    });
    results.push({
      case: `pack ${pack.id.pack} (${rules} rules)`,
      metric: 'records_per_sec',
      value: Math.round(N / s),
      unit: 'records/s',
    });
  }

  const totalRules = packs.reduce((n, p) => n + p.doc.rules.length, 0);
  const all = timed(() => {
    for (const r of recs) for (const p of packs) sink += p.evaluate(r).hits.length;
  });
  results.push({
    case: `3 seed packs (${totalRules} rules)`,
    metric: 'rule_evals_per_sec',
    value: Math.round((N * totalRules) / all),
    unit: 'evals/s',
  });
  results.push({
    case: `3 seed packs (${totalRules} rules)`,
    metric: 'records_per_sec',
    value: Math.round(N / all),
    unit: 'records/s',
  });

  const decisions = new DecisionEngine();
  const packResults = recs.slice(0, 50_000).map((r) => packs.map((p) => p.evaluate(r)));
  const ds = timed(() => {
    for (let i = 0; i < packResults.length; i++) {
      const out = decisions.decide({
        eventId: `t${i}`,
        eventTime: 0,
        receivedAt: 0,
        event: recs[i],
        features: recs[i],
        packs: packResults[i],
        model: { version: 'bench', score: (i % 100) / 100 },
      });
      sink += out.decision.length;
    }
  });
  results.push({
    case: 'decision (3 packs + model, audit record)',
    metric: 'decisions_per_sec',
    value: Math.round(packResults.length / ds),
    unit: 'decisions/s',
  });

  const validate = createValidators({ now: () => Date.UTC(2021, 0, 1) });
  const card = (i: number) => ({
    trans_date_trans_time: '2020-06-21 12:14:25',
    cc_num: `22911639338${String(i % 100000).padStart(5, '0')}`,
    merchant: i % 10 === 0 ? "fraud_O'Keefe-Kirlin" : 'fraud_Kirlin and Sons',
    category: 'personal_care',
    amt: 2.86 + (i % 500),
    first: 'Jeff',
    last: 'Elliott',
    gender: 'M',
    street: '351 Darlene Green',
    city: 'Columbia',
    state: 'SC',
    zip: 29209,
    lat: 33.9659,
    long: -80.9355,
    city_pop: 333497,
    job: 'Mechanical engineer',
    dob: '1968-03-19',
    trans_num: `2da90c7d74bd46a0caf3777415b3${i}`,
    unix_time: 1592741665,
    merch_lat: 33.986391,
    merch_long: -81.200714,
    is_fraud: 0 as const,
  });
  const cards = Array.from({ length: 50_000 }, (_, i) => card(i));
  const vs = timed(() => {
    for (const c of cards) sink += validate.cardTransaction(c).ok ? 1 : 0;
  });
  results.push({
    case: 'validation (Sparkov card transaction)',
    metric: 'records_per_sec',
    value: Math.round(cards.length / vs),
    unit: 'records/s',
  });
  if (sink === 42) ctx.progress('(unlikely)');
  return results;
}
