/** A small synthetic Sparkov-format CSV: frauds are bursts of large night purchases online. */
import { seededRandom } from '../../../../src/apps/fraud/model/gbdt/random.ts';

export const HEADER =
  'trans_date_trans_time,cc_num,merchant,category,amt,first,last,gender,street,city,state,zip,lat,long,city_pop,job,dob,trans_num,unix_time,merch_lat,merch_long,is_fraud';

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function sparkovCsv(rows: number, seed = 1): string {
  const rnd = seededRandom(seed);
  const start = Date.parse('2020-01-01T00:00:00Z');
  const lines = [HEADER];
  let t = start;
  for (let i = 0; i < rows; i++) {
    t += Math.floor(rnd() * 600_000);
    const card = 1000 + Math.floor(rnd() * 40);
    const fraud = rnd() < 0.03;
    const hourShift = fraud ? (23 + Math.floor(rnd() * 5)) % 24 : 8 + Math.floor(rnd() * 12);
    const day = Math.floor(t / 86_400_000) * 86_400_000;
    const time = day + hourShift * 3_600_000 + (t % 3_600_000);
    const amt = fraud ? 300 + rnd() * 900 : 5 + rnd() * 120;
    const category = fraud
      ? rnd() < 0.5
        ? 'shopping_net'
        : 'misc_net'
      : ['grocery_pos', 'gas_transport', 'home', 'food_dining'][Math.floor(rnd() * 4)];
    const merchant = `"fraud_Merchant ${Math.floor(rnd() * 30)}, Inc"`;
    const unix = Math.floor(time / 1000);
    lines.push(
      `${stamp(time)},${card},${merchant},${category},${amt.toFixed(2)},Ann,Lee,${card % 2 ? 'F' : 'M'},1 Main St,Town,NY,10001,40.7,-74.0,5000,Clerk,1980-05-0${1 + (card % 9)},t${i},${unix},40.${Math.floor(rnd() * 9)},-74.${Math.floor(rnd() * 9)},${fraud ? 1 : 0}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
