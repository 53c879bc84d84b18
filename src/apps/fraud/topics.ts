/** Topics of the fraud application (inputs, outputs, side outputs). Names follow the seeds. */
export const FRAUD_TOPICS = {
  /** input: food-delivery orders (seed 000), key customer_id */
  orders: 'orders',
  /** input: card transactions (Sparkov columns: CSV replay, CDC), key cc_num */
  transactions: 'transactions',
  /** input tables: compacted profile topics, keys customer_id / merchant_id */
  customers: 'customers',
  merchants: 'merchants',
  /** every rejected input record with the reason (headers fs.dlq.*) */
  deadLetters: 'orders.dlq',
  /** one record per scored event: score, level, reasons, decision (lake table fraud_detection) */
  scored: 'fraud.scored',
  /** audit record for every decision */
  audit: 'fraud.decisions.audit',
  /** orders a human should look at (seed 000: MEDIUM risk → human review) */
  reviewQueue: 'fraud.review-queue',
  /** every LOW/MEDIUM/HIGH/CRITICAL alert, delivered to Slack/webhook/PagerDuty from here */
  alerts: 'fraud.alerts',
  /** seed 004 routes */
  bssAlerts: 'bss.fraud.alerts',
  bssHighRisk: 'bss.fraud.high-risk',
  /** the AI analyst's verdicts, after the fact */
  analystVerdicts: 'fraud.analyst.verdicts',
} as const;

export const FRAUD_INPUT_TOPICS = [
  FRAUD_TOPICS.orders,
  FRAUD_TOPICS.transactions,
  FRAUD_TOPICS.customers,
  FRAUD_TOPICS.merchants,
];
export const FRAUD_OUTPUT_TOPICS = [
  FRAUD_TOPICS.deadLetters,
  FRAUD_TOPICS.scored,
  FRAUD_TOPICS.audit,
  FRAUD_TOPICS.reviewQueue,
  FRAUD_TOPICS.alerts,
  FRAUD_TOPICS.bssAlerts,
  FRAUD_TOPICS.bssHighRisk,
  FRAUD_TOPICS.analystVerdicts,
];
