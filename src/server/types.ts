/**
 * What the HTTP server needs from a running application. The app layer implements it; the
 * server never reaches into the engine directly, so routes are testable with `inject()` and a
 * small fake of this interface (the engine's own behaviour is tested in test/engine).
 */
import type { Registry } from 'prom-client';

export type AppState = 'CREATED' | 'RESTORING' | 'RUNNING' | 'STOPPED' | 'ERROR';

export interface StreamsStatus {
  running: boolean;
  state: AppState;
  applicationId: string;
  uptimeMs: number;
}

export interface TaskMetadata {
  id: string;
  partitions: { topic: string; partition: number }[];
  stores: string[];
}

export interface InstanceMetadata {
  instanceId: string;
  host: string;
  log: 'embedded' | 'kafka';
  tasks: TaskMetadata[];
  stores: string[];
}

export interface BreakerStatus {
  name: string;
  state: 'closed' | 'open' | 'half-open' | 'isolated';
  failures: number;
  lastFailureAt: string | null;
}

export interface WindowedValue {
  windowStart: number;
  windowEnd: number;
  value: unknown;
}

export interface RulesDocument {
  version: string;
  document: unknown;
}

export interface LiveEvent {
  type: 'stats' | 'alert' | 'monitor';
  data: unknown;
}

export interface ServerDeps {
  registry: Registry;
  /** bearer token for mutating endpoints; empty string disables them (403) */
  token: string;
  status(): StreamsStatus;
  metadata(): InstanceMetadata[];
  /** true once every task has restored its state */
  ready(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
  /** interactive queries; `undefined` store → 404 */
  storeNames(): string[];
  storeGet(store: string, key: string): unknown;
  storeWindowFetch(store: string, key: string, from: number, to: number): WindowedValue[];
  breakers(): BreakerStatus[];
  rules?: { get(): RulesDocument; put(document: unknown): Promise<RulesDocument> };
  predict?(raw: unknown): Promise<unknown>;
  monitor?(): unknown;
  /** live feed for the dashboard (SSE); returns an unsubscribe function */
  subscribe?(listener: (event: LiveEvent) => void): () => void;
}
