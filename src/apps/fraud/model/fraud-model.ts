/**
 * A loaded fraud model ready to serve: scores a feature vector from the streaming feature code and
 * explains a score as reason codes (the features that pushed it up most).
 */

import { type ExpectedFeatureSet, type ModelArtefact, readArtefact, validateArtefact } from './artefact.ts';
import { GbdtModel } from './gbdt/model.ts';

/** Reason codes for the features analysts see most; any other feature's code is its name upper-cased. */
export const REASON_CODES: Readonly<Record<string, string>> = {
  amount: 'AMOUNT',
  amount_over_mean: 'AMOUNT_VS_CUSTOMER_AVERAGE',
  amount_zscore: 'AMOUNT_UNUSUAL_FOR_CARD',
  amount_over_max_7d: 'AMOUNT_ABOVE_RECENT_MAX',
  amount_over_category_mean: 'AMOUNT_VS_CATEGORY_AVERAGE',
  category_code: 'RISKY_CATEGORY',
  hour: 'TIME_OF_DAY',
  is_night: 'NIGHT_TIME',
  night_count_24h: 'NIGHT_ACTIVITY_24H',
  count_5m: 'VELOCITY_5M',
  count_30m: 'VELOCITY_30M',
  count_1h: 'VELOCITY_1H',
  count_24h: 'VELOCITY_24H',
  count_7d: 'VELOCITY_7D',
  amount_sum_24h: 'SPEND_24H',
  amount_sum_7d: 'SPEND_7D',
  seconds_since_prev: 'TIME_SINCE_PREVIOUS',
  speed_kmh_from_prev: 'IMPOSSIBLE_TRAVEL',
  customer_merchant_km: 'FAR_FROM_HOME',
  category_new: 'NEW_CATEGORY_FOR_CARD',
  merchant_new: 'NEW_MERCHANT_FOR_CARD',
  merchant_fraud_rate: 'MERCHANT_FRAUD_RATE',
};

export interface Reason {
  code: string;
  feature: string;
  value: number;
  /** contribution to the log-odds score */
  contribution: number;
}

export class FraudModel {
  readonly artefact: ModelArtefact;
  readonly gbdt: GbdtModel;
  /** `name@createdAt`, for audit records */
  readonly version: string;

  constructor(artefact: ModelArtefact) {
    this.artefact = artefact;
    this.gbdt = new GbdtModel(artefact.model);
    this.version = `${artefact.name}@${artefact.createdAt}`;
  }

  /**
   * Load and validate a model file.
   *
   * @example
   *   const model = FraudModel.load('models/sparkov.json');
   *   const score = model.score(tracker.next(view));
   */
  static load(path: string, expected?: ExpectedFeatureSet): FraudModel {
    return new FraudModel(readArtefact(path, expected));
  }

  static fromJson(value: unknown, expected?: ExpectedFeatureSet): FraudModel {
    return new FraudModel(validateArtefact(value, 'json', expected));
  }

  /** Fraud probability of one feature vector. */
  score(features: ArrayLike<number>): number {
    return this.gbdt.predict(features);
  }

  /** The `topK` features that raised the score most, as reason codes (only positive contributions). */
  explain(features: ArrayLike<number>, topK = 3): Reason[] {
    const { values } = this.gbdt.contributions(features);
    const names = this.artefact.featureNames;
    const reasons: Reason[] = [];
    for (let f = 0; f < values.length; f++) {
      if (values[f] > 0)
        reasons.push({
          code: REASON_CODES[names[f]] ?? names[f].toUpperCase(),
          feature: names[f],
          value: features[f],
          contribution: values[f],
        });
    }
    return reasons.sort((a, b) => b.contribution - a.contribution).slice(0, topK);
  }
}
