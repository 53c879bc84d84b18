/**
 * The fraud-detection application: the topology running on the configured log, alert delivery,
 * the AI analyst, hot-reloaded rules, a hot-swappable model, live statistics — and, in demo mode,
 * the synthetic generator feeding it. The CLI's `start` command and the server put it on screen.
 *
 * @example
 *   const app = await FraudApp.create({ config: loadConfig(), logger });
 *   await app.start();
 *   ...
 *   await app.stop();
 *   console.log(app.stats.snapshot());
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import type { Config } from '../../../config.ts';
import { lmdbBackend, memoryBackend, StreamBuilder, StreamsApp } from '../../../engine/index.ts';
import { FraudstreamError } from '../../../errors.ts';
import type { CardTransaction, Customer, Merchant, Order } from '../../../events/index.ts';
import type { Log } from '../../../log/index.ts';
import type { Logger } from '../../../logger.ts';
import { AlertDispatcher, createAlertChannels, type FraudAlert } from '../../../sinks/alerts/index.ts';
import { Medallion } from '../../lake/index.ts';
import { Analyst } from '../analyst/index.ts';
import { DecisionEngine } from '../decision/index.ts';
import { DEFAULT_LABEL_DELAY_MS, knownLabels, type MerchantRiskState } from '../features/index.ts';
import { loadServingModel, type ModelWatch, type ServingModel, watchModelFile } from '../model/index.ts';
import {
  CUSTOMER_STATE_STORE,
  type CustomerState,
  decayedScore,
  entityOf,
} from '../pipeline/customer-stage.ts';
import { cardTransactionEvent, orderEvent } from '../pipeline/events.ts';
import { MERCHANT_RISK_STORE } from '../pipeline/merchant-stage.ts';
import { FraudScorer, ModelHolder } from '../pipeline/scorer.ts';
import { RulesEngine, SEED_RULE_PACK_FILES } from '../rules/index.ts';
import { FRAUD_OUTPUT_TOPICS, FRAUD_TOPICS } from '../topics.ts';
import { buildFraudTopology, scoredSummary } from '../topology.ts';
import { createValidators } from '../validation/index.ts';
import { AlertDelivery } from './alert-delivery.ts';
import { runDemoFeed } from './demo-feed.ts';
import { LiveStats, type StatsSnapshot } from './live-stats.ts';

export interface FraudAppOptions {
  config: Readonly<Config>;
  /** the log to run on (the CLI opens it from the config) */
  log: Log;
  logger: Logger;
  registry?: Registry;
  /** run the synthetic generator as input (the demo); default false */
  generate?: boolean;
  /** start from empty state: delete the application's local state directory first */
  cleanState?: boolean;
  /** also run the medallion (bronze/silver/gold/fraud_detection Delta tables under lake.basePath);
   * default false — `fraudstream start` passes lake.enabled unless --no-lake */
  lake?: boolean;
}

export type LiveListener = (event: { type: 'stats' | 'alert'; data: unknown }) => void;

export class FraudApp {
  readonly config: Readonly<Config>;
  readonly log: Log;
  readonly registry: Registry;
  readonly stats = new LiveStats();
  readonly rules: RulesEngine;
  readonly decisions = new DecisionEngine();
  readonly model: ModelHolder;
  readonly analyst: Analyst | undefined;
  readonly streams: StreamsApp;
  /** the lake's medallion pipelines, when enabled (see src/apps/lake) */
  readonly medallion: Medallion | undefined;
  private readonly logger: Logger;
  private readonly scorer: FraudScorer;
  private readonly predictScorer: FraudScorer;
  private readonly dispatcher: AlertDispatcher;
  private readonly delivery: AlertDelivery;
  private readonly listeners = new Set<LiveListener>();
  private readonly feedAbort = new AbortController();
  private feed: Promise<number> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly generate: boolean;
  private readonly startedAt = Date.now();
  private readonly modelWatch: ModelWatch | undefined;

  private constructor(options: FraudAppOptions, rules: RulesEngine, model: ServingModel | null) {
    const { config, logger } = options;
    this.config = config;
    this.log = options.log;
    this.logger = logger;
    this.generate = options.generate ?? false;
    this.registry = options.registry ?? new Registry();
    this.rules = rules;
    this.model = new ModelHolder(model);
    if (config.fraud.modelPath) this.modelWatch = this.watchModel(config.fraud.modelPath);
    if (config.analyst.enabled) {
      this.analyst = new Analyst({
        endpoint: { url: config.analyst.url, model: config.analyst.model, apiKey: config.analyst.apiKey },
        registry: this.registry,
      });
    }
    const scorerDeps = {
      rules,
      decisions: this.decisions,
      model: this.model,
      headlinePack: 'seed001-points',
    };
    this.scorer = new FraudScorer({ ...scorerDeps, analyst: this.analyst });
    this.predictScorer = new FraudScorer({ ...scorerDeps, explainAbove: 0 });
    const builder = new StreamBuilder();
    buildFraudTopology(builder, {
      scorer: this.scorer,
      validators: createValidators(),
      onScored: (s) => this.stats.onScored(s),
      onRejected: () => this.stats.onDeadLetter(),
      topics: { orders: config.fraud.inputTopic },
    });
    const appId = config.engine.applicationId;
    const stateDir = path.resolve(config.engine.stateDir);
    if (options.cleanState) rmSync(path.join(stateDir, appId), { recursive: true, force: true });
    this.streams = new StreamsApp(builder.build(), {
      applicationId: appId,
      log: this.log,
      registry: this.registry,
      stateDir,
      stateBackend: config.engine.stateBackend === 'lmdb' ? lmdbBackend() : memoryBackend(),
      processingGuarantee: config.engine.processingGuarantee,
      commitIntervalMs: config.engine.commitIntervalMs,
      maxPollRecords: config.engine.maxPollRecords,
      // Malformed bytes go to the DLQ with their position instead of stopping the pipeline.
      deserializationErrorHandler: 'continue',
      deadLetterTopic: FRAUD_TOPICS.deadLetters,
      logger,
      onError: (err) => logger.error({ event: 'engine_failed', err }, 'stream processing stopped'),
    });
    this.dispatcher = new AlertDispatcher({
      channels: createAlertChannels(config.alerts),
      registry: this.registry,
      onDeadLetter: (d) => logger.warn({ event: 'alert_dead_letter', ...d, alert: undefined }, d.reason),
    });
    this.delivery = new AlertDelivery({
      log: this.log,
      groupId: `${appId}-alert-delivery`,
      dispatcher: this.dispatcher,
      onAlert: (a) => this.onAlert(a),
    });
    if (options.lake) {
      this.medallion = new Medallion({
        log: this.log,
        basePath: config.lake.basePath,
        applicationId: `${appId}-lake`,
        topics: { orders: config.fraud.inputTopic },
        stateDir,
        stateBackend: config.engine.stateBackend === 'lmdb' ? lmdbBackend() : memoryBackend(),
        // the lake failing must not stop fraud scoring: it is logged and the tables catch up on restart
        onError: (err) =>
          logger.error({ event: 'lake_failed', err }, 'the medallion stopped writing the lake'),
      });
    }
  }

  static async create(options: FraudAppOptions): Promise<FraudApp> {
    const { config, logger } = options;
    const files = config.fraud.rulesFile ? [config.fraud.rulesFile] : [...SEED_RULE_PACK_FILES];
    const rules = await RulesEngine.fromFiles(files, {
      watch: true,
      logger: {
        info: (msg: string) => logger.info({ event: 'rules_reload' }, msg),
        warn: (msg: string) => logger.warn({ event: 'rules_reload_rejected' }, msg),
      },
    } as never);
    let model: ServingModel | null = null;
    if (config.fraud.modelPath) {
      model = await loadServingModel(config.fraud.modelPath);
      logger.info({ event: 'model_loaded', version: model.version }, `model ${model.version} loaded`);
    }
    return new FraudApp(options, rules, model);
  }

  /** Creates the topics, starts processing, alert delivery, the feed (demo) and the stats ticker. */
  async start(): Promise<void> {
    const admin = this.log.admin();
    const partitions = 3;
    for (const t of [this.config.fraud.inputTopic, FRAUD_TOPICS.transactions]) {
      await admin.createTopic({ name: t, partitions }, { ifNotExists: true });
    }
    for (const t of [FRAUD_TOPICS.customers, FRAUD_TOPICS.merchants]) {
      await admin.createTopic({ name: t, partitions, cleanupPolicy: 'compact' }, { ifNotExists: true });
    }
    for (const t of FRAUD_OUTPUT_TOPICS)
      await admin.createTopic({ name: t, partitions }, { ifNotExists: true });
    this.logger.info(
      { event: 'start', applicationId: this.config.engine.applicationId, log: this.log.kind },
      `starting ${this.config.engine.applicationId} on the ${this.log.kind} log`,
    );
    await this.streams.start();
    await this.medallion?.start().catch((err) => {
      this.logger.error(
        { event: 'lake_failed', err },
        'the medallion did not start; scoring goes on without the lake',
      );
    });
    await this.delivery.start();
    if (this.generate) {
      const g = this.config.generator;
      this.feed = runDemoFeed(this.log, {
        seed: g.seed,
        fraudRate: g.fraudRate,
        eventsPerSecond: g.eventsPerSecond,
        signal: this.feedAbort.signal,
        ordersTopic: this.config.fraud.inputTopic,
      });
      this.feed.catch((err) => this.logger.error({ event: 'feed_failed', err }, 'generator stopped'));
    }
    this.ticker = setInterval(() => this.emit({ type: 'stats', data: this.liveSnapshot() }), 1000);
    this.ticker.unref();
  }

  /**
   * Stops the feed, lets processing commit, drains alert delivery, closes everything. One shutdown
   * however often it is called: a second caller (the CLI when processing ends while
   * `POST /api/v1/streams/stop` runs) waits for the same one.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.feedAbort.abort();
    await this.feed?.catch(() => 0);
    clearInterval(this.ticker);
    this.logger.info({ event: 'shutdown' }, 'stopping: finishing the batch and committing');
    await this.streams.close();
    await this.medallion?.stop();
    await this.delivery.stop();
    await this.dispatcher.close();
    await this.analyst?.close();
    this.rules.close?.();
    this.modelWatch?.close();
  }

  /** Hot swap: a new valid version of the model file replaces the model in use; a bad one is refused. */
  private watchModel(file: string): ModelWatch {
    return watchModelFile(file, {
      current: () => this.model.current,
      install: (m) => this.model.swap(m),
      onSwapped: ({ from, to }) =>
        this.logger.info({ event: 'model_swapped', from, to }, `model ${from ?? '(none)'} → ${to}`),
      onRejected: (err) =>
        this.logger.warn(
          { event: 'model_rejected', file, err },
          `model file ${file} refused, ${this.model.current?.version ?? 'no model'} keeps serving: ${(err as Error).message}`,
        ),
    });
  }

  /** Resolves when processing ends (rejects with the error that stopped it). */
  done(): Promise<void> {
    return this.streams.done();
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  breakers() {
    return this.analyst ? [this.analyst.breakerStatus()] : [];
  }

  liveSnapshot(): StatsSnapshot & { state: string; breakers: unknown[] } {
    return { ...this.stats.snapshot(), state: this.streams.state, breakers: this.breakers() };
  }

  /**
   * Seed 002's `/predict/raw`: validates a raw order and scores it with the live state (the
   * customer's feature state, the merchant's fraud rate, the profile tables) exactly as the
   * stream would — without changing any state and without side effects.
   */
  async predict(raw: unknown) {
    const validators = createValidators();
    const isCard = typeof raw === 'object' && raw !== null && 'trans_num' in raw;
    const result = isCard ? validators.cardTransaction(raw) : validators.order(raw);
    if (!result.ok) {
      throw new FraudstreamError(
        'FS_SCHEMA_INVALID',
        `invalid ${isCard ? 'transaction' : 'order'}: ${result.reasons.join('; ')}`,
        {
          details: { reasons: result.reasons },
        },
      );
    }
    const event = isCard
      ? cardTransactionEvent(result.value as CardTransaction)
      : orderEvent(result.value as Order);
    const get = <V>(store: string, key: string) =>
      this.streams.store<{ get(k: string): V | undefined }>(store).get(key);
    const merchantRisk = get<MerchantRiskState>(MERCHANT_RISK_STORE, event.merchantId);
    const [labelled, frauds] = merchantRisk
      ? knownLabels(merchantRisk, event.time, DEFAULT_LABEL_DELAY_MS)
      : [0, 0];
    const stored = get<CustomerState>(CUSTOMER_STATE_STORE, event.entityId);
    // The store hands out its own object: score a copy so a what-if never changes live state.
    const entity = structuredClone(entityOf(stored));
    const scored = this.predictScorer.score(
      {
        event,
        sanitized: result.sanitized,
        receivedAt: Date.now(),
        merchant: get<Merchant>('fraud-merchants', event.merchantId) ?? null,
        customer: get<Customer>('fraud-customers', event.entityId) ?? null,
        merchantLabelled: labelled,
        merchantFrauds: frauds,
      },
      entity,
      decayedScore(stored, event.time),
    );
    return {
      ...scoredSummary(scored),
      score: scored.model?.score ?? null,
      packs: scored.packs.map((p) => ({
        pack: p.pack,
        level: p.level,
        score: p.score,
        reasons: p.hits.map((h) => h.reason),
      })),
      model_reasons: scored.model?.reasons ?? [],
    };
  }

  uptimeMs(): number {
    return Date.now() - this.startedAt;
  }

  private onAlert(alert: FraudAlert): void {
    this.stats.onAlert(alert);
    this.emit({ type: 'alert', data: alert });
  }

  private emit(event: { type: 'stats' | 'alert'; data: unknown }): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.warn({ event: 'listener_failed', err }, 'a live listener threw');
      }
    }
  }
}
