/** Source adapters: validated orders and card transactions → the pipeline's TxnEvent. */
import type { CardTransaction, Order } from '../../../events/index.ts';
import { fromOrder, fromSparkovRow } from '../features/index.ts';
import type { TxnEvent } from './types.ts';

export function orderEvent(order: Order): TxnEvent {
  return {
    kind: 'order',
    id: order.order_id,
    entityId: order.customer_id,
    merchantId: order.merchant_id,
    merchantName: order.restaurant_name,
    amount: order.amount,
    currency: order.currency,
    country: order.country,
    paymentMethod: order.payment_method,
    time: order.timestamp,
    view: fromOrder(order),
    source: order,
    label:
      order.is_fraud === undefined
        ? null
        : { isFraud: order.is_fraud, scenario: order.fraud_scenario ?? null },
  };
}

/**
 * Sparkov card transactions are US card payments: currency USD, country US for display. The
 * feature view is exactly the one training used (fromSparkovRow), so served scores match.
 */
export function cardTransactionEvent(tx: CardTransaction): TxnEvent {
  const view = fromSparkovRow(tx);
  return {
    kind: 'card_transaction',
    id: tx.trans_num,
    entityId: tx.cc_num,
    merchantId: tx.merchant,
    merchantName: tx.merchant.replace(/^fraud_/, ''),
    amount: tx.amt,
    currency: 'USD',
    country: 'US',
    paymentMethod: 'credit_card',
    time: view.time,
    view,
    source: tx,
    label: { isFraud: tx.is_fraud === 1, scenario: tx.fraud_scenario ?? null },
  };
}
