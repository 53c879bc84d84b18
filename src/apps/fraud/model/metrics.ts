/**
 * Fraud model metrics. Labels are 1 (fraud) / 0; higher score = more suspicious. Definitions follow
 * scikit-learn (roc_auc_score, average_precision_score, precision_recall_curve) and the
 * fraud-detection handbook (card precision top-k per day).
 */
import { dayIndex } from '../features/calendar.ts';

type Labels = ArrayLike<number>;
type Scores = ArrayLike<number>;

function descendingOrder(scores: Scores): Uint32Array {
  const idx = Uint32Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b] - scores[a] || a - b);
}

function positives(labels: Labels): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i] === 1 ? 1 : 0;
  return p;
}

/**
 * Area under the ROC curve (ties count one half). NaN if only one class is present.
 *
 * @example rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAuc(labels: Labels, scores: Scores): number {
  const order = descendingOrder(scores).reverse();
  const P = positives(labels);
  const N = labels.length - P;
  if (P === 0 || N === 0) return Number.NaN;
  let rankSumPos = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j + 2) / 2; // ranks are 1-based
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) rankSumPos += avgRank;
    i = j + 1;
  }
  return (rankSumPos - (P * (P + 1)) / 2) / (P * N);
}

/** Precision/recall at every distinct score threshold, highest threshold first. */
export function precisionRecallPoints(
  labels: Labels,
  scores: Scores,
): { threshold: number; precision: number; recall: number }[] {
  const order = descendingOrder(scores);
  const P = positives(labels);
  const points: { threshold: number; precision: number; recall: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]] === 1) tp++;
    else fp++;
    const last = i + 1 === order.length || scores[order[i + 1]] !== scores[order[i]];
    if (last)
      points.push({
        threshold: scores[order[i]],
        precision: tp / (tp + fp),
        recall: P ? tp / P : Number.NaN,
      });
  }
  return points;
}

/**
 * Average precision as scikit-learn defines it: Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds.
 *
 * @example averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.8333…
 */
export function averagePrecision(labels: Labels, scores: Scores): number {
  if (positives(labels) === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  for (const pt of precisionRecallPoints(labels, scores)) {
    ap += (pt.recall - prevRecall) * pt.precision;
    prevRecall = pt.recall;
  }
  return ap;
}

/** Highest recall reached at a threshold whose precision is at least `minPrecision` (0 if none); with that threshold. */
export function recallAtPrecision(
  labels: Labels,
  scores: Scores,
  minPrecision = 0.9,
): { recall: number; threshold: number } {
  let best = { recall: 0, threshold: Number.POSITIVE_INFINITY };
  for (const pt of precisionRecallPoints(labels, scores)) {
    if (pt.precision >= minPrecision && pt.recall > best.recall)
      best = { recall: pt.recall, threshold: pt.threshold };
  }
  return best;
}

/** Share of all frauds found in the top ⌈fraction·n⌉ scores (an alert budget), e.g. fraction 0.005. */
export function recallAtTopFraction(labels: Labels, scores: Scores, fraction = 0.005): number {
  const P = positives(labels);
  if (P === 0) return Number.NaN;
  const k = Math.min(labels.length, Math.ceil(fraction * labels.length));
  const order = descendingOrder(scores);
  let tp = 0;
  for (let i = 0; i < k; i++) tp += labels[order[i]] === 1 ? 1 : 0;
  return tp / P;
}

export interface ScenarioRecall {
  scenario: string;
  frauds: number;
  caught: number;
  recall: number;
}

/** Recall per fraud scenario (generator data) at a score threshold (score ≥ threshold = caught). */
export function perScenarioRecall(
  labels: Labels,
  scores: Scores,
  scenarios: ArrayLike<string | undefined | null>,
  threshold: number,
): ScenarioRecall[] {
  const by = new Map<string, ScenarioRecall>();
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    const name = scenarios[i] || 'unknown';
    let s = by.get(name);
    if (!s) {
      s = { scenario: name, frauds: 0, caught: 0, recall: 0 };
      by.set(name, s);
    }
    s.frauds++;
    if (scores[i] >= threshold) s.caught++;
  }
  const out = [...by.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
  for (const s of out) s.recall = s.caught / s.frauds;
  return out;
}

/**
 * Card precision top-k (fraud-detection handbook): for each day, rank cards by their highest score
 * that day, take the k best, and count those with a fraud that day; divide by k; average over days.
 *
 * @example cardPrecisionAtK(labels, scores, cardIds, times, 100).mean
 */
export function cardPrecisionAtK(
  labels: Labels,
  scores: Scores,
  cards: ArrayLike<string>,
  times: ArrayLike<number>,
  k = 100,
  utcOffsetMinutes = 0,
): { mean: number; perDay: { day: number; precision: number }[] } {
  const days = new Map<number, Map<string, { max: number; fraud: boolean }>>();
  for (let i = 0; i < labels.length; i++) {
    const d = dayIndex(times[i], utcOffsetMinutes);
    let cardsOfDay = days.get(d);
    if (!cardsOfDay) {
      cardsOfDay = new Map();
      days.set(d, cardsOfDay);
    }
    const c = cardsOfDay.get(cards[i]);
    if (!c) cardsOfDay.set(cards[i], { max: scores[i], fraud: labels[i] === 1 });
    else {
      if (scores[i] > c.max) c.max = scores[i];
      if (labels[i] === 1) c.fraud = true;
    }
  }
  const perDay: { day: number; precision: number }[] = [];
  for (const [day, cardsOfDay] of [...days.entries()].sort((a, b) => a[0] - b[0])) {
    const ranked = [...cardsOfDay.values()].sort((a, b) => b.max - a.max);
    let hits = 0;
    for (let i = 0; i < Math.min(k, ranked.length); i++) hits += ranked[i].fraud ? 1 : 0;
    perDay.push({ day, precision: hits / k });
  }
  const mean = perDay.length ? perDay.reduce((s, d) => s + d.precision, 0) / perDay.length : Number.NaN;
  return { mean, perDay };
}
