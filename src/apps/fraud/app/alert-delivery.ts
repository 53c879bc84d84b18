/**
 * Delivery of committed alerts: a read_committed consumer of `fraud.alerts` hands each alert to
 * the channel dispatcher (Slack, webhook, PagerDuty), the console and the dashboard. Delivery is
 * outside the topology's transaction on purpose: a slow or dead webhook never stalls scoring, and
 * only alerts of committed decisions go out. Alert ids are deterministic and the dedup store
 * remembers delivered ids, so a restart re-reading uncommitted positions sends nothing twice.
 */
import type { Consumer, Log } from '../../../log/index.ts';
import type { AlertDispatcher, FraudAlert } from '../../../sinks/alerts/index.ts';
import { FRAUD_TOPICS } from '../topics.ts';

export interface AlertDeliveryOptions {
  log: Log;
  groupId: string;
  dispatcher?: AlertDispatcher;
  onAlert?: (alert: FraudAlert) => void;
  startFrom?: 'earliest' | 'latest' | 'committed';
}

export class AlertDelivery {
  private consumer: Consumer | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly opts: AlertDeliveryOptions;
  delivered = 0;

  constructor(options: AlertDeliveryOptions) {
    this.opts = options;
  }

  async start(): Promise<void> {
    this.consumer = await this.opts.log.consumer({
      groupId: this.opts.groupId,
      topics: [FRAUD_TOPICS.alerts],
      isolation: 'read_committed',
      startFrom: this.opts.startFrom ?? 'committed',
    });
    this.loop = this.run(this.consumer);
  }

  private async run(consumer: Consumer): Promise<void> {
    let lastCommit = Date.now();
    while (!this.stopping) {
      const records = await consumer.poll(200);
      for (const r of records) {
        if (!r.value) continue;
        const alert = JSON.parse(r.value.toString()) as FraudAlert;
        this.opts.dispatcher?.dispatch(alert);
        this.opts.onAlert?.(alert);
        this.delivered++;
      }
      if (records.length > 0 && Date.now() - lastCommit > 1000) {
        await consumer.commit();
        lastCommit = Date.now();
      }
    }
    await consumer.commit();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.consumer?.close();
  }
}
