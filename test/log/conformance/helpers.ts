/** Helpers for the conformance suite; they use only the `Log` interface. */
import type { Consumer, LogRecord, TopicPartition } from '../../../src/log/types.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function str(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

/** Polls until `done(all)` holds or the deadline passes; returns everything polled. */
export async function pollUntil(
  consumer: Consumer,
  done: (records: LogRecord[]) => boolean,
  timeoutMs: number,
): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(all) && Date.now() < deadline) all.push(...(await consumer.poll(100)));
  return all;
}

/** Polls for a while and returns what arrived (used to show that nothing arrives). */
export async function pollFor(consumer: Consumer, ms: number): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline)
    all.push(...(await consumer.poll(Math.min(100, Math.max(1, deadline - Date.now())))));
  return all;
}

/** Polls (records are kept) until the consumer holds `count` partitions. */
export async function awaitAssignment(
  consumer: Consumer,
  count: number,
  timeoutMs: number,
): Promise<LogRecord[]> {
  const kept: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (consumer.assignment().length !== count && Date.now() < deadline)
    kept.push(...(await consumer.poll(100)));
  if (consumer.assignment().length !== count) {
    throw new Error(`consumer holds ${consumer.assignment().length} partitions, expected ${count}`);
  }
  return kept;
}

export function tpId(tp: TopicPartition): string {
  return `${tp.topic}[${tp.partition}]`;
}

export function byPartitionOffset(a: LogRecord, b: LogRecord): number {
  return a.partition - b.partition || a.offset - b.offset;
}

/**
 * `read()` again until `done(value)` or `ms` pass; returns the last value. On Kafka a committed
 * transaction's offsets reach __consumer_offsets with its markers, written after EndTxn returns.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
