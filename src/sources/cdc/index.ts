export { cdcTopic, type DebeziumEnvelope, type DebeziumOp, envelopeFromChange, keyOf } from './debezium.ts';
export { type CdcStats, type PostgresCdcOptions, PostgresCdcSource } from './postgres-cdc.ts';
export { compareLsn, groupTransactions, type RowChange, type TransactionChanges } from './wal2json.ts';
