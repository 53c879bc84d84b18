/**
 * The Log conformance suite: one set of behaviours every `Log` backend must show, written only
 * against the interface in src/log/types.ts so it runs unchanged on EmbeddedLog and on Kafka.
 * Names are unique per test and nothing assumes an instant rebalance: consumers poll in loops
 * with deadlines.
 *
 * @example
 *   runLogConformance('embedded', async () => {
 *     const log = await EmbeddedLog.open({ dir: mkdtempSync(...) });
 *     return { log, cleanup: () => log.close() };
 *   });
 */
import { describe } from 'node:test';
import type { Log } from '../../../src/log/types.ts';
import { registerAdminCases } from './admin-cases.ts';
import { registerAssignCases } from './assign-cases.ts';
import { registerGroupCases } from './group-cases.ts';
import { registerProduceConsumeCases } from './produce-consume-cases.ts';
import { registerTransactionCases } from './transaction-cases.ts';

export type LogFactory = () => Promise<{ log: Log; cleanup(): Promise<void> }>;

export interface ConformanceOptions {
  /** Upper bound for a group to settle after a join or leave (default 15000). */
  rebalanceTimeoutMs?: number;
  /** How long to keep polling to show that records do NOT arrive (default 300). */
  quietMs?: number;
  /** Upper bound for records to arrive (default 10000). */
  deliveryTimeoutMs?: number;
}

export type ResolvedOptions = Required<ConformanceOptions>;

/** Runs `fn` with a fresh log from `factory`, always cleaning up. */
export type WithLog = (fn: (log: Log) => Promise<void>) => Promise<void>;

export function runLogConformance(name: string, factory: LogFactory, options: ConformanceOptions = {}): void {
  const resolved: ResolvedOptions = {
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 15_000,
    quietMs: options.quietMs ?? 300,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
  };
  const withLog: WithLog = async (fn) => {
    const { log, cleanup } = await factory();
    try {
      await fn(log);
    } finally {
      await cleanup();
    }
  };
  describe(`Log conformance: ${name}`, () => {
    registerAdminCases(withLog, resolved);
    registerProduceConsumeCases(withLog, resolved);
    registerTransactionCases(withLog, resolved);
    registerGroupCases(withLog, resolved);
    registerAssignCases(withLog, resolved);
  });
}
