/**
 * The lake applications: the medallion (bronze → silver → gold, fraud_detection, CDC bronze) written
 * exactly once to Delta tables. See docs/lakehouse.md#medallion-pipelines.
 *
 * @example
 *   const medallion = new Medallion({ log, basePath: './data/lake' });
 *   await medallion.start();
 */
export {
  buildGoldTopology,
  GOLD_GRACE_MS,
  GOLD_WINDOW_MS,
  type GoldWindowRow,
  goldKey,
  goldRow,
} from './gold.ts';
export { LakeWriter, type LakeWriterOptions, type LakeWriterStats } from './lake-writer.ts';
export { Medallion, type MedallionOptions, type MedallionStats } from './medallion.ts';
export { bronzeRow, fraudDetectionRow, jsonRow } from './rows.ts';
export { buildSilverTopology, SILVER_WATERMARK_MS, type SilverTopologyOptions } from './silver.ts';
export {
  type AmountCategory,
  amountCategory,
  type ParsedLocation,
  parseLocation,
  type SilverTransaction,
} from './silver-row.ts';
export {
  MEDALLION_TABLES,
  MEDALLION_TOPICS,
  type MedallionTableName,
  type MedallionTopics,
  tablePath,
} from './tables.ts';
