export {
  FRAUD_PREDICTIONS_DDL,
  PostgresSink,
  type PostgresSinkOptions,
  TRANSACTIONS_DDL,
} from './postgres-sink.ts';
